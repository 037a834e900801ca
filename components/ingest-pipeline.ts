import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ingestEnv } from "../runtime/s3-to-sqs/env";
import { consumerEnv } from "../runtime/sqs-to-dynamo/env";
import type { EnvValues } from "../runtime/env";
import { BundledFunction } from "./bundled-function";
import { allow, policyDocument } from "./iam";
import { PrivateBucket } from "./private-bucket";
import { isIntegerIn, validate } from "./validate";

export interface IngestPipelineArgs {
  /** The jobs table the consumer writes to. */
  readonly table: { readonly name: pulumi.Input<string>; readonly arn: pulumi.Input<string> };
  /** Key prefix whose `.csv` objects are ingested. Default `job_offers/`. */
  readonly uploadPrefix?: string;
  /** Key prefix of the ingestion reports. Default `reports/`. */
  readonly reportPrefix?: string;
  /** Key prefix of the checkpoints that carry a large file from one invocation to the next. Default `checkpoints/`. */
  readonly checkpointPrefix?: string;
  /** Receives of a message before it moves to the dead-letter queue. Default 4. */
  readonly maxReceiveCount?: number;
  /** Timeout (s) of the s3-to-sqs function. Default 300. */
  readonly ingestTimeout?: number;
  /** SendMessageBatch calls the producer keeps in flight. Default 4. */
  readonly maxBatchesInFlight?: number;
  /** The sqs-to-dynamo side. */
  readonly consumer?: {
    /** Timeout (s). Default 30. The queue's visibility timeout is 6 x this plus `batchWindow`. */
    readonly timeout?: number;
    /** Messages per invocation. Default 10. */
    readonly batchSize?: number;
    /** Seconds to wait to fill a batch. Default 0. */
    readonly batchWindow?: number;
    /** Most concurrent invocations. Default 5 (AWS's minimum is 2). */
    readonly maxConcurrency?: number;
  };
  /** Memory (MB) of both functions. Default 512. */
  readonly memorySize?: number;
  /** Retention of the functions' logs. Default 14 days. */
  readonly logRetentionDays?: number;
  /** Keep the uploads: the bucket is protected and retained, not emptied on destroy. Default false. */
  readonly protectData?: boolean;
}

const DAY_SECONDS = 24 * 60 * 60;
/** SQS's longest retention: what sits in a dead-letter or failures queue stays as long as SQS allows. */
const DEAD_LETTER_RETENTION_SECONDS = 14 * DAY_SECONDS;
/**
 * A message moved to a DLQ keeps its original enqueue time, so the source queue must keep messages
 * for less than its DLQ does (AWS's rule): a message dead-lettered late still has a week to be seen.
 */
const QUEUE_RETENTION_SECONDS = 7 * DAY_SECONDS;
/** Attempts of an asynchronous invocation after the first fails (Lambda's default and maximum). */
const ASYNC_RETRIES = 2;

/**
 * CSV uploads to rows in the table: bucket -> s3-to-sqs -> jobs queue (+ DLQ) -> sqs-to-dynamo.
 * Failed uploads (after Lambda's asynchronous retries) land in the ingest-failures queue.
 */
