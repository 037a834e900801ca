import * as path from "node:path";
import type * as pulumiType from "@pulumi/pulumi";
import { runUnderMocks } from "../../sandbox/program/run-under-mocks";

/**
 * Runs the Pulumi program (index.ts) under mocks, as `pulumi preview` would, and records every
 * resource it declares. The mocks know the outputs each resource type computes in AWS (ARNs, URLs,
 * physical names); an invoke other than the ones the program is expected to make fails loudly.
 */

export const ACCOUNT = "123456789012";
/** The test runner's own `beforeExit` listeners, there before the program's SDK loads. */
const RUNNER_BEFORE_EXIT = process.listeners("beforeExit");
export const REGION = "eu-west-3";

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly state: Record<string, unknown>;
  readonly id: string;
  /** Resource options the program passed (recorded by a stack transformation). */
  readonly options: RecordedOptions;
}

export interface RecordedOptions {
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  /** Logical names of the explicit dependencies. */
  readonly dependsOn: string[];
  /** Logical name of the parent. */
  readonly parent?: string;
}

export interface ProgramRun {
  readonly resources: RecordedResource[];
  readonly outputs: Record<string, unknown>;
  readonly calls: string[];
  readonly error?: Error;
  /** The single resource of a type (and name, when given); fails if there are none or several. */
  one(type: string, name?: string): RecordedResource;
  all(type: string): RecordedResource[];
}

/** Config of a personal stack with only what one needs: region, account pin, owner, the API token secret. */
export function personalStackConfig(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const config: Record<string, string | undefined> = {
    "aws:region": REGION,
    "aws:allowedAccountIds": JSON.stringify([ACCOUNT]),
    "job-offers:owner": "alice",
    "job-offers:apiToken": "s3cr3t-token-of-alice-0123456789",
    ...overrides,
  };
  return Object.fromEntries(Object.entries(config).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

const physicalName = (name: string) =>
  `${name}-${[...name]
    .reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) >>> 0, 7)
    .toString(16)
    .slice(0, 7)}`;

function computedState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const physical = (inputs.name as string | undefined) ?? physicalName(name);
  const arnOf = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
  switch (type) {
    case "aws:s3/bucket:Bucket":
      return { bucket: physical, arn: `arn:aws:s3:::${physical}` };
    case "aws:sqs/queue:Queue":
      return { name: physical, arn: arnOf("sqs", physical), url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${physical}` };
    case "aws:dynamodb/table:Table":
      return { name: physical, arn: arnOf("dynamodb", `table/${physical}`) };
    case "aws:lambda/function:Function": {
      const arn = arnOf("lambda", `function:${physical}`);
      return { name: physical, arn, invokeArn: `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${arn}/invocations` };
    }
    case "aws:cloudwatch/logGroup:LogGroup": {
      const logName = `${(inputs.namePrefix as string | undefined) ?? ""}${physical}`;
      return { name: logName, arn: arnOf("logs", `log-group:${logName}`) };
    }
    case "aws:sns/topic:Topic":
      return { name: physical, arn: arnOf("sns", physical) };
    case "aws:iam/role:Role":
      return { name: physical, arn: `arn:aws:iam::${ACCOUNT}:role/${physical}` };
    case "aws:apigatewayv2/api:Api":
      return {
        apiEndpoint: `https://${physical}.execute-api.${REGION}.amazonaws.com`,
        executionArn: arnOf("execute-api", physical),
      };
    case "aws:apigatewayv2/stage:Stage":
      return { invokeUrl: `https://api-http-id.execute-api.${REGION}.amazonaws.com/${inputs.name as string}` };
    default:
      return {};
  }
}

export async function runProgram(options: {
  stack: string;
  config: Record<string, string>;
  env?: Record<string, string | undefined>;
  secretKeys?: string[];
  /**
   * How the config reaches the program: `setAllConfig` (default), or the PULUMI_CONFIG variables
   * that the CLI sets, given in `env`. The variables are read once per process, when Pulumi's
   * state is first created: use "environment" in a test file of its own.
   */
  configVia?: "setAllConfig" | "environment";
}): Promise<ProgramRun> {
  const resources: RecordedResource[] = [];
  const optionsByName = new Map<string, RecordedOptions>();
  const calls: string[] = [];
  const savedEnv = { ...process.env };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  const pulumi: typeof pulumiType = await import("@pulumi/pulumi");
  const mocks: pulumiType.runtime.Mocks = {
    newResource(args) {
      const state = { ...args.inputs, ...computedState(args.type, args.name, args.inputs) };
      const id = (state.name as string | undefined) ?? (state.bucket as string | undefined) ?? `${args.name}-id`;
      const options = optionsByName.get(`${args.type}::${args.name}`) ?? { protect: false, retainOnDelete: false, dependsOn: [] };
      if (args.type !== "pulumi:pulumi:Stack") {
        resources.push({ type: args.type, name: args.name, inputs: args.inputs, state, id, options });
      }
      return { id, state };
    },
    call(args) {
      calls.push(args.token);
      if (args.token === "aws:index/getCallerIdentity:getCallerIdentity") {
        return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/alice`, userId: "AIDEXAMPLE", id: ACCOUNT };
      }
      throw new Error(`unexpected invoke ${args.token}(${JSON.stringify(args.inputs)})`);
    },
  };
  let result;
  try {
    result = await runUnderMocks(pulumi, {
      project: "job-offers",
      stack: options.stack,
      mocks,
      ...(options.configVia === "environment" ? {} : { config: options.config, secretKeys: options.secretKeys ?? ["job-offers:apiToken"] }),
      // Stack transformations see every resource the program declares, with the options it passed.
      beforeLoad() {
        pulumi.runtime.registerStackTransformation((args) => {
          const dependsOn = ([] as unknown[]).concat(args.opts.dependsOn ?? []) as { __name?: string }[];
          optionsByName.set(`${args.type}::${args.name}`, {
            protect: args.opts.protect === true,
            retainOnDelete: args.opts.retainOnDelete === true,
            dependsOn: dependsOn.map((dependency) => dependency.__name ?? "?"),
            parent: (args.opts.parent as { __name?: string } | undefined)?.__name,
          });
          return undefined;
        });
      },
      load: () => import(path.join(__dirname, "..", "..", "index.ts")),
      declared: () => resources.length,
      hostBeforeExit: RUNNER_BEFORE_EXIT,
    });
  } finally {
    process.env = savedEnv;
  }
  const { outputs } = result;
  const error = result.error as Error | undefined;

  const all = (type: string) => resources.filter((resource) => resource.type === type);
  return {
    resources,
    outputs,
    calls,
    error,
    all,
    one(type, name) {
      const matches = all(type).filter((resource) => name === undefined || resource.name === name);
      if (matches.length !== 1) {
        throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${matches.map((m) => m.name).join(", ") || "none"}`);
      }
      return matches[0];
    },
  };
}

/** Resolves an input that may be an Output, a Promise or a plain value (as the mocks record them). */
export async function settled<T>(value: unknown): Promise<T> {
  const pulumi: typeof pulumiType = await import("@pulumi/pulumi");
  if (pulumi.Output.isInstance(value)) return new Promise((resolve) => (value as pulumiType.Output<T>).apply(resolve));
  return (await value) as T;
}
