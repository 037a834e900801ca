import { defineEnv } from "../env";

export const s3ToSqsEnv = defineEnv("s3-to-sqs", {
  QUEUE_URL: "URL of the jobs queue that receives one message per valid row",
  REPORT_PREFIX: "key prefix of the ingestion reports written to the upload bucket (e.g. reports/)",
  UPLOAD_PREFIX: "key prefix that uploads arrive under (e.g. job_offers/); stripped to name the report",
  CHECKPOINT_PREFIX: "key prefix, in the upload bucket, of the checkpoints that carry a large file from one invocation to the next",
  MAX_BATCHES_IN_FLIGHT: "how many SendMessageBatch calls may be outstanding at once (a positive integer)",
});
