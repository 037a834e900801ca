import { S3Client } from "@aws-sdk/client-s3";
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { S3Event } from "aws-lambda";
import { s3ClientConfig, sqsClientConfig } from "../aws";
import type { SendBatch } from "./batch-sender";
import { ingestEnv } from "./env";
import { type FileSummary, ingestFile } from "./ingest-file";
import { isS3TestEvent, objectKey, type S3TestEvent } from "./s3-event";

// Read once per container: a misconfigured function fails its cold start with one message.
const env = ingestEnv.read();
const maxBatchesInFlight = Number(env.MAX_BATCHES_IN_FLIGHT);
if (!Number.isInteger(maxBatchesInFlight) || maxBatchesInFlight < 1) {
  throw new Error(`s3-to-sqs: MAX_BATCHES_IN_FLIGHT must be a positive integer, got '${env.MAX_BATCHES_IN_FLIGHT}'`);
}

const s3 = new S3Client(s3ClientConfig);
const sqs = new SQSClient(sqsClientConfig);
const sendBatch: SendBatch = (entries) => sqs.send(new SendMessageBatchCommand({ QueueUrl: env.QUEUE_URL, Entries: entries }));
const dependencies = {
  s3,
  sendBatch,
  maxBatchesInFlight,
  uploadPrefix: env.UPLOAD_PREFIX,
  reportPrefix: env.REPORT_PREFIX,
};

export interface IngestSummary {
  readonly files: FileSummary[];
}

/**
 * S3 ObjectCreated -> one queue message per valid CSV row, and a report per file. Throws (after
 * every file's report is written) only when a retry of the invocation can help.
 */
export async function handler(event: S3Event | S3TestEvent): Promise<IngestSummary> {
  if (isS3TestEvent(event)) {
    console.log(JSON.stringify({ message: "ignored s3:TestEvent", bucket: event.Bucket }));
    return { files: [] };
  }
  const files: FileSummary[] = [];
  const errors: Error[] = [];
  for (const record of event.Records ?? []) {
    if (!record.eventName.startsWith("ObjectCreated:")) continue;
    const started = Date.now();
    const upload = { bucket: record.s3.bucket.name, key: objectKey(record.s3.object.key), eventTime: record.eventTime };
    const { summary, error } = await ingestFile(dependencies, upload);
    console.log(
      JSON.stringify({
        message: "ingested",
        ...summary,
        ms: Date.now() - started,
        ...(error ? { error: `${error.name}: ${error.message}` } : {}),
      }),
    );
    files.push(summary);
    if (error) errors.push(error);
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `s3-to-sqs: ${errors.length} files need a retry`);
  return { files };
}
