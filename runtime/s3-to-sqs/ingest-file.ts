import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { jobFromCsvRecord } from "../jobs/schema";
import { jobVersion } from "../jobs/version";
import { BatchSender, type SendBatch } from "./batch-sender";
import { readHeader, rowRecord } from "./csv-columns";
import { CsvFileError, csvRecords } from "./csv-records";
import { encodeJobMessage } from "./queue-message";
import { type IngestReport, reportKey, RowErrors, writeReport } from "./report";

/**
 * Longest CSV record, in characters. A job's longest field is 10,000 characters; this leaves room
 * for every column while keeping a message far below SQS's size limit, and it makes an
 * unterminated quote fail within 64 KiB instead of reading the whole file into one field.
 */
export const MAX_RECORD_SIZE = 65_536;

export interface IngestDependencies {
  readonly s3: S3Client;
  readonly sendBatch: SendBatch;
  readonly maxBatchesInFlight: number;
  readonly uploadPrefix: string;
  readonly reportPrefix: string;
}

export interface Upload {
  readonly bucket: string;
  /** The object key, already URL-decoded. */
  readonly key: string;
  readonly eventTime: string;
}

export interface FileSummary {
  readonly bucket: string;
  readonly key: string;
  readonly report: string;
  readonly status: IngestReport["status"];
  readonly reason?: string;
  readonly rows: number;
  readonly queued: number;
  readonly rejected: number;
}

/**
 * Reads one uploaded CSV, queues a message per valid row and writes the report.
 * `error` is set when running the file again can help (a row could not be queued, S3 failed):
 * the caller throws it, after the report is written, so that Lambda retries the upload; queued
 * rows are then sent again, which the consumer's versioned writes make harmless.
 * A file that is broken in itself is `failed` without an error: a retry would fail the same way.
 */
export async function ingestFile(deps: IngestDependencies, upload: Upload): Promise<{ summary: FileSummary; error?: Error }> {
  const { bucket, key, eventTime } = upload;
  const sender = new BatchSender(deps.sendBatch, { maxInFlight: deps.maxBatchesInFlight });
  const rejections = new RowErrors();
  let rows = 0;
  // Keys seen so far, to count rows that a later line of the same file will supersede.
  const keys = new Set<string>();
  let duplicateKeys = 0;
  let reason: string | undefined;
  let error: Error | undefined;

  try {
    const object = await deps.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const body = (object.Body ?? emptyBody()) as AsyncIterable<Uint8Array>;
    let columns: string[] | undefined;
    for await (const { line, fields } of csvRecords(body, { maxRecordSize: MAX_RECORD_SIZE })) {
      if (!columns) {
        columns = readHeader(fields);
        continue;
      }
      rows++;
      const row = rowRecord(columns, fields);
      if (!row.ok) {
        rejections.add(line, row.reasons);
        continue;
      }
      const validation = jobFromCsvRecord(row.record);
      if (!validation.ok) {
        rejections.add(line, validation.errors.map((problem) => `${problem.field}: ${problem.message}`));
        continue;
      }
      const jobKey = `${validation.job.id}\u0000${validation.job.city}`;
      if (keys.has(jobKey)) duplicateKeys++;
      else keys.add(jobKey);
      const message = { job: validation.job, version: jobVersion(eventTime, line), source: { bucket, key, line } };
      await sender.add(encodeJobMessage(message), line);
    }
    if (!columns) {
      reason =
        object.ContentLength === 0
          ? "the file is empty (0 bytes); a header row naming at least id and city is required"
          : "the file has no header row (only blank lines); a header row naming at least id and city is required";
    }
  } catch (caught) {
    if (caught instanceof CsvFileError) reason = caught.message;
    else {
      error = caught instanceof Error ? caught : new Error(String(caught));
      reason = `could not read the file: ${error.name}: ${error.message}; the upload will be retried`;
    }
  }

  const sent = await sender.flush();
  for (const refused of sent.refused) rejections.add(refused.line, [refused.reason]);
  if (sent.unsent.length > 0) {
    const unsent = `${sent.unsent.length} row(s) could not be queued (line ${sent.unsent[0].line}: ${sent.unsent[0].reason}); the upload will be retried`;
    reason = reason ? `${reason}; ${unsent}` : unsent;
    error ??= new Error(`s3-to-sqs: s3://${bucket}/${key}: ${unsent}`);
  }

  const report: IngestReport = {
    bucket,
    key,
    eventTime,
    status: reason === undefined ? "complete" : "failed",
    ...(reason === undefined ? {} : { reason }),
    rows,
    queued: sent.queued,
    rejected: rejections.size,
    ...rejections.entries(),
    ...(duplicateKeys > 0 ? { duplicateKeys } : {}),
  };
  const reportAt = reportKey(key, deps.uploadPrefix, deps.reportPrefix);
  try {
    await writeReport(deps.s3, reportAt, report);
  } catch (caught) {
    error ??= caught instanceof Error ? caught : new Error(String(caught));
  }
  const { status, rows: seen, queued, rejected } = report;
  return {
    summary: { bucket, key, report: reportAt, status, ...(reason === undefined ? {} : { reason }), rows: seen, queued, rejected },
    ...(error ? { error } : {}),
  };
}

async function* emptyBody(): AsyncGenerator<Uint8Array> {}
