import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FaultPlan } from "../../sandbox/faults/plan";
import { eventually, repoRoot, startTestSandbox, type TestSandbox } from "../support/sandbox-harness";
import { csvFile, jobRows, queueDepth, queueQuiet, readJson, runReconcile, upload } from "./support";

/**
 * Throttling alone sends nothing to the DLQ: sqs-to-dynamo retries a throttled write with backoff
 * before giving its record back. A 3 s timeout (`consumerTimeout` in the stack config) leaves room for most
 * retries; a batch that still runs past it comes back 18 s later (the visibility timeout) and
 * would need to do so 4 times to reach the DLQ.
 */
describe("a throttled table", () => {
  let local: TestSandbox;

  beforeAll(async () => {
    local = await startTestSandbox({
      programDir: repoRoot,
      config: { consumerTimeout: "3" },
      faults: new FaultPlan("dynamodb:throttle=0.2", 5),
    });
  });
  afterAll(async () => {
    await local?.stop();
  });

  it("dynamodb:throttle=0.2 slows writes but sends nothing to the DLQ, and every row is stored", async () => {
    const file = csvFile("throttled.csv", jobRows("throttled", 200));
    await upload(local, "job_offers/throttled.csv", file.body);
    await eventually(() => readJson(local, "reports/throttled.json"), 30_000, "the report");
    await queueQuiet(local, local.output("queueUrl"), 80_000);
    const [throttle] = local.sandbox.faults.stats();
    expect(throttle.hits).toBeGreaterThan(0);
    expect(await queueDepth(local, local.output("deadLetterQueueUrl"))).toBe(0);
    local.sandbox.faults.replace("");
    const reconciled = await runReconcile(local, file.path);
    expect(reconciled.stdout).toMatch(/stored at their version +200/);
    expect(reconciled.code, reconciled.stdout).toBe(0);
  }, 100_000);
});
