import type { ResourceTypeSupport } from "../../model/resource-type";
import { stableSuffix } from "../../model/physical-names";

/** Permissions are recorded so that the program's references resolve; the sandbox enforces none. */
export const iamResourceTypes: ResourceTypeSupport[] = [
  {
    type: "aws:iam/role:Role",
    coverage: "recorded, not enforced",
    state: ({ physical, account }) => ({
      id: physical,
      state: { name: physical, arn: `arn:aws:iam::${account}:role/${physical}`, uniqueId: `AROA${stableSuffix(physical).toUpperCase()}` },
    }),
  },
  {
    type: "aws:iam/rolePolicy:RolePolicy",
    coverage: "recorded, not enforced",
    state: ({ physical, inputs }) => ({ id: `${inputs.role}:${physical}`, state: { name: physical } }),
  },
  { type: "aws:iam/policy:Policy", coverage: "recorded, not enforced" },
  { type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", coverage: "recorded, not enforced" },
];
