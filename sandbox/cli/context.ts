import { join, resolve } from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { outputsFile, readOutputs, type SandboxOutputs } from "../shared/outputs";
import { sandboxCredentials } from "../shared/constants";
import type { Resource } from "./ingestion-watch";

/** The flag every command takes: which program's sandbox to talk to (the one `npm start -- --program <dir>` runs). */
export const programOption = { program: { type: "string" } } as const;

/** Its place in a usage line. */
export const programUsage = "[--program <dir>]";

/** A command to suggest, aimed at the same program as the one that suggests it. */
export function commandLine(command: string, program: string | undefined): string {
  return `npm run ${command}${program === undefined ? "" : ` --program ${program}`}`;
}

/**
 * Where the running sandbox of a program keeps its state: as `npm start` decides it, so a command
 * given the same `--program` finds it; SANDBOX_STATE_DIR, when set, wins as it does there.
 */
export function stateDirOf(program: string | undefined): string {
  return process.env.SANDBOX_STATE_DIR ?? join(resolve(program ?? process.cwd()), ".sandbox");
}

/**
 * What a command needs to talk to the running sandbox, found through the state directory's
 * `outputs.json` (see `stateDirOf`).
 */
export function sandboxContext(program?: string) {
  const stateDir = stateDirOf(program);
  let outputs: SandboxOutputs;
  try {
    outputs = readOutputs(stateDir);
  } catch (error) {
    // The start command to suggest is the one for this program.
    if (program === undefined || process.env.SANDBOX_STATE_DIR !== undefined) throw error;
    throw new Error(
      `no running sandbox found for ${program} (${outputsFile(stateDir)} is missing): start one with \`npm start -- --program ${program}\``,
    );
  }
  const common = { endpoint: outputs.awsEndpoint, region: outputs.region, credentials: sandboxCredentials };
  return {
    outputs,
    s3: new S3Client({ ...common, forcePathStyle: true }),
    sqs: new SQSClient(common),
    async resources(): Promise<Resource[]> {
      const response = await fetch(`${outputs.awsEndpoint}/_sandbox/resources`).catch(() => {
        throw notAnswering(outputs.awsEndpoint);
      });
      return ((await response.json()) as { resources: Resource[] }).resources;
    },
  };
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
