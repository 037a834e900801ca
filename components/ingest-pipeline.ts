import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { s3ToSqsEnv } from "../runtime/s3-to-sqs/env";
import { sqsToDynamoEnv } from "../runtime/sqs-to-dynamo/env";
import type { EnvValues } from "../runtime/env";
import { BundledFunction } from "./bundled-function";
import { allow, policyDocument } from "./iam";
import { PrivateBucket } from "./private-bucket";
import {
  batchNeedsWindow,
  DEFAULT_REPORT_PREFIX,
  DEFAULT_UPLOAD_PREFIX,
  INTEGER_SETTINGS as LIMITS,
  isKeyPrefix,
  MAX_BATCH_WITHOUT_WINDOW,
  prefixesOverlap,
} from "./setting-rules";
import { integerCheck, validate } from "./validate";

export interface IngestPipelineArgs {
  /** The jobs table sqs-to-dynamo writes to. */
  readonly table: { readonly name: pulumi.Input<string>; readonly arn: pulumi.Input<string> };
  /** Key prefix whose `.csv` objects are ingested. Default `DEFAULT_UPLOAD_PREFIX`. */
  readonly uploadPrefix?: string;
  /** Key prefix of the ingestion reports. Default `DEFAULT_REPORT_PREFIX`. */
  readonly reportPrefix?: string;
  /** Key prefix of the checkpoints that carry a large file from one invocation to the next. Default `checkpoints/`. */
  readonly checkpointPrefix?: string;
  /** Receives of a message before it moves to the dead-letter queue. Default and limits: `INTEGER_SETTINGS.maxReceiveCount`. */
  readonly maxReceiveCount?: number;
  /** Timeout (s) of the s3-to-sqs function. Default and limits: `INTEGER_SETTINGS.ingestTimeout`. */
  readonly ingestTimeout?: number;
  /** SendMessageBatch calls s3-to-sqs keeps in flight. Default 4. */
  readonly maxBatchesInFlight?: number;
  /** The sqs-to-dynamo side. */
  readonly consumer?: {
    /** Timeout (s): `INTEGER_SETTINGS.consumerTimeout`. The queue's visibility timeout is 6 x this plus `batchWindow`. */
    readonly timeout?: number;
    /** Messages per invocation: `INTEGER_SETTINGS.consumerBatchSize`. */
    readonly batchSize?: number;
    /** Seconds to wait to fill a batch: `INTEGER_SETTINGS.consumerBatchWindow`. */
    readonly batchWindow?: number;
    /** Most concurrent invocations: `INTEGER_SETTINGS.consumerMaxConcurrency`. */
    readonly maxConcurrency?: number;
  };
  /** Memory (MB) of both functions: `INTEGER_SETTINGS.memorySize`. */
  readonly memorySize?: number;
  /** Retention (days) of the functions' logs: `INTEGER_SETTINGS.logRetentionDays`. */
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
  readonly s3ToSqs: BundledFunction;
  readonly sqsToDynamo: BundledFunction;
  readonly uploadPrefix: string;
  readonly reportPrefix: string;

  constructor(name: string, args: IngestPipelineArgs, opts?: pulumi.ComponentResourceOptions) {
    super("job-offers:ingest:IngestPipeline", name, {}, opts);
    const settings = normalize(name, args);
    this.uploadPrefix = settings.uploadPrefix;
    this.reportPrefix = settings.reportPrefix;

    // Storage and queues first: the functions' policies and environments name them.
    const parent = { parent: this };
    this.bucket = createUploadsBucket(name, settings, parent);
    this.deadLetterQueue = createDeadLetterQueue(name, parent);
    this.queue = createJobsQueue(name, settings, this.deadLetterQueue, parent);
    this.failureQueue = createFailureQueue(name, parent);
    this.s3ToSqs = createS3ToSqs(name, settings, this, parent);
    this.sqsToDynamo = createSqsToDynamo(name, settings, args.table, this.queue, parent);
    // Wiring: who may invoke whom, then the triggers themselves.
    const mayRun = allowS3ToSqsToRun(name, this, parent);
    notifyUploads(name, settings, this, mayRun, parent);
    mapQueueToSqsToDynamo(name, settings, this, parent);

    this.registerOutputs({
      bucketName: this.bucket.bucket,
      queueUrl: this.queue.url,
      deadLetterQueueUrl: this.deadLetterQueue.url,
      failureQueueUrl: this.failureQueue.url,
    });
  }
}

