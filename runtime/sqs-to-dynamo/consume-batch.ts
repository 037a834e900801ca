import type { SQSBatchResponse, SQSRecord } from "aws-lambda";
import type { JobStore } from "../jobs/store";
import { parseJobMessage } from "./job-message";

export interface BatchCounts {
  readonly records: number;
  readonly written: number;
  readonly stale: number;
  readonly failed: number;
}

/** What one failed record says in the logs, so a message on its way to the DLQ can be traced. */
export interface RecordFailure {
  readonly messageId: string;
  readonly reason: string;
}

/**
 * Writes the jobs of one SQS batch, a bounded number at a time. Each record succeeds or fails on
 * its own: a failure puts only that messageId in `batchItemFailures` (the event source mapping
 * reports partial batch failures), so SQS redelivers it and the DLQ catches a poison message
 * after its receives, while the rest of the batch is deleted.
 */
export async function consumeBatch(
  records: readonly SQSRecord[],
  store: Pick<JobStore, "putIfNewer">,
  concurrency: number,
): Promise<{ response: SQSBatchResponse; counts: BatchCounts; failures: RecordFailure[] }> {
  let written = 0;
  let stale = 0;
  const failures: RecordFailure[] = [];

  const consume = async (record: SQSRecord) => {
    const parsed = parseJobMessage(record.body);
    if (!parsed.ok) {
      failures.push({ messageId: record.messageId, reason: parsed.reason });
      return;
    }
    try {
      // "stale": the table holds this version or a newer one, so a redelivery is a success.
      if ((await store.putIfNewer(parsed.message.job, parsed.message.version)) === "written") written++;
      else stale++;
    } catch (error) {
      failures.push({ messageId: record.messageId, reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    }
  };

  let next = 0;
  const worker = async () => {
    while (next < records.length) await consume(records[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, records.length) }, worker));

  const failed = new Set(failures.map((failure) => failure.messageId));
  return {
    // In the batch's order, whatever order the writes finished in.
    response: {
      batchItemFailures: records.filter((record) => failed.has(record.messageId)).map((record) => ({ itemIdentifier: record.messageId })),
    },
    counts: { records: records.length, written, stale, failed: failures.length },
    failures,
  };
}
