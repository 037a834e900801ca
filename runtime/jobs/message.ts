import type { Job } from "./schema";

/**
 * The body of one jobs-queue message: a validated row and where it came from. The producer
 * writes it, the consumer reads it; `version` orders writes of the same (id, city).
 */
export interface JobMessage {
  readonly job: Job;
  readonly version: string;
  readonly source: { readonly bucket: string; readonly key: string; readonly line: number };
}
