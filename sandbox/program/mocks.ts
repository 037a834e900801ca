import type { MockCallArgs, MockResourceArgs, MockCallResult, MockResourceResult } from "@pulumi/pulumi/runtime";
import { sandboxAccountId as account, sandboxRegion as region } from "../shared/constants";
import type { RecordedResource } from "../model/recorded";
import { physicalName } from "../model/physical-names";
import { resourceTypes } from "../services/resource-types";
import { plain } from "./serialize";
import type { Provisioner } from "./provision";

type State = Record<string, unknown>;
/** The part of Pulumi's RegisterResourceRequest read here. */
type RegisterRequest = { getType(): string; getName(): string; getRemote?(): boolean };

const arn = (service: string, resource: string) => `arn:aws:${service}:${region}:${account}:${resource}`;

/**
 * Pulumi mocks whose resources are real: each declared table, bucket and queue is created in the
 * emulators and answered with its local name, URL and ARN (each type's answer kept by its service),
 * so every Output the program derives from them (environment variables, policies, redrive
 * policies) carries real local values.
 */
export function sandboxMocks(options: { stack: string; apiOrigin: string; provisioner: Provisioner }) {
  const recorded: RecordedResource[] = [];
  /** Type and name of each component registered as remote (built by a provider plugin). */
  const remote = new Set<string>();
  const { stack, apiOrigin, provisioner } = options;

  async function created(type: string, name: string, inputs: State): Promise<{ id: string; state: State }> {
    // Another stack's outputs live in a Pulumi backend, which the sandbox does not have: as for a
    // data source, no made-up answer (its outputs would be undefined, and the program fail later
    // with a TypeError that says nothing of why).
    if (type === "pulumi:pulumi:StackReference") {
      throw new Error(
        `the sandbox cannot read the outputs of stack ${String(inputs.name ?? name)} (new pulumi.StackReference): it runs this program alone, without a Pulumi backend`,
      );
    }
    const support = resourceTypes.get(type);
    // Validated before anything is created, as AWS refuses the call.
    const refused = support?.refusal?.(inputs);
    if (refused) throw new Error(`${type} ${name}: ${refused}`);
    const physical = physicalName(inputs, stack, type, name, support?.nameInput);
    // Tables, buckets and queues are real: created in the emulators before the program gets them.
    const created = await provisioner.create(type, physical, inputs);
    const context = { physical, name, stack, inputs, apiOrigin, url: created.url, created, arn, region, account };
    if (support?.state) return support.state(context);
    // Not emulated, or nothing computed: the program may still read its name or ARN (an alarm's SNS
    // topic, say), so answer them in AWS's usual shape and every derived Output has a value.
    const service = type.split(":")[1]?.split("/")[0] ?? "unknown";
    return { id: physical, state: { name: physical, arn: arn(service, physical) } };
  }

  return {
    recorded,
    /**
     * A component of a provider plugin (`@pulumi/aws-apigateway`'s RestAPI, awsx's VPC) is
     * registered as remote: the plugin declares its resources at deploy time, so under mocks it
     * has none. Pulumi's mocks are not told, its monitor is: this notes which ones are remote.
     */
    watchRemoteComponents(monitor: unknown) {
      const watched = monitor as { registerResource(request: RegisterRequest, ...rest: unknown[]): unknown } | undefined;
      if (!watched || typeof watched.registerResource !== "function") return;
      const register = watched.registerResource.bind(watched);
      watched.registerResource = (request, ...rest) => {
        if (request.getRemote?.()) remote.add(`${request.getType()}::${request.getName()}`);
        return register(request, ...rest);
      };
    },
    mocks: {
      async newResource(args: MockResourceArgs): Promise<MockResourceResult> {
        const inputs = (await plain(args.inputs)) as State;
        const { id, state } = await created(args.type, args.name, inputs);
        const custom = args.custom !== false;
        const isRemote = !custom && remote.has(`${args.type}::${args.name}`);
        recorded.push({
          type: args.type,
          name: args.name,
          id,
          inputs,
          state: { ...inputs, ...state },
          custom,
          ...(isRemote ? { remote: true } : {}),
        });
        // The program gets its own inputs back (secrets stay secrets) plus what AWS computes.
        return { id, state: { ...args.inputs, ...state } };
      },
      call(args: MockCallArgs): MockCallResult {
        switch (args.token) {
          case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: account, arn: `arn:aws:iam::${account}:user/sandbox`, userId: "AIDASANDBOX", id: account };
          case "aws:index/getRegion:getRegion":
            return { name: region, region, id: region, description: "US East (N. Virginia)", endpoint: `ec2.${region}.amazonaws.com` };
          case "aws:index/getPartition:getPartition":
            return { partition: "aws", id: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
          default: {
            // A data source the sandbox cannot answer truthfully must not be answered at all.
            const message = `the sandbox cannot answer ${args.token}(${JSON.stringify(args.inputs)}): it knows getCallerIdentity, getRegion and getPartition`;
            // The SDK rethrows a failed invoke with the gRPC error's `details`, not its message.
            throw Object.assign(new Error(message), { details: message });
          }
        }
      },
    },
  };
}
