import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FaultPlan } from "../../sandbox/faults/plan";
import { eventually, repoRoot, runCommand, startTestSandbox, type TestSandbox } from "../support/sandbox-harness";
import { csvFile, jobRows, queueDepth, queueQuiet, readJson, runReconcile, upload } from "./support";

/**
 * A consumer that always fails sends every row to the DLQ after its receives; once the fault is
 * gone, `npm run dlq -- redrive` empties the DLQ into the table. Two receives (stack config) and a
 * 2 s consumer timeout (a 12 s visibility timeout) keep it within the test's time.
 */
describe("the DLQ redriven after the fault is removed", () => {
  let local: TestSandbox;
  const file = csvFile("redrive.csv", jobRows("redrive", 20));

  beforeAll(async () => {
    local = await startTestSandbox({
      programDir: repoRoot,
      config: { consumerTimeout: "2", maxReceiveCount: "2" },
      faults: new FaultPlan("ingest-sqs-to-dynamo:error=1"),
    });
  });
  afterAll(async () => {
    await local?.stop();
  });

  it("dead-letters every row while the consumer fails, and reconcile finds them there", async () => {
    await upload(local, "job_offers/redrive.csv", file.body);
    await eventually(() => readJson(local, "reports/redrive.json"), 20_000, "the report");
    await eventually(async () => (await queueDepth(local, local.output("deadLetterQueueUrl"))) === 20 || undefined, 60_000, "20 messages in the DLQ");
    const listed = await runCommand(local, "dlq", ["list"]);
    expect(listed.stdout).toContain("20 message(s)");
    const reconciled = await runReconcile(local, file.path);
    expect(reconciled.stdout).toMatch(/in the dead-letter queue +20/);
    expect(reconciled.code, reconciled.stdout).toBe(0);
  }, 90_000);

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
