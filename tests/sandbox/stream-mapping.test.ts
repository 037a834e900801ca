import { describe, expect, it } from "vitest";
import type { InvocationResult } from "../../sandbox/model/function-spec";
import type { LocalFunction } from "../../sandbox/services/lambda/function";
import { StreamLog } from "../../sandbox/services/dynamodb/streams";
import { StreamPoller, streamMappingSettings, type StreamEventRecord } from "../../sandbox/services/dynamodb/stream-event-source-mapping";
import { memoryReporter } from "../../sandbox/shared/log";
import { eventually } from "../support/sandbox-harness";

const streamArn = "arn:aws:dynamodb:us-east-1:000000000000:table/jobs/stream/2026-11-30T00:00:00.000";

/** A stream of the jobs table holding `count` inserts, keys job-1, job-2, ... */
function streamWith(count: number): StreamLog {
  const streams = new StreamLog("us-east-1");
  streams.enable({
    TableName: "jobs",
    KeySchema: [{ AttributeName: "id" }],
    LatestStreamArn: streamArn,
    LatestStreamLabel: "2026-11-30T00:00:00.000",
    StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" },
  });
  for (let n = 1; n <= count; n++) streams.append("jobs", undefined, { id: { S: `job-${n}` } });
  return streams;
}

/** A function that answers each batch with `answer`, remembering the keys of every batch it got. */
function fakeFunction(answer: (records: StreamEventRecord[]) => InvocationResult["ok"] | { batchItemFailures: unknown }) {
  const batches: string[][] = [];
  const fn = {
    name: "copy",
    spec: { name: "copy", logicalName: "copy", arn: "arn:aws:lambda:us-east-1:000000000000:function:copy" },
    async invoke(event: { Records: StreamEventRecord[] }): Promise<InvocationResult> {
      batches.push(event.Records.map((record) => record.dynamodb.Keys.id.S as string));
      const outcome = answer(event.Records);
      const base = { requestId: "r", durationMs: 1, initMs: 0, logs: [] };
      if (outcome === false) return { ...base, ok: false, error: { errorType: "Error", errorMessage: "boom", trace: [] } };
      return { ...base, ok: true, value: outcome === true ? null : outcome };
    },
  };
  return { fn: fn as unknown as LocalFunction, batches };
}

function poller(streams: StreamLog, fn: LocalFunction, inputs: Record<string, unknown>, failures: unknown[] = []) {
  const settings = streamMappingSettings("copy-mapping", { startingPosition: "TRIM_HORIZON", ...inputs }, streamArn);
  if (typeof settings === "string") throw new Error(settings);
  return new StreamPoller(
    settings,
    () => fn,
    streams,
    memoryReporter(),
    async (_destination, record) => void failures.push(record),
  );
}

describe("a DynamoDB stream event source mapping", () => {
  it("splits a failing batch in two (bisectBatchOnFunctionError), gives up after maximumRetryAttempts and sends each batch's description to the on-failure destination", async () => {
    const streams = streamWith(4);
    const { fn, batches } = fakeFunction((records) => !records.some((record) => record.dynamodb.Keys.id.S === "job-3"));
    const failures: Array<{
      requestContext: { condition: string; approximateInvokeCount: number };
      DDBStreamBatchInfo: { batchSize: number; streamArn: string; startSequenceNumber: string };
    }> = [];
    const mapping = poller(
      streams,
      fn,
      {
        batchSize: 4,
        bisectBatchOnFunctionError: true,
        maximumRetryAttempts: 1,
        destinationConfig: { onFailure: { destinationArn: "arn:aws:sqs:us-east-1:000000000000:failed" } },
      },
      failures,
    );
    mapping.start();
    await eventually(() => failures.length === 1 && batches.length === 6, 10_000, "the failure record and the last half");
    await mapping.stop();
    // The whole batch, then its halves (job-1 and job-2 succeed), then job-3 and job-4 split again:
    // job-3 alone fails, is retried once, and is given up on; job-4 succeeds.
    expect(batches).toEqual([
      ["job-1", "job-2", "job-3", "job-4"],
      ["job-1", "job-2"],
      ["job-3", "job-4"],
      ["job-3"],
      ["job-3"],
      ["job-4"],
    ]);
    expect(failures[0].requestContext).toMatchObject({ condition: "RetryAttemptsExhausted", approximateInvokeCount: 2 });
    expect(failures[0].DDBStreamBatchInfo).toMatchObject({ batchSize: 1, streamArn });
  });

  it("resumes at the first record a function reports failed, and treats a malformed report as a failure of the whole batch", async () => {
    const streams = streamWith(3);
    let calls = 0;
    const { fn, batches } = fakeFunction((records) => {
      calls++;
      if (calls === 1) return { batchItemFailures: [{ itemIdentifier: records[1].dynamodb.SequenceNumber }] };
      if (calls === 2) return { batchItemFailures: [{ itemIdentifier: "not a sequence number" }] };
      return true;
    });
    const mapping = poller(streams, fn, { batchSize: 10, functionResponseTypes: ["ReportBatchItemFailures"] });
    mapping.start();
    await eventually(() => calls === 3, 10_000, "three invocations");
    await mapping.stop();
    expect(batches).toEqual([
      ["job-1", "job-2", "job-3"],
      ["job-2", "job-3"],
      ["job-2", "job-3"],
    ]);
  });

  it("starts after the records already there with LATEST, and a rewired mapping resumes where it stopped", async () => {
    const streams = streamWith(2);
    const { fn, batches } = fakeFunction(() => true);
    const first = poller(streams, fn, { startingPosition: "LATEST" });
    first.start();
    streams.append("jobs", undefined, { id: { S: "job-3" } });
    await eventually(() => batches.length === 1, 10_000, "the new record");
    await first.stop();
    streams.append("jobs", undefined, { id: { S: "job-4" } });
    const second = poller(streams, fn, { startingPosition: "TRIM_HORIZON" });
    second.start();
    await eventually(() => batches.length === 2, 10_000, "the record written while it was stopped");
    await second.stop();
    expect(batches).toEqual([["job-3"], ["job-4"]]);
  });
});
