import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxCredentials } from "../../sandbox/shared/constants";
import { FaultPlan } from "../../sandbox/faults/plan";
import { eventually, repoRoot, runCommand, startTestSandbox, type TestSandbox } from "../support/sandbox-harness";
import { csvFile, jobRows, queueDepth, queueQuiet, readJson, runReconcile, upload } from "./support";

/**
 * sqs-to-dynamo failing every time sends every row to the DLQ after its receives; once the fault is
 * gone, `npm run dlq -- redrive` empties the DLQ into the table. Two receives (stack config) and a
 * 1 s timeout of sqs-to-dynamo (`consumerTimeout`, a 6 s visibility timeout) keep it within the test's time.
 */
describe("the DLQ redriven after the fault is removed", () => {
  let local: TestSandbox;
  const file = csvFile("redrive.csv", jobRows("redrive", 20));

  beforeAll(async () => {
    local = await startTestSandbox({
      programDir: repoRoot,
      config: { consumerTimeout: "1", maxReceiveCount: "2" },
      faults: new FaultPlan("ingest-sqs-to-dynamo:error=1"),
    });
  });
  afterAll(async () => {
    await local?.stop();
  });

  it("dead-letters every row while sqs-to-dynamo fails, and reconcile finds them there", async () => {
    await upload(local, "job_offers/redrive.csv", file.body);
    await eventually(() => readJson(local, "reports/redrive.json"), 20_000, "the report");
    await eventually(
      async () => (await queueDepth(local, local.output("deadLetterQueueUrl"))) === 20 || undefined,
      60_000,
      "20 messages in the DLQ",
    );
    const listed = await runCommand(local, "dlq", ["list"]);
    expect(listed.stdout).toContain("20 message(s)");
    const reconciled = await runReconcile(local, file.path);
    expect(reconciled.stdout).toMatch(/in the dead-letter queue +20/);
    expect(reconciled.code, reconciled.stdout).toBe(0);
  }, 90_000);

  it("shows one dead letter whole: the job, its file and line, its receives", async () => {
    const listed = await runCommand(local, "dlq", ["list"]);
    const id = /^- (\S+)/m.exec(listed.stdout)?.[1];
    expect(id).toBeDefined();
    const shown = await runCommand(local, "dlq", ["show", id!]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`${id}  received \\d+ times`));
    expect(shown.stdout).toMatch(/"key": "job_offers\/redrive.csv"/);
    expect(shown.stdout).toMatch(/"id": "redrive-\d+"/);
    const missing = await runCommand(local, "dlq", ["show", "no-such-id"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no message no-such-id in /);
  });

  it("with --stack, reads the stack's outputs from pulumi and talks to its queues (here the sandbox stands in for AWS)", async () => {
    // A `pulumi` that prints the sandbox's outputs, and the SDK's endpoint override pointing at it.
    const bin = mkdtempSync(join(tmpdir(), "fake-pulumi-"));
    writeFileSync(join(bin, "outputs.json"), JSON.stringify(local.sandbox.outputs));
    writeFileSync(
      join(bin, "pulumi"),
      `#!/bin/sh\n[ "$*" = "stack output --json --stack review" ] || exit 3\ncat "${join(bin, "outputs.json")}"\n`,
    );
    chmodSync(join(bin, "pulumi"), 0o755);
    const env = {
      ...process.env,
      PATH: `${bin}:${process.env.PATH}`,
      AWS_ENDPOINT_URL: local.sandbox.awsEndpoint,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: sandboxCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: sandboxCredentials.secretAccessKey,
      SANDBOX_STATE_DIR: join(bin, "no-sandbox-here"),
    };
    const run = (script: string, args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, ["--import", "tsx", join(repoRoot, script), ...args], { cwd: repoRoot, env }, (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        );
      });
    const listed = await run("scripts/dlq.ts", ["list", "--stack", "review"]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain("20 message(s)");
    const reconciled = await run("scripts/reconcile.ts", [file.path, "--stack", "review"]);
    expect(reconciled.stdout).toContain("against stack review");
    expect(reconciled.stdout).toMatch(/in the dead-letter queue +20/);
    expect(reconciled.code, reconciled.stdout + reconciled.stderr).toBe(0);
  });

  it("empties into the table once redriven", async () => {
    local.sandbox.faults.replace("");
    const redriven = await runCommand(local, "dlq", ["redrive"]);
    expect(redriven.code, redriven.stderr).toBe(0);
    expect(redriven.stdout).toMatch(/moved 20 message\(s\)/);
    await queueQuiet(local, local.output("queueUrl"));
    expect(await queueDepth(local, local.output("deadLetterQueueUrl"))).toBe(0);
    const reconciled = await runReconcile(local, file.path);
    expect(reconciled.stdout).toMatch(/stored at their version +20/);
    expect(reconciled.code, reconciled.stdout).toBe(0);
  }, 60_000);
});