type Settings = ReturnType<typeof normalize>;
type Parent = { parent: pulumi.Resource };

function createUploadsBucket(name: string, settings: Settings, parent: Parent): aws.s3.Bucket {
  return new PrivateBucket(`${name}-uploads`, { protectData: settings.protectData }, parent).bucket;
}

/** Where a row goes after `maxReceiveCount` failed receives. */
function createDeadLetterQueue(name: string, parent: Parent): aws.sqs.Queue {
  return new aws.sqs.Queue(`${name}-dlq`, { messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS, sqsManagedSseEnabled: true }, parent);
}

/** One message per valid row, redriven to the dead-letter queue. */
function createJobsQueue(name: string, settings: Settings, deadLetterQueue: aws.sqs.Queue, parent: Parent): aws.sqs.Queue {
  return new aws.sqs.Queue(
    `${name}-queue`,
    {
      visibilityTimeoutSeconds: settings.visibilityTimeout,
      messageRetentionSeconds: QUEUE_RETENTION_SECONDS,
      sqsManagedSseEnabled: true,
      redrivePolicy: pulumi.jsonStringify({ deadLetterTargetArn: deadLetterQueue.arn, maxReceiveCount: settings.maxReceiveCount }),
    },
    parent,
  );
}

/** Uploads whose s3-to-sqs invocations failed after Lambda's asynchronous retries. */
function createFailureQueue(name: string, parent: Parent): aws.sqs.Queue {
  return new aws.sqs.Queue(
    `${name}-failures`,
    { messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS, sqsManagedSseEnabled: true },
    parent,
  );
}

function createS3ToSqs(
  name: string,
  settings: Settings,
  places: Pick<IngestPipeline, "bucket" | "queue" | "failureQueue">,
  parent: Parent,
): BundledFunction {
  const { bucket, queue, failureQueue } = places;
  return new BundledFunction(
    `${name}-s3-to-sqs`,
    {
      entry: "runtime/s3-to-sqs/index.ts",
      description: "Streams an uploaded CSV, queues one message per valid row, writes the ingestion report",
      environment: {
        QUEUE_URL: queue.url,
        UPLOAD_PREFIX: settings.uploadPrefix,
        REPORT_PREFIX: settings.reportPrefix,
        CHECKPOINT_PREFIX: settings.checkpointPrefix,
        MAX_BATCHES_IN_FLIGHT: String(settings.maxBatchesInFlight),
      } satisfies EnvValues<typeof s3ToSqsEnv, pulumi.Input<string>>,
      timeout: settings.ingestTimeout,
      memorySize: settings.memorySize,
      logRetentionDays: settings.logRetentionDays,
      statements: [
        allow("ReadUploads", ["s3:GetObject"], [pulumi.interpolate`${bucket.arn}/${settings.uploadPrefix}*`]),
        allow("WriteReports", ["s3:PutObject"], [pulumi.interpolate`${bucket.arn}/${settings.reportPrefix}*`]),
        allow("KeepCheckpoints", ["s3:GetObject", "s3:PutObject"], [pulumi.interpolate`${bucket.arn}/${settings.checkpointPrefix}*`]),
        allow("QueueRows", ["sqs:SendMessage"], [queue.arn]),
        // Lambda's asynchronous invocation sends failed events with the function's own role.
        allow("ReportFailedUploads", ["sqs:SendMessage"], [failureQueue.arn]),
      ],
    },
    parent,
  );
}

