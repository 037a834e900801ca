import { jobFromCsvRecord, type Job } from "../jobs/schema";
import { readHeader, rowRecord } from "./csv-columns";
import { CsvFileError, csvRecords, FILE_START, type FilePosition } from "./csv-records";

/**
 * Longest CSV record, in characters. A job's longest field is 10,000 characters; this leaves room
 * for every column while keeping a message far below SQS's size limit, and it makes an
 * unterminated quote fail within 64 KiB instead of reading the whole file into one field.
 */
export const MAX_RECORD_SIZE = 65_536;

export interface UploadReadOptions {
  /** Where the body starts in the file: a record boundary a row's `next` gave. Default: the start. */
  readonly start?: FilePosition;
  /** The header's columns when the body starts after the header (a later part of the file). */
  readonly columns?: readonly string[];
}

/** What a CSV upload holds, in file order; `next` is where the file goes on after it. */
export type UploadRecord =
  | { readonly kind: "header"; readonly columns: string[]; readonly next: FilePosition }
  | { readonly kind: "record"; readonly line: number; readonly next: FilePosition; readonly record: Record<string, string> }
  | { readonly kind: "rejected"; readonly line: number; readonly next: FilePosition; readonly reasons: string[] };

export type UploadRow =
  | Exclude<UploadRecord, { kind: "record" }>
  | { readonly kind: "job"; readonly line: number; readonly next: FilePosition; readonly job: Job };

/**
 * Reads a CSV upload as the s3-to-sqs function does: its header (whose problems fail the whole
 * file), then each data row as column name -> cell, or the reasons its shape is refused. A file
 * with no header at all throws a CsvFileError, as any file it cannot read does.
 */
export async function* uploadRecords(body: AsyncIterable<Uint8Array>, options: UploadReadOptions = {}): AsyncGenerator<UploadRecord> {
  const start = options.start ?? FILE_START;
  let columns = options.columns ? [...options.columns] : undefined;
  let bytes = 0;
  const counted = async function* () {
    for await (const chunk of body) {
      bytes += chunk.byteLength;
      yield chunk;
    }
  };
  for await (const { line, fields, next } of csvRecords(counted(), { maxRecordSize: MAX_RECORD_SIZE, start })) {
    if (!columns) {
      columns = readHeader(fields);
      yield { kind: "header", columns, next };
      continue;
    }
    const row = rowRecord(columns, fields);
    yield row.ok ? { kind: "record", line, next, record: row.record } : { kind: "rejected", line, next, reasons: row.reasons };
  }
  if (!columns) {
    throw new CsvFileError(
      start.offset === 0 && bytes === 0
        ? "the file is empty (0 bytes); a header row naming at least id and city is required"
        : "the file has no header row (only blank lines); a header row naming at least id and city is required",
    );
  }
}

/** uploadRecords with each record validated: the job s3-to-sqs would queue, or why it rejects the row. */
export async function* uploadRows(body: AsyncIterable<Uint8Array>, options: UploadReadOptions = {}): AsyncGenerator<UploadRow> {
  for await (const item of uploadRecords(body, options)) {
    if (item.kind !== "record") {
      yield item;
      continue;
    }
    const validation = jobFromCsvRecord(item.record);
    yield validation.ok
      ? { kind: "job", line: item.line, next: item.next, job: validation.job }
      : {
          kind: "rejected",
          line: item.line,
          next: item.next,
          reasons: validation.errors.map((problem) => `${problem.field}: ${problem.message}`),
        };
  }
}
