import { createReadStream } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { Upload } from "@aws-sdk/lib-storage";
import { FaultPlan } from "../../sandbox/faults/plan";
import { readFileRows } from "../../scripts/lib/reconcile";
import type { IngestReport } from "../../runtime/s3-to-sqs/report";
import type { Checkpoint } from "../../runtime/s3-to-sqs/checkpoint";
import { eventually, repoRoot, startTestSandbox, type TestSandbox } from "../support/sandbox-harness";
import { csvFile, queueQuiet, readJson, runReconcile } from "./support";

/**
 * A file too large for one invocation of s3-to-sqs: with a 3 s timeout, each part reads for
 * about 2 s, saves its checkpoint and invokes the function again (Lambda's Invoke API on the
 * sandbox endpoint, asynchronously), and the next part reads on from there with a ranged GET.
 * s3-to-sqs's reading costs by the byte and sqs-to-dynamo's writing by the row, so the file is
 * made of few wide rows: 1,500 rows of 9 KB (13.5 MB) take three parts on an idle machine. Once
 * the first part has saved progress, a crash fault strikes every invocation: the second part,
 * crashing three times, ends in the ingest-failures queue, and the operator's redrive resumes from
 * the checkpoint the parts saved. A timeout of 1 s for sqs-to-dynamo (`consumerTimeout`) keeps its retries (6 s visibility timeout)
 * within the test.
 */
