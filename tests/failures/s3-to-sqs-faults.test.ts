import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { jobVersion } from "../../runtime/jobs/version";
import { FaultPlan } from "../../sandbox/faults/plan";
import { eventually, repoRoot, runCommand, startTestSandbox, type TestSandbox } from "../support/sandbox-harness";
import { csvFile, jobRows, queueQuiet, readJson, runReconcile, upload } from "./support";

interface Report {
  status: string;
  reason?: string;
  eventTime: string;
  queued: number;
}

/**
 * s3-to-sqs under faults, and S3's own at-least-once delivery: every failed upload
 * ends in the ingest-failures queue, a retry after a partial run adds exactly the file's distinct
 * rows, and replayed or late events never overwrite newer rows.
 */
describe("s3-to-sqs under injected faults", () => {
  let local: TestSandbox;
  const s3ToSqs = "ingest-s3-to-sqs";

  beforeAll(async () => {
    // Retries a second apart: time for a test to lift a fault between two attempts.
    local = await startTestSandbox({ programDir: repoRoot, retryDelaysMs: [1_000, 1_000], faults: new FaultPlan([], 11) });
  });
  afterAll(async () => {
    await local?.stop();
  });

  /** Invokes s3-to-sqs as S3 would, with a chosen event time (Lambda's Invoke API on the sandbox endpoint). */
  async function deliverS3Event(key: string, eventTime: string): Promise<unknown> {
    const event = {
      Records: [
        {
          eventVersion: "2.1",
          eventSource: "aws:s3",
          eventName: "ObjectCreated:Put",
          eventTime,
          s3: { bucket: { name: local.output("bucketName") }, object: { key: encodeURIComponent(key).replace(/%2F/g, "/") } },
        },
      ],
    };
    return invoke(event);
  }

  async function invoke(event: unknown): Promise<unknown> {
    const response = await fetch(`${local.sandbox.awsEndpoint}/2015-03-31/functions/${local.output("s3ToSqsFunctionName")}/invocations`, {
      method: "POST",
      body: JSON.stringify(event),
    });
    expect(response.headers.get("x-amz-function-error")).toBeNull();
    return response.json();
  }

  async function tableItems(prefix: string): Promise<Array<Record<string, unknown>>> {
    const { Items } = await local.dynamo.send(new ScanCommand({ TableName: local.output("tableName") }));
    return (Items ?? []).map((item) => unmarshall(item)).filter((item) => String(item.id).startsWith(prefix));
  }

  it("always failing: the S3 event lands in the ingest-failures queue after 3 attempts, with the object's key", async () => {
    local.sandbox.faults.replace(`${s3ToSqs}:error=1`);
    const file = csvFile("always-fails.csv", jobRows("always", 5));
    await upload(local, "job_offers/always-fails.csv", file.body);
    const record = await eventually(
      async () => {
        const { Messages } = await local.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: local.output("ingestFailuresQueueUrl"), WaitTimeSeconds: 1 }),
        );
        return Messages?.[0] && JSON.parse(Messages[0].Body!);
      },
      30_000,
      "the failed upload in the ingest-failures queue",
    );
    expect(record.requestContext).toMatchObject({ condition: "RetriesExhausted", approximateInvokeCount: 3 });
    expect(record.requestPayload.Records[0].s3.object.key).toBe("job_offers/always-fails.csv");
    expect(await readJson(local, "reports/always-fails.json")).toBeUndefined();
    const before = await runReconcile(local, file.path);
    expect(before.code).toBe(1);
    expect(before.stdout).toMatch(/unaccounted +5/);

    // What an operator does once the cause is fixed: invoke the function with the recorded event.
    local.sandbox.faults.replace("");
    await invoke(record.requestPayload);
    await queueQuiet(local, local.output("queueUrl"));
    const after = await runReconcile(local, file.path);
    expect(after.stdout).toMatch(/stored at their version +5/);
    expect(after.code, after.stdout).toBe(0);
  }, 60_000);

  it("failing after K rows were queued, then its asynchronous retry: exactly the file's distinct rows in the table", async () => {
    // 450 distinct keys, then 50 of them again with new titles: the later lines must win.
    const distinct = jobRows("partial", 450);
    const repeated = distinct.slice(1, 51).map((row) => row.replace(/Job (\d+)$/, "Job $1 again"));
    const file = csvFile("partial.csv", [...distinct, ...repeated]);
    local.sandbox.faults.replace("sqs:send-fail=0.5");
    await upload(local, "job_offers/partial.csv", file.body);
    const firstAttempt = await eventually(
      () =>
        local.reporter.invocations.find(
          (invocation) => invocation.fn.startsWith(s3ToSqs) && !invocation.result.ok && invocation.trigger.detail.includes("partial.csv"),
        ),
      30_000,
      "the first attempt to fail",
    );
    local.sandbox.faults.replace("");
    expect(firstAttempt.result.ok).toBe(false);
    const failedReport = await readJson<Report>(local, "reports/partial.json");
    expect(failedReport?.status).toBe("failed");
    expect(failedReport?.reason).toMatch(/row\(s\) could not be queued/);
    // K rows made it before the failure.
    expect(failedReport?.queued).toBeGreaterThan(0);
    expect(failedReport?.queued).toBeLessThan(500);

    const report = await eventually(
      async () => {
        const current = await readJson<Report>(local, "reports/partial.json");
        return current?.status === "complete" ? current : undefined;
      },
      30_000,
      "the retry's complete report",
    );
    expect(report.queued).toBe(500);
    await queueQuiet(local, local.output("queueUrl"));
    const items = await tableItems("partial-");
    expect(items).toHaveLength(450);
    expect(items.filter((item) => String(item.title).endsWith("again"))).toHaveLength(50);
    const reconciled = await runReconcile(local, file.path);
    expect(reconciled.stdout).toMatch(/stored at their version +450/);
    expect(reconciled.stdout).toMatch(/superseded by a newer write +50/);
    expect(reconciled.code, reconciled.stdout).toBe(0);
  }, 90_000);

  it("a duplicate S3 event adds nothing; an older upload's event after a newer one's: the newer rows win", async () => {
    const v1 = csvFile("order.csv", ["id,city,title", "order-1,Paris,v1", "order-2,Lyon,v1"]);
    await upload(local, "job_offers/order.csv", v1.body);
    const first = await eventually(() => readJson<Report>(local, "reports/order.json"), 20_000, "the first report");
    await queueQuiet(local, local.output("queueUrl"));
    const stored = await tableItems("order-");

    await deliverS3Event("job_offers/order.csv", first.eventTime);
    await queueQuiet(local, local.output("queueUrl"));
    expect(await tableItems("order-")).toEqual(stored);

    const v2 = csvFile("order.csv", ["id,city,title", "order-1,Paris,v2", "order-2,Lyon,v2"]);
    await upload(local, "job_offers/order.csv", v2.body);
    const second = await eventually(
      async () => {
        const current = await readJson<Report>(local, "reports/order.json");
        return current && current.eventTime !== first.eventTime ? current : undefined;
      },
      20_000,
      "the second report",
    );
    await queueQuiet(local, local.output("queueUrl"));
    // The first upload's event arrives late: it reads the object as it is now, at the older version.
    await deliverS3Event("job_offers/order.csv", first.eventTime);
    await queueQuiet(local, local.output("queueUrl"));
    const items = await tableItems("order-");
    expect(
      items.map(({ id, title, _version }) => ({ id, title, _version })).sort((a, b) => String(a.id).localeCompare(String(b.id))),
    ).toEqual([
      { id: "order-1", title: "v2", _version: jobVersion(second.eventTime, 2) },
      { id: "order-2", title: "v2", _version: jobVersion(second.eventTime, 3) },
    ]);
    const reconciled = await runReconcile(local, v2.path);
    expect(reconciled.code, reconciled.stdout).toBe(0);
  }, 60_000);

  it("upload --wait stops at the failure record of its file, prints it and exits 1", async () => {
    local.sandbox.faults.replace(`${s3ToSqs}:error=1`);
    const file = csvFile("wait-fails.csv", jobRows("wait-fails", 3));
    const waited = await runCommand(local, "upload", [file.path, "--wait", "--timeout", "60"]);
    local.sandbox.faults.replace("");
    expect(waited.code, waited.stderr).toBe(1);
    const failuresQueue = local.output("ingestFailuresQueueUrl").split("/").pop();
    const [uploaded, said, ...record] = waited.stdout.trimEnd().split("\n");
    expect(uploaded).toMatch(/^uploaded s3:\/\/.+\/job_offers\/wait-fails\.csv/);
    expect(said).toBe(
      `the ingestion of s3://${local.output("bucketName")}/job_offers/wait-fails.csv failed after 3 attempt(s) (RetriesExhausted); its record in ${failuresQueue}:`,
    );
    expect(JSON.parse(record.join("\n"))).toMatchObject({
      requestContext: { condition: "RetriesExhausted", approximateInvokeCount: 3 },
      requestPayload: { Records: [{ s3: { object: { key: "job_offers/wait-fails.csv" } } }] },
    });
  }, 60_000);

  // Last: the messages it leaves in flight would hold up the other tests' quiet queue.
  it("upload --wait that runs out of time says what is still in the queue, and exits 1", async () => {
    local.sandbox.faults.replace("ingest-sqs-to-dynamo:error=1");
    const file = csvFile("wait-times-out.csv", jobRows("wait-times-out", 3));
    const waited = await runCommand(local, "upload", [file.path, "--wait", "--timeout", "5"]);
    expect(waited.code, waited.stderr).toBe(1);
    expect(waited.stdout).toMatch(/"queued": 3,/);
    expect(waited.stdout.trimEnd().split("\n").pop()).toBe(
      "timed out after 5 s: 0 waiting, 3 in flight, 0 dead-lettered so far (the ingestion goes on in the sandbox; wait longer with --timeout <seconds>)",
    );
  });
});
