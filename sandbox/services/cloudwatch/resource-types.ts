import type { ResourceTypeSupport } from "../../model/resource-type";

/** Handler output goes to the terminal: log groups are recorded, never written. Alarms are not evaluated. */
export const cloudwatchResourceTypes: ResourceTypeSupport[] = [
  {
    type: "aws:cloudwatch/logGroup:LogGroup",
    coverage: "recorded, not enforced",
    state: ({ physical, arn }) => ({ id: physical, state: { name: physical, arn: arn("logs", `log-group:${physical}`) } }),
  },
];
