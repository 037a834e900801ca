import { S3Client } from "@aws-sdk/client-s3";
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import type { Context, S3Event } from "aws-lambda";
import { s3ClientConfig, sqsClientConfig } from "../aws";
import type { SendBatch } from "./batch-sender";
import { type ContinuationEvent, isContinuationEvent } from "./continuation";
import { s3ToSqsEnv } from "./env";
import { type FileSummary, ingestFile, type IngestDependencies } from "./ingest-file";
import { isS3TestEvent, objectKey, type S3TestEvent } from "./s3-event";

// Read once per container: a misconfigured function fails its cold start with one message.
const env = s3ToSqsEnv.read();
const maxBatchesInFlight = Number(env.MAX_BATCHES_IN_FLIGHT);
if (!Number.isInteger(maxBatchesInFlight) || maxBatchesInFlight < 1) {
  throw new Error(`s3-to-sqs: MAX_BATCHES_IN_FLIGHT must be a positive integer, got '${env.MAX_BATCHES_IN_FLIGHT}'`);
}

const s3 = new S3Client(s3ClientConfig);
const sqs = new SQSClient(sqsClientConfig);
const lambda = new LambdaClient({});
const sendBatch: SendBatch = (entries) => sqs.send(new SendMessageBatchCommand({ QueueUrl: env.QUEUE_URL, Entries: entries }));
const dependencies = {
  s3,
  sendBatch,
  maxBatchesInFlight,
  uploadPrefix: env.UPLOAD_PREFIX,
  reportPrefix: env.REPORT_PREFIX,
  checkpointPrefix: env.CHECKPOINT_PREFIX,
};

export interface IngestSummary {
  readonly files: FileSummary[];
}

/**
 * S3 ObjectCreated -> one queue message per valid CSV row, and a report per file. A file too large
 * for one invocation goes on in the next (a continuation event, see ingestFile). Throws (after
 * every file's report is written) only when a retry of the invocation can help.
 */
export async function handler(event: S3Event | S3TestEvent | ContinuationEvent, context: Context): Promise<IngestSummary> {
  if (isS3TestEvent(event)) {
    console.log(JSON.stringify({ message: "ignored s3:TestEvent", bucket: event.Bucket }));
    return { files: [] };
  }
  const deps: IngestDependencies = {
    ...dependencies,
    // The same function (and the same version of it, when invoked through a qualifier) reads the rest.
    continueWith: async (next) => {
      await lambda.send(
        new InvokeCommand({ FunctionName: context.invokedFunctionArn, InvocationType: "Event", Payload: JSON.stringify(next) }),
      );
    },
  };
  const clock = { remainingMs: () => context.getRemainingTimeInMillis() };
  const parts = isContinuationEvent(event)
    ? [event.continueIngestion]
    : (event.Records ?? [])
        .filter((record) => record.eventName.startsWith("ObjectCreated:"))
        .map((record) => ({ bucket: record.s3.bucket.name, key: objectKey(record.s3.object.key), eventTime: record.eventTime, part: 1 }));
  const files: FileSummary[] = [];
  const errors: Error[] = [];
  for (const { bucket, key, eventTime, part } of parts) {
    const started = Date.now();
    const { summary, error } = await ingestFile(deps, { bucket, key, eventTime, part }, clock);
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
