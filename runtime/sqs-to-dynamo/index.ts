import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { JobStore } from "../jobs/store";
import { consumeBatch } from "./consume-batch";
import { consumerEnv } from "./env";

/** Writes in flight per batch: enough to hide DynamoDB's latency, few enough not to throttle. */
const CONCURRENT_WRITES = 16;

// Read once per container: a misconfigured function fails its cold start with one message.
const env = consumerEnv.read();
// Throttling is retried inside the SDK with backoff (adaptive also slows this client down), so a
// record goes back to the queue only when DynamoDB keeps refusing for several seconds.
const store = new JobStore(env.TABLE_NAME, undefined, new DynamoDBClient({ maxAttempts: 8, retryMode: "adaptive" }));

/** SQS -> DynamoDB, one conditional write per message; failures are reported per record. */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const records = event.Records ?? [];
  const { response, counts, failures } = await consumeBatch(records, store, CONCURRENT_WRITES);
  console.log(JSON.stringify({ message: "consumed", ...counts, ...(failures.length > 0 ? { failures } : {}) }));
  return response;
}
