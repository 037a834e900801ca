import { execFileSync } from "node:child_process";
import { pulumiCliMissing } from "./pulumi-cli";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { s3ClientConfig, sqsClientConfig } from "../../runtime/aws";
import { sandboxContext, stateDirOf } from "../../sandbox/cli/context";
import type { Resource } from "../../sandbox/cli/ingestion-watch";
import { sandboxCredentials } from "../../sandbox/shared/constants";

/**
 * What `reconcile` and `dlq` work against: the running sandbox (its outputs.json, the resources the
 * program declared) or, with `--stack <name>`, a deployed stack (`pulumi stack output --json`,
 * default AWS credentials, the stack's region).
 */
export interface Target {
  readonly outputs: Record<string, unknown>;
  /** `the sandbox at http://127.0.0.1:4566`, `stack alice`: for messages. */
  readonly describe: string;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly dynamo: DynamoDBClient;
  /** The sandbox's AWS endpoint; undefined for a deployed stack. */
  readonly awsEndpoint?: string;
  /** The running sandbox's declared resources; a deployed stack has its outputs only. */
  readonly resources?: () => Promise<Resource[]>;
  /** Ends the clients' connections. */
  close(): void;
}

export function targetOf(options: { stack?: string; program?: string }): Target {
  return options.stack !== undefined ? stackTarget(options.stack) : sandboxTarget(options.program);
}

function sandboxTarget(program: string | undefined): Target {
  let context;
  try {
    context = sandboxContext(program);
  } catch (error) {
    // sandboxContext's own message names the start command of a --program.
    if (program !== undefined) throw error;
    throw new Error(
      `no running sandbox (${stateDirOf(program)}/outputs.json is missing): start one with \`npm start\`, or pass --stack <name>`,
    );
  }
  const { outputs, resources } = context;
  const common = { endpoint: outputs.awsEndpoint, region: outputs.region, credentials: sandboxCredentials };
  return withClients({
    outputs,
    describe: `the sandbox at ${outputs.awsEndpoint}`,
    awsEndpoint: outputs.awsEndpoint,
    resources,
    s3: new S3Client({ ...common, forcePathStyle: true }),
    sqs: new SQSClient(common),
    dynamo: new DynamoDBClient(common),
  });
}

function stackTarget(stack: string): Target {
  let outputs: Record<string, unknown>;
  try {
    outputs = JSON.parse(
      execFileSync("pulumi", ["stack", "output", "--json", "--stack", stack], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }),
    );
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT" ? ` ${pulumiCliMissing}` : "";
    throw new Error(
      `could not read the outputs of stack ${stack} (pulumi stack output --json --stack ${stack}): ${(error as Error).message}${missing}`,
    );
  }
  // Queue URLs name their region (https://sqs.<region>.amazonaws.com/...): the stack's, whatever the shell's default is.
  const region = /sqs\.([a-z0-9-]+)\.amazonaws\.com/.exec(String(outputs.queueUrl ?? ""))?.[1] ?? process.env.AWS_REGION;
  const common = region ? { region } : {};
  // An endpoint override (LocalStack, a stand-in for AWS) has no bucket host names, and the queue
  // URLs' AWS hosts are not where to send: the handlers' own client settings cover both.
  return withClients({
    outputs,
    describe: `stack ${stack}`,
    s3: new S3Client({ ...s3ClientConfig, ...common }),
    sqs: new SQSClient({ ...sqsClientConfig, ...common }),
    dynamo: new DynamoDBClient(common),
  });
}

function withClients(
  made: Omit<Target, "s3" | "sqs" | "dynamo" | "close"> & { s3: S3Client; sqs: SQSClient; dynamo: DynamoDBClient },
): Target {
  return {
    ...made,
    close() {
      made.s3.destroy();
      made.sqs.destroy();
      made.dynamo.destroy();
    },
  };
}

/** A stack output the command needs, or an error naming it. */
export function requiredOutput(target: Target, name: string, command: string): string {
  const value = target.outputs[name];
  if (typeof value !== "string" || value === "") throw new Error(`${target.describe} has no '${name}' output, which ${command} needs`);
  return value;
}