function createSqsToDynamo(
  name: string,
  settings: Settings,
  table: IngestPipelineArgs["table"],
  queue: aws.sqs.Queue,
  parent: Parent,
): BundledFunction {
  return new BundledFunction(
    `${name}-sqs-to-dynamo`,
    {
      entry: "runtime/sqs-to-dynamo/index.ts",
      description: "Writes queued rows to the jobs table, newest version wins",
      environment: { TABLE_NAME: table.name } satisfies EnvValues<typeof sqsToDynamoEnv, pulumi.Input<string>>,
      timeout: settings.consumer.timeout,
      memorySize: settings.memorySize,
      logRetentionDays: settings.logRetentionDays,
      statements: [
        allow("ConsumeRows", ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], [queue.arn]),
        allow("WriteJobs", ["dynamodb:PutItem"], [table.arn]),
      ],
    },
    parent,
  );
}

/**
 * What s3-to-sqs needs before the first upload: asynchronous retries then the failures queue, the
 * right to invoke itself for a file's next part, and S3's right to invoke it.
 */
function allowS3ToSqsToRun(
  name: string,
  pipeline: Pick<IngestPipeline, "bucket" | "failureQueue" | "s3ToSqs">,
  parent: Parent,
): pulumi.Resource[] {
  const { bucket, failureQueue, s3ToSqs } = pipeline;
  new aws.lambda.FunctionEventInvokeConfig(
    `${name}-s3-to-sqs-async`,
    {
      functionName: s3ToSqs.name,
      maximumRetryAttempts: ASYNC_RETRIES,
      destinationConfig: { onFailure: { destination: failureQueue.arn } },
    },
    parent,
  );
  // A file too large for one invocation goes on in another: the function invokes itself
  // asynchronously. Its own ARN exists only once it does, hence a policy of its own, after it.
  const mayContinue = new aws.iam.RolePolicy(
    `${name}-s3-to-sqs-continues`,
    { role: s3ToSqs.role.id, policy: policyDocument([allow("ContinueLargeFiles", ["lambda:InvokeFunction"], [s3ToSqs.arn])]) },
    parent,
  );
  // Lambda's recursive loop detection also counts chains of a function invoking itself, and stops
  // the 16th or so invocation: a file of more parts than that would stop half-read. Every part
  // moves the file on by at least one record, so this chain always ends.
  const mayRecurse = new aws.lambda.FunctionRecursionConfig(
    `${name}-s3-to-sqs-recursion`,
    { functionName: s3ToSqs.name, recursiveLoop: "Allow" },
    parent,
  );
  const s3MayInvoke = new aws.lambda.Permission(
    `${name}-s3-invokes-s3-to-sqs`,
    {
      action: "lambda:InvokeFunction",
      function: s3ToSqs.name,
      principal: "s3.amazonaws.com",
      sourceArn: bucket.arn,
      sourceAccount: aws.getCallerIdentityOutput({}, parent).accountId,
    },
    parent,
  );
  return [s3MayInvoke, mayContinue, mayRecurse];
}

function notifyUploads(
  name: string,
  settings: Settings,
  pipeline: Pick<IngestPipeline, "bucket" | "s3ToSqs">,
  mayRun: pulumi.Resource[],
  parent: Parent,
): void {
  new aws.s3.BucketNotification(
    `${name}-uploads-notification`,
    {
      bucket: pipeline.bucket.id,
      lambdaFunctions: [
        {
          lambdaFunctionArn: pipeline.s3ToSqs.arn,
          events: ["s3:ObjectCreated:*"],
          filterPrefix: settings.uploadPrefix,
          filterSuffix: ".csv",
        },
      ],
    },
    // S3 checks that it may invoke the function when the notification is put; and no upload
    // should start before a large one can go on past the first invocation.
    { ...parent, dependsOn: mayRun },
  );
}

function mapQueueToSqsToDynamo(
  name: string,
  settings: Settings,
  pipeline: Pick<IngestPipeline, "queue" | "sqsToDynamo">,
  parent: Parent,
): void {
  new aws.lambda.EventSourceMapping(
    `${name}-queue-to-sqs-to-dynamo`,
    {
      eventSourceArn: pipeline.queue.arn,
      functionName: pipeline.sqsToDynamo.arn,
      batchSize: settings.consumer.batchSize,
      maximumBatchingWindowInSeconds: settings.consumer.batchWindow,
      functionResponseTypes: ["ReportBatchItemFailures"],
      scalingConfig: { maximumConcurrency: settings.consumer.maxConcurrency },
    },
    parent,
  );
}

