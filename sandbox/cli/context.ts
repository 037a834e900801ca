import { join } from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { readOutputs, type SandboxOutputs } from "../shared/outputs";
import { sandboxCredentials } from "../shared/constants";

/**
 * What a command needs to talk to the running sandbox, found through `.sandbox/outputs.json`
 * (or `$SANDBOX_STATE_DIR/outputs.json` for a sandbox started with another state directory).
 */
export function sandboxContext(stateDir = process.env.SANDBOX_STATE_DIR ?? join(process.cwd(), ".sandbox")) {
  const outputs: SandboxOutputs = readOutputs(stateDir);
  const common = { endpoint: outputs.awsEndpoint, region: outputs.region, credentials: sandboxCredentials };
  return {
    outputs,
    s3: new S3Client({ ...common, forcePathStyle: true }),
    sqs: new SQSClient(common),
    async resources(): Promise<Array<{ type: string; name: string; id: string; state: Record<string, unknown> }>> {
      const response = await fetch(`${outputs.awsEndpoint}/_sandbox/resources`).catch(() => {
        throw notAnswering(outputs.awsEndpoint);
      });
      return ((await response.json()) as { resources: Array<{ type: string; name: string; id: string; state: Record<string, unknown> }> }).resources;
    },
  };
}

export function stringOutput(outputs: SandboxOutputs, key: string): string {
  const value = outputs[key];
  if (typeof value !== "string") throw new Error(`the program exports no '${key}' output, which this command needs`);
  return value;
}

/** outputs.json outlives a sandbox that was killed: its endpoint then refuses connections. */
export function notAnswering(awsEndpoint: string): Error {
  return new Error(`the sandbox at ${awsEndpoint} does not answer: is \`npm start\` running?`);
}

/** Checked before a command's first real call, so a stale outputs.json gives one clear sentence. */
export async function assertSandboxAnswers(awsEndpoint: string): Promise<void> {
  const response = await fetch(`${awsEndpoint}/_sandbox/resources`, { method: "GET" }).catch(() => undefined);
  if (!response) throw notAnswering(awsEndpoint);
  await response.body?.cancel();
}