export class IngestPipeline extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;
  readonly queue: aws.sqs.Queue;
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly failureQueue: aws.sqs.Queue;
  readonly producer: BundledFunction;
  readonly consumer: BundledFunction;
  readonly uploadPrefix: string;
  readonly reportPrefix: string;

  constructor(name: string, args: IngestPipelineArgs, opts?: pulumi.ComponentResourceOptions) {
    super("job-offers:ingest:IngestPipeline", name, {}, opts);
    const settings = normalize(name, args);
    this.uploadPrefix = settings.uploadPrefix;
    this.reportPrefix = settings.reportPrefix;

    // Storage and queues first: the functions' policies and environments name them.
    const uploads = new PrivateBucket(`${name}-uploads`, { protectData: settings.protectData }, { parent: this });
    this.bucket = uploads.bucket;

    this.deadLetterQueue = new aws.sqs.Queue(
      `${name}-dlq`,
      { messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS, sqsManagedSseEnabled: true },
      { parent: this },
    );
    this.queue = new aws.sqs.Queue(
      `${name}-queue`,
      {
        visibilityTimeoutSeconds: settings.visibilityTimeout,
        messageRetentionSeconds: QUEUE_RETENTION_SECONDS,
        sqsManagedSseEnabled: true,
        redrivePolicy: pulumi.jsonStringify({
          deadLetterTargetArn: this.deadLetterQueue.arn,
          maxReceiveCount: settings.maxReceiveCount,
        }),
      },
      { parent: this },
    );
    this.failureQueue = new aws.sqs.Queue(
      `${name}-failures`,
      { messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS, sqsManagedSseEnabled: true },
      { parent: this },
    );

    this.producer = new BundledFunction(
      `${name}-s3-to-sqs`,
      {
        entry: "runtime/s3-to-sqs/index.ts",
        description: "Streams an uploaded CSV, queues one message per valid row, writes the ingestion report",
        environment: {
          QUEUE_URL: this.queue.url,
          UPLOAD_PREFIX: settings.uploadPrefix,
          REPORT_PREFIX: settings.reportPrefix,
          CHECKPOINT_PREFIX: settings.checkpointPrefix,
          MAX_BATCHES_IN_FLIGHT: String(settings.maxBatchesInFlight),
        } satisfies EnvValues<typeof ingestEnv, pulumi.Input<string>>,
        timeout: settings.ingestTimeout,
        memorySize: settings.memorySize,
        logRetentionDays: settings.logRetentionDays,
        statements: [
          allow("ReadUploads", ["s3:GetObject"], [pulumi.interpolate`${this.bucket.arn}/${settings.uploadPrefix}*`]),
          allow("WriteReports", ["s3:PutObject"], [pulumi.interpolate`${this.bucket.arn}/${settings.reportPrefix}*`]),
          allow("KeepCheckpoints", ["s3:GetObject", "s3:PutObject"], [pulumi.interpolate`${this.bucket.arn}/${settings.checkpointPrefix}*`]),
          allow("QueueRows", ["sqs:SendMessage"], [this.queue.arn]),
          // Lambda's asynchronous invocation sends failed events with the function's own role.
          allow("ReportFailedUploads", ["sqs:SendMessage"], [this.failureQueue.arn]),
        ],
      },
      { parent: this },
    );

    this.consumer = new BundledFunction(
      `${name}-sqs-to-dynamo`,
      {
        entry: "runtime/sqs-to-dynamo/index.ts",
        description: "Writes queued rows to the jobs table, newest version wins",
        environment: { TABLE_NAME: args.table.name } satisfies EnvValues<typeof consumerEnv, pulumi.Input<string>>,
        timeout: settings.consumer.timeout,
        memorySize: settings.memorySize,
        logRetentionDays: settings.logRetentionDays,
        statements: [
          allow("ConsumeRows", ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], [this.queue.arn]),
          allow("WriteJobs", ["dynamodb:PutItem"], [args.table.arn]),
        ],
      },
      { parent: this },
    );

    // Wiring: who may invoke whom, then the triggers themselves.
    new aws.lambda.FunctionEventInvokeConfig(
      `${name}-s3-to-sqs-async`,
      {
        functionName: this.producer.name,
        maximumRetryAttempts: ASYNC_RETRIES,
        destinationConfig: { onFailure: { destination: this.failureQueue.arn } },
      },
      { parent: this },
    );

    // A file too large for one invocation goes on in another: the function invokes itself
    // asynchronously. Its own ARN exists only once it does, hence a policy of its own, after it.
    const producerMayContinue = new aws.iam.RolePolicy(
      `${name}-s3-to-sqs-continues`,
      {
        role: this.producer.role.id,
        policy: policyDocument([allow("ContinueLargeFiles", ["lambda:InvokeFunction"], [this.producer.arn])]),
      },
      { parent: this },
    );
    // Lambda's recursive loop detection also counts chains of a function invoking itself, and stops
    // the 16th or so invocation: a file of more parts than that would stop half-read. Every part
    // moves the file on by at least one record, so this chain always ends.
    const producerMayRecurse = new aws.lambda.FunctionRecursionConfig(
      `${name}-s3-to-sqs-recursion`,
      { functionName: this.producer.name, recursiveLoop: "Allow" },
      { parent: this },
    );

    const s3MayInvoke = new aws.lambda.Permission(
      `${name}-s3-invokes-s3-to-sqs`,
      {
        action: "lambda:InvokeFunction",
        function: this.producer.name,
        principal: "s3.amazonaws.com",
        sourceArn: this.bucket.arn,
        sourceAccount: aws.getCallerIdentityOutput({}, { parent: this }).accountId,
      },
      { parent: this },
    );

    new aws.s3.BucketNotification(
      `${name}-uploads-notification`,
      {
        bucket: this.bucket.id,
        lambdaFunctions: [
          {
            lambdaFunctionArn: this.producer.arn,
            events: ["s3:ObjectCreated:*"],
            filterPrefix: settings.uploadPrefix,
            filterSuffix: ".csv",
          },
        ],
      },
      // S3 checks that it may invoke the function when the notification is put; and no upload
      // should start before a large one can go on past the first invocation.
      { parent: this, dependsOn: [s3MayInvoke, producerMayContinue, producerMayRecurse] },
    );

    new aws.lambda.EventSourceMapping(
      `${name}-queue-to-sqs-to-dynamo`,
      {
        eventSourceArn: this.queue.arn,
        functionName: this.consumer.arn,
        batchSize: settings.consumer.batchSize,
        maximumBatchingWindowInSeconds: settings.consumer.batchWindow,
        functionResponseTypes: ["ReportBatchItemFailures"],
        scalingConfig: { maximumConcurrency: settings.consumer.maxConcurrency },
      },
      { parent: this },
    );

    this.registerOutputs({
      bucketName: this.bucket.bucket,
      queueUrl: this.queue.url,
      deadLetterQueueUrl: this.deadLetterQueue.url,
      failureQueueUrl: this.failureQueue.url,
    });
  }
}

