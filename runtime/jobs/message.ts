import type { Job } from "./schema";

/**
 * The body of one jobs-queue message: a validated row and where it came from. s3-to-sqs
 * writes it, sqs-to-dynamo reads it; `version` orders writes of the same (id, city).
 */
export interface JobMessage {
  readonly job: Job;
  readonly version: string;
  readonly source: { readonly bucket: string; readonly key: string; readonly line: number };
}
