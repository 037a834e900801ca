import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { JobStore } from "../jobs/store";
import { consumeBatch } from "./consume-batch";
import { sqsToDynamoEnv } from "./env";

/** Writes in flight per batch: enough to hide DynamoDB's latency, few enough not to throttle. */
const CONCURRENT_WRITES = 16;

// Read once per container: a misconfigured function fails its cold start with one message.
const env = sqsToDynamoEnv.read();
// Throttling is retried inside the SDK with exponential backoff, so a record goes back to the queue
// only when DynamoDB keeps refusing for several seconds. Not "adaptive": its client-side limiter
// starts a fresh container at a measured rate of zero, so one throttle in the first second drops
// the client to 0.5 requests/s and a batch runs past its timeout (seen under dynamodb:throttle).
const store = new JobStore(env.TABLE_NAME, undefined, new DynamoDBClient({ maxAttempts: 8, retryMode: "standard" }));

/** SQS -> DynamoDB, one conditional write per message; failures are reported per record. */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const records = event.Records ?? [];
  const { response, counts, failures } = await consumeBatch(records, store, CONCURRENT_WRITES);
  console.log(JSON.stringify({ message: "consumed", ...counts, ...(failures.length > 0 ? { failures } : {}) }));
  return response;
}