function normalize(name: string, args: IngestPipelineArgs) {
  const consumer = {
    timeout: args.consumer?.timeout ?? 30,
    batchSize: args.consumer?.batchSize ?? 10,
    batchWindow: args.consumer?.batchWindow ?? 0,
    maxConcurrency: args.consumer?.maxConcurrency ?? 5,
  };
  const settings = {
    uploadPrefix: args.uploadPrefix ?? "job_offers/",
    reportPrefix: args.reportPrefix ?? "reports/",
    checkpointPrefix: args.checkpointPrefix ?? "checkpoints/",
    maxReceiveCount: args.maxReceiveCount ?? 4,
    ingestTimeout: args.ingestTimeout ?? 300,
    maxBatchesInFlight: args.maxBatchesInFlight ?? 4,
    memorySize: args.memorySize ?? 512,
    logRetentionDays: args.logRetentionDays ?? 14,
    protectData: args.protectData ?? false,
    consumer,
    // AWS's guidance: at least 6 x the consumer's timeout (plus the batching window), so a message
    // is not redelivered while a slow batch that holds it is still running. Derived, never
    // configured, so no config can break it; with Lambda's 900 s ceiling it stays under SQS's 12 h.
    visibilityTimeout: 6 * consumer.timeout + consumer.batchWindow,
  };
  validate(`IngestPipeline '${name}'`, [
    [settings.uploadPrefix.endsWith("/") && !settings.uploadPrefix.startsWith("/"), `uploadPrefix '${settings.uploadPrefix}' must be a key prefix ending with '/', e.g. job_offers/`],
    [settings.reportPrefix.endsWith("/") && !settings.reportPrefix.startsWith("/"), `reportPrefix '${settings.reportPrefix}' must be a key prefix ending with '/', e.g. reports/`],
    [!settings.uploadPrefix.startsWith(settings.reportPrefix) && !settings.reportPrefix.startsWith(settings.uploadPrefix), `reportPrefix '${settings.reportPrefix}' and uploadPrefix '${settings.uploadPrefix}' overlap: a report would trigger ingestion`],
    [settings.checkpointPrefix.endsWith("/") && !settings.checkpointPrefix.startsWith("/"), `checkpointPrefix '${settings.checkpointPrefix}' must be a key prefix ending with '/', e.g. checkpoints/`],
    [[settings.uploadPrefix, settings.reportPrefix].every((other) => !other.startsWith(settings.checkpointPrefix) && !settings.checkpointPrefix.startsWith(other)), `checkpointPrefix '${settings.checkpointPrefix}' overlaps uploadPrefix '${settings.uploadPrefix}' or reportPrefix '${settings.reportPrefix}'`],
    [isIntegerIn(settings.maxReceiveCount, 1, 1000), `maxReceiveCount ${settings.maxReceiveCount} must be an integer from 1 to 1000`],
    [isIntegerIn(settings.ingestTimeout, 1, 900), `ingestTimeout ${settings.ingestTimeout} must be 1 to 900 seconds`],
    [isIntegerIn(settings.maxBatchesInFlight, 1, 64), `maxBatchesInFlight ${settings.maxBatchesInFlight} must be from 1 to 64`],
    [isIntegerIn(consumer.timeout, 1, 900), `consumer.timeout ${consumer.timeout} must be 1 to 900 seconds`],
    [isIntegerIn(consumer.batchSize, 1, 10_000), `consumer.batchSize ${consumer.batchSize} must be from 1 to 10000`],
    [isIntegerIn(consumer.batchWindow, 0, 300), `consumer.batchWindow ${consumer.batchWindow} must be 0 to 300 seconds`],
    [consumer.batchSize <= 10 || consumer.batchWindow > 0, `consumer.batchSize ${consumer.batchSize} above 10 needs a batchWindow of at least 1 second`],
    [isIntegerIn(consumer.maxConcurrency, 2, 1000), `consumer.maxConcurrency ${consumer.maxConcurrency} must be from 2 to 1000`],
    [isIntegerIn(settings.memorySize, 128, 10_240), `memorySize ${settings.memorySize} must be 128 to 10240 MB`],
  ]);
  return settings;
}
