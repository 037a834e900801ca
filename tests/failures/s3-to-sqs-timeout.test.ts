import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FaultPlan } from "../../sandbox/faults/plan";
import { eventually, repoRoot, startTestSandbox, type TestSandbox } from "../support/sandbox-harness";
import { csvFile, jobRows, queueQuiet, runReconcile, upload } from "./support";

/**
 * An invocation that runs past its timeout (`<function>:timeout=<rate>`): what the handler did
 * stays done, Lambda reports a timeout and retries the event, and the versioned writes make the
 * second run add nothing. A 3 s timeout of s3-to-sqs (`ingestTimeout` in the stack config) keeps the wait short.
 */
describe("s3-to-sqs running past its timeout", () => {
  let local: TestSandbox;
  const s3ToSqs = "ingest-s3-to-sqs";

  beforeAll(async () => {
    local = await startTestSandbox({
      programDir: repoRoot,
      config: { ingestTimeout: "3" },
      retryDelaysMs: [1_000, 1_000],
      faults: new FaultPlan(`${s3ToSqs}:timeout=1`),
    });
  });
  afterAll(async () => {
    await local?.stop();
  });

  /** s3-to-sqs's invocation for this upload: the first attempt, or a retry. */
  const attempt = (ok: boolean, retry?: number) =>
    local.reporter.invocations.find(
      ({ fn, result, trigger }) =>
        fn.startsWith(s3ToSqs) &&
        result.ok === ok &&
        trigger.detail.includes("timed-out.csv") &&
        (retry === undefined ? !trigger.detail.includes("(retry") : trigger.detail.endsWith(`(retry ${retry})`)),
    );

  it("is retried once the fault is gone: every row stored once, at its version", async () => {
    const file = csvFile("timed-out.csv", jobRows("timed-out", 50));
    await upload(local, "job_offers/timed-out.csv", file.body);
    const timedOut = await eventually(() => attempt(false), 20_000, "the first attempt to time out");
    local.sandbox.faults.replace("");
    expect(timedOut.result.ok ? "" : timedOut.result.error.errorMessage).toMatch(/Task timed out after 3.00 seconds/);
    // The handler ran to its end before the timeout: its rows are queued, or already stored.
    await eventually(() => attempt(true, 1), 20_000, "the retry to succeed");
    await queueQuiet(local, local.output("queueUrl"));
    const reconciled = await runReconcile(local, file.path);
    expect(reconciled.stdout).toMatch(/stored at their version +50/);
    expect(reconciled.code, reconciled.stdout).toBe(0);
  }, 60_000);
});
