import { loadSettings } from "./config";
import { IngestPipeline } from "./components/ingest-pipeline";
import { JobApi } from "./components/job-api";
import { JobsTable } from "./components/jobs-table";
import { PipelineAlarms } from "./components/pipeline-alarms";
import { stackProvider } from "./components/stack-provider";

// The composition root: settings -> provider -> table -> ingestion and API -> alarms -> outputs.
const settings = loadSettings();

const provider = stackProvider("aws", settings);
const withProvider = { providers: { aws: provider } };

const jobs = new JobsTable(
  "jobs",
  {
    billingMode: settings.table.billingMode,
    readCapacity: settings.table.readCapacity,
    writeCapacity: settings.table.writeCapacity,
    protectData: settings.protectData,
  },
  withProvider,
);

const ingest = new IngestPipeline(
  "ingest",
  {
    table: jobs,
    uploadPrefix: settings.uploadPrefix,
    reportPrefix: settings.reportPrefix,
    maxReceiveCount: settings.ingest.maxReceiveCount,
    ingestTimeout: settings.ingest.timeout,
    consumer: settings.ingest.consumer,
    memorySize: settings.functions.memorySize,
    logRetentionDays: settings.functions.logRetentionDays,
    protectData: settings.protectData,
  },
  withProvider,
);

const api = new JobApi(
  "api",
  {
    table: jobs,
    apiToken: settings.apiToken,
    timeout: settings.api.timeout,
    throttleRate: settings.api.throttleRate,
    throttleBurst: settings.api.throttleBurst,
    corsAllowOrigins: settings.api.corsAllowOrigins,
    memorySize: settings.functions.memorySize,
    logRetentionDays: settings.functions.logRetentionDays,
  },
  withProvider,
);

const alarms = new PipelineAlarms(
  "alarms",
  {
    queue: { name: ingest.queue.name, consumedBy: "sqs-to-dynamo" },
    mustStayEmpty: [
      { label: "dead-letter-queue", name: ingest.deadLetterQueue.name },
      { label: "ingest-failures-queue", name: ingest.failureQueue.name },
    ],
    functions: [
      { label: "s3-to-sqs", name: ingest.s3ToSqs.name },
      { label: "sqs-to-dynamo", name: ingest.sqsToDynamo.name },
      { label: "job-api", name: api.handler.name },
      { label: "authorizer", name: api.authorizer.name },
    ],
    asyncFunctions: [{ label: "s3-to-sqs", name: ingest.s3ToSqs.name }],
    maxMessageAgeSeconds: settings.alarms.maxMessageAgeSeconds,
    email: settings.alarms.email,
  },
  withProvider,
);

export const apiUrl = api.url;
export const bucketName = ingest.bucket.bucket;
export const uploadPrefix = ingest.uploadPrefix;
export const reportPrefix = ingest.reportPrefix;
export const queueUrl = ingest.queue.url;
export const deadLetterQueueUrl = ingest.deadLetterQueue.url;
export const ingestFailuresQueueUrl = ingest.failureQueue.url;
export const tableName = jobs.name;
export const s3ToSqsFunctionName = ingest.s3ToSqs.name;
export const sqsToDynamoFunctionName = ingest.sqsToDynamo.name;
export const apiFunctionName = api.handler.name;
export const authorizerFunctionName = api.authorizer.name;
export const alarmTopicArn = alarms.topic.arn;