function normalize(name: string, args: IngestPipelineArgs) {
  const consumer = {
    timeout: args.consumer?.timeout ?? LIMITS.consumerTimeout.default,
    batchSize: args.consumer?.batchSize ?? LIMITS.consumerBatchSize.default,
    batchWindow: args.consumer?.batchWindow ?? LIMITS.consumerBatchWindow.default,
    maxConcurrency: args.consumer?.maxConcurrency ?? LIMITS.consumerMaxConcurrency.default,
  };
  const settings = {
    uploadPrefix: args.uploadPrefix ?? DEFAULT_UPLOAD_PREFIX,
    reportPrefix: args.reportPrefix ?? DEFAULT_REPORT_PREFIX,
    checkpointPrefix: args.checkpointPrefix ?? "checkpoints/",
    maxReceiveCount: args.maxReceiveCount ?? LIMITS.maxReceiveCount.default,
    ingestTimeout: args.ingestTimeout ?? LIMITS.ingestTimeout.default,
    maxBatchesInFlight: args.maxBatchesInFlight ?? 4,
    memorySize: args.memorySize ?? LIMITS.memorySize.default,
    logRetentionDays: args.logRetentionDays ?? LIMITS.logRetentionDays.default,
    protectData: args.protectData ?? false,
    consumer,
    // AWS's guidance: at least 6 x the timeout of the queue's consumer, sqs-to-dynamo (plus the batching window), so a message
    // is not redelivered while a slow batch that holds it is still running. Derived, never
    // configured, so no config can break it; with Lambda's 900 s ceiling it stays under SQS's 12 h.
    visibilityTimeout: 6 * consumer.timeout + consumer.batchWindow,
  };
  const { uploadPrefix, reportPrefix, checkpointPrefix } = settings;
  validate(`IngestPipeline '${name}'`, [
    [isKeyPrefix(uploadPrefix), `uploadPrefix '${uploadPrefix}' must be a key prefix ending with '/', e.g. ${DEFAULT_UPLOAD_PREFIX}`],
    [isKeyPrefix(reportPrefix), `reportPrefix '${reportPrefix}' must be a key prefix ending with '/', e.g. ${DEFAULT_REPORT_PREFIX}`],
    [
      !prefixesOverlap(uploadPrefix, reportPrefix),
      `reportPrefix '${reportPrefix}' and uploadPrefix '${uploadPrefix}' overlap: a report would trigger ingestion`,
    ],
    [isKeyPrefix(checkpointPrefix), `checkpointPrefix '${checkpointPrefix}' must be a key prefix ending with '/', e.g. checkpoints/`],
    [
      !prefixesOverlap(checkpointPrefix, uploadPrefix) && !prefixesOverlap(checkpointPrefix, reportPrefix),
      `checkpointPrefix '${checkpointPrefix}' overlaps uploadPrefix '${uploadPrefix}' or reportPrefix '${reportPrefix}'`,
    ],
    integerCheck("maxReceiveCount", settings.maxReceiveCount, LIMITS.maxReceiveCount),
    integerCheck("ingestTimeout", settings.ingestTimeout, LIMITS.ingestTimeout),
    integerCheck("maxBatchesInFlight", settings.maxBatchesInFlight, { default: 4, min: 1, max: 64 }),
    integerCheck("consumer.timeout", consumer.timeout, LIMITS.consumerTimeout),
    integerCheck("consumer.batchSize", consumer.batchSize, LIMITS.consumerBatchSize),
    integerCheck("consumer.batchWindow", consumer.batchWindow, LIMITS.consumerBatchWindow),
    [
      !batchNeedsWindow(consumer.batchSize, consumer.batchWindow),
      `consumer.batchSize ${consumer.batchSize} above ${MAX_BATCH_WITHOUT_WINDOW} needs a batchWindow of at least 1 second`,
    ],
    integerCheck("consumer.maxConcurrency", consumer.maxConcurrency, LIMITS.consumerMaxConcurrency),
    integerCheck("memorySize", settings.memorySize, LIMITS.memorySize),
    integerCheck("logRetentionDays", settings.logRetentionDays, LIMITS.logRetentionDays),
  ]);
  return settings;
}