describe("a file read in several parts", () => {
  let local: TestSandbox;
  const s3ToSqs = "ingest-s3-to-sqs";
  const rows = 1_500;
  /** The most rows one part read in the first test: how fast this machine reads the file. */
  let rowsPerPart: number | undefined;

  beforeAll(async () => {
    local = await startTestSandbox({
      programDir: repoRoot,
      config: { ingestTimeout: "3", consumerTimeout: "1" },
      retryDelaysMs: [500, 500],
      faults: new FaultPlan([], 13),
    });
  });
  afterAll(async () => {
    await local?.stop();
  });

  /**
   * `count` rows (`rows` unless told): every 101st with a salary that is not a number, one title over two lines, CRLF line
   * ends, and descriptions of 9,000 characters (the limit is 10,000).
   */
  function bigCsv(name: string, count = rows) {
    const lines = ["id,city,title,salary_min,description"];
    const description = "Build and run the ingestion of job offers; ".repeat(250).slice(0, 9_000);
    for (let row = 1; row <= count; row++) {
      const title = row === Math.floor(count / 2) ? '"Senior\r\nengineer"' : `Job ${row}`;
      lines.push(`${name}-${row},City ${row % 7},${title},${row % 101 === 0 ? "lots" : 30_000 + row},${description}`);
    }
    return csvFile(`${name}.csv`, [lines.join("\r\n")]);
  }

  /** In parts, as S3 clients (`@aws-sdk/lib-storage`, the AWS CLI) upload a file of this size. */
  async function upload(key: string, body: Buffer) {
    await new Upload({ client: local.s3, params: { Bucket: local.output("bucketName"), Key: key, Body: body } }).done();
  }

  /** The report a single pass writes, from s3-to-sqs's own reading of the file. */
  async function singlePass(path: string): Promise<Pick<IngestReport, "rows" | "queued" | "rejected" | "errors">> {
    const { rows, fileError } = await readFileRows(createReadStream(path));
    expect(fileError).toBeUndefined();
    const rejected = rows.filter((row) => row.reasons);
    return {
      rows: rows.length,
      queued: rows.length - rejected.length,
      rejected: rejected.length,
      errors: rejected.map(({ line, reasons }) => ({ line, reasons: [...reasons!] })),
    };
  }

  /** A wait that failed says what s3-to-sqs ran meanwhile: which part did what, for how long. */
  const withS3ToSqsRuns = (error: Error): never => {
    const runs = local.reporter.invocations
      .filter(({ fn }) => fn.startsWith(s3ToSqs))
      .map(({ trigger, result }) => {
        const file = result.ok ? (result.value as { files?: Array<{ part: number; status: string; rows: number }> }).files?.[0] : undefined;
        const outcome = result.ok ? `part ${file?.part} ${file?.status} at row ${file?.rows}` : result.error.errorMessage;
        return `${trigger.source}: ${outcome}, ${Math.round(result.durationMs)} ms`;
      });
    throw new Error(`${error.message}; s3-to-sqs ran: ${runs.join(" | ")}`);
  };

  /** Waits for the complete report, noting every status it showed on the way. */
  async function completeReport(name: string, seen: Set<string>): Promise<IngestReport> {
    return eventually(
      async () => {
        const report = await readJson<IngestReport>(local, `reports/${name}.json`);
        if (report) seen.add(report.status);
        return report?.status === "complete" ? report : undefined;
      },
      240_000,
      `the complete report of ${name}.csv`,
    ).catch(withS3ToSqsRuns);
  }

  /** s3-to-sqs's successful invocations for this file: one per part. */
  const partsOf = (key: string) =>
    local.reporter.invocations.filter(
      ({ fn, result }) =>
        fn.startsWith(s3ToSqs) && result.ok && (result.value as { files?: Array<{ key: string; status: string }> }).files?.[0]?.key === key,
    );

  it("ends with one complete report equal to a single pass's, every row in the table, in-progress while parts remain", async () => {
    const file = bigCsv("several-parts");
    const expected = await singlePass(file.path);
    await upload("job_offers/several-parts.csv", file.body);
    const seen = new Set<string>();
    const report = await completeReport("several-parts", seen);
    expect(report).toEqual({
      bucket: local.output("bucketName"),
      key: "job_offers/several-parts.csv",
      eventTime: report.eventTime,
      status: "complete",
      ...expected,
    });
    expect(expected).toMatchObject({ rows, rejected: 14 });
    expect(seen).toContain("in-progress");
    const parts = partsOf("job_offers/several-parts.csv");
    expect(parts.length).toBeGreaterThanOrEqual(2);
    const rowsAfter = parts.map(({ result }) => (result.ok ? (result.value as { files: Array<{ rows: number }> }).files[0].rows : 0));
    rowsPerPart = Math.max(...rowsAfter.map((rows, index) => rows - (rowsAfter[index - 1] ?? 0)));
    expect(parts.filter(({ trigger }) => trigger.source === "s3")).toHaveLength(1);
    expect(parts.filter(({ trigger }) => trigger.source === "invoke")).toHaveLength(parts.length - 1);

    await queueQuiet(local, local.output("queueUrl"), 180_000);
    const reconciled = await runReconcile(local, file.path);
    expect(reconciled.stdout).toMatch(new RegExp(`stored at their version +${expected.queued}\\b`));
    expect(reconciled.code, reconciled.stdout).toBe(0);
  }, 300_000);

  it("with sqs-to-dynamo faults and a later part crashing for good: in the ingest-failures queue, then a redrive resumes from its checkpoint", async () => {
    local.sandbox.faults.replace("ingest-sqs-to-dynamo:error=0.2");
    // The first part's 2 s and the second part's three crashed attempts (a save at 0.75 s, a crash
    // at 1 s, each) must not reach the end of the file: they read for at most 2 + 0.75 + 0.75 + 1 s,
    // 2.25 parts' worth. Sized from the widest part this machine read in the first test, at four
    // parts' worth: a warm part here read 1,208 rows where the first test's widest read 816 (2.25
    // such parts would be 3.3 of the first test's), and on an idle machine 2,400 rows were not
    // enough. More costs the suite: every row is written and reconciled.
    const file = bigCsv("crashed-part", Math.max(4_000, Math.ceil((rowsPerPart ?? 0) * 4)));
    const expected = await singlePass(file.path);
    await upload("job_offers/crashed-part.csv", file.body);
    // Once the first part has saved progress, every invocation of s3-to-sqs crashes: the first part
    // (already running) reads on and hands over; each attempt of the second part crashes.
    await eventually(
      async () => ((await readJson<Checkpoint>(local, "checkpoints/crashed-part.json"))?.rows ?? 0) > 0 || undefined,
      60_000,
      "the first part's first save",
    );
    local.sandbox.faults.replace(`${s3ToSqs}:crash=1; ingest-sqs-to-dynamo:error=0.2`);
    const record = await eventually(
      async () => {
        const { Messages } = await local.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: local.output("ingestFailuresQueueUrl"), WaitTimeSeconds: 1 }),
        );
        return Messages?.map((message) => JSON.parse(message.Body!)).find(
          (body) => body.requestPayload?.continueIngestion?.key === "job_offers/crashed-part.csv",
        );
      },
      120_000,
      "the crashed part in the ingest-failures queue",
    ).catch(withS3ToSqsRuns);
    local.sandbox.faults.replace("ingest-sqs-to-dynamo:error=0.2");
    expect(record.requestPayload.continueIngestion).toMatchObject({ bucket: local.output("bucketName"), part: 2 });
    expect(record.requestContext).toMatchObject({ condition: "RetriesExhausted", approximateInvokeCount: 3 });
    const crashes = local.reporter.invocations.filter(
      ({ fn, result }) => fn.startsWith(s3ToSqs) && !result.ok && result.error.errorType === "Runtime.ExitError",
    );
    expect(crashes.map(({ trigger }) => trigger.source)).toEqual(["invoke", "invoke", "invoke"]);
    expect(crashes[0].result.ok ? "" : crashes[0].result.error.errorMessage).toMatch(/Runtime exited with error: signal: killed/);
    // What the parts had saved before the crashes: a redrive goes on from there, not from line 1.
    const checkpoint = await readJson<Checkpoint>(local, "checkpoints/crashed-part.json");
    expect(checkpoint).toMatchObject({ part: 2, started: true, status: "in-progress" });
    expect(checkpoint!.rows).toBeGreaterThan(0);

    // What an operator does once the cause is fixed: invoke the function with the recorded event.
    const redrive = await fetch(`${local.sandbox.awsEndpoint}/2015-03-31/functions/${local.output("s3ToSqsFunctionName")}/invocations`, {
      method: "POST",
      headers: { "x-amz-invocation-type": "Event" },
      body: JSON.stringify(record.requestPayload),
    });
    expect(redrive.status).toBe(202);
    const report = await completeReport("crashed-part", new Set());
    expect(report).toEqual({
      bucket: local.output("bucketName"),
      key: "job_offers/crashed-part.csv",
      eventTime: report.eventTime,
      status: "complete",
      ...expected,
    });
    await queueQuiet(local, local.output("queueUrl"), 180_000);
    expect(local.sandbox.faults.stats()[0].hits).toBeGreaterThan(0);
    local.sandbox.faults.replace("");
    const reconciled = await runReconcile(local, file.path);
    expect(reconciled.code, reconciled.stdout).toBe(0);
    const count = (label: string) => Number(new RegExp(`${label} +(\\d+)`).exec(reconciled.stdout)?.[1]);
    expect(count("stored at their version") + count("in the dead-letter queue")).toBe(expected.queued);
  }, 360_000);
});
