import { afterAll, beforeAll } from "vitest";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { startSandbox, type Sandbox, type SandboxOptions } from "../../sandbox/sandbox";
import { memoryReporter } from "../../sandbox/shared/log";
import { sandboxCredentials as credentials, sandboxRegion as region } from "../../sandbox/shared/constants";

export const repoRoot = join(__dirname, "..", "..");

/**
 * A copy of a fixture program in a temporary directory, so a test can change its handlers without
 * touching the repository. Its node_modules is a folder of links to the repo's packages, laid out
 * as an install in the program's own directory would be: Pulumi packs a serialized callback's
 * dependencies by their paths under it.
 */
export function fixtureProgram(name: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `sandbox-${name}-`));
  cpSync(join(repoRoot, "tests", "sandbox", "fixtures", name), dir, { recursive: true });
  mkdirSync(join(dir, "node_modules"));
  for (const entry of readdirSync(join(repoRoot, "node_modules"))) {
    if (entry.startsWith(".")) continue;
    symlinkSync(join(repoRoot, "node_modules", entry), join(dir, "node_modules", entry), "dir");
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TestSandbox {
  sandbox: Sandbox;
  reporter: ReturnType<typeof memoryReporter>;
  s3: S3Client;
  sqs: SQSClient;
  dynamo: DynamoDBClient;
  output(key: string): string;
  stop(): Promise<void>;
}

/** The sandbox on free ports with its state in a temporary directory; the reporter records everything. */
export async function startTestSandbox(options: Omit<SandboxOptions, "reporter" | "port" | "awsPort" | "stateDir">): Promise<TestSandbox> {
  const stateDir = mkdtempSync(join(tmpdir(), "sandbox-state-"));
  const reporter = memoryReporter();
  // No deployer process kept warm for hot reload unless a test asks: a redeploy starts one anyway.
  const sandbox = await startSandbox({ redeploys: false, ...options, port: 0, awsPort: 0, stateDir, reporter });
  const common = { endpoint: sandbox.awsEndpoint, region, credentials };
  const clients = {
    s3: new S3Client({ ...common, forcePathStyle: true }),
    sqs: new SQSClient(common),
    dynamo: new DynamoDBClient(common),
  };
  return {
    sandbox,
    reporter,
    ...clients,
    output(key) {
      const value = sandbox.outputs[key];
      if (typeof value !== "string") throw new Error(`no string output ${key}`);
      return value;
    },
    async stop() {
      Object.values(clients).forEach((client) => client.destroy());
      await sandbox.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** The file `npm run <name>` runs with tsx, as package.json says. */
function scriptFile(name: string): string {
  const scripts = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
  const file = /^tsx (\S+)$/.exec(scripts[name] ?? "")?.[1];
  if (!file) throw new Error(`package.json has no "${name}" script that runs a file with tsx`);
  return join(repoRoot, file);
}

/** Runs a command against a test sandbox, as `npm run <name>` would. */
export function runCommand(local: TestSandbox, name: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", scriptFile(name), ...args],
      { cwd: repoRoot, env: { ...process.env, SANDBOX_STATE_DIR: local.sandbox.stateDir } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A fixture program running in a test sandbox for the tests of one describe block: started before
 * them, stopped and removed after them.
 */
export function fixtureSandbox(
  name: string,
  options: Omit<SandboxOptions, "reporter" | "port" | "awsPort" | "stateDir" | "programDir"> = {},
) {
  const program = fixtureProgram(name);
  let started: TestSandbox | undefined;
  beforeAll(async () => {
    started = await startTestSandbox({ ...options, programDir: program.dir });
  });
  afterAll(async () => {
    await started?.stop();
    program.remove();
  });
  return {
    dir: program.dir,
    get local(): TestSandbox {
      if (!started) throw new Error(`the sandbox of fixture ${name} has not started`);
      return started;
    },
  };
}
