import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";

/** A rejected row: its physical line in the file and every reason it was not queued. */
export interface RowError {
  readonly line: number;
  readonly reasons: string[];
}

/** `reports/<name>.json`: what happened to one upload, for the person who uploaded it. */
export interface IngestReport {
  readonly bucket: string;
  readonly key: string;
  readonly eventTime: string;
  /** `in-progress` while later parts of a large file are still to run; the counts are those so far. */
  readonly status: "in-progress" | "complete" | "failed";
  readonly reason?: string;
  /** Data records seen (the header and blank lines are not rows). */
  readonly rows: number;
  readonly queued: number;
  readonly rejected: number;
  readonly errors: RowError[];
  /** Present only when more rows were rejected than the report lists. */
  readonly errorsNotListed?: number;
}

/** Rows listed in one report: enough to fix a file, bounded so that a bad export stays small. */
export const MAX_LISTED_ERRORS = 1000;

/** Collects row rejections in file order while a file is read. */
export class RowErrors {
  private readonly listed: RowError[];
  private count: number;

  /** `saved`: what an earlier part of the same file collected (see `saved()`). */
  constructor(saved: SavedRowErrors = { count: 0, listed: [] }) {
    this.count = saved.count;
    this.listed = [...saved.listed];
  }

  add(line: number, reasons: string[]): void {
    this.count++;
    if (this.listed.length < MAX_LISTED_ERRORS) this.listed.push({ line, reasons });
  }

  get size(): number {
    return this.count;
  }

  /** The listed errors in line order, and how many were left out. */
  entries(): { errors: RowError[]; errorsNotListed?: number } {
    const errors = [...this.listed].sort((a, b) => a.line - b.line);
    const left = this.count - errors.length;
    return left > 0 ? { errors, errorsNotListed: left } : { errors };
  }

  /** What a checkpoint keeps, so the next part of the file goes on counting. */
  saved(): SavedRowErrors {
    return { count: this.count, listed: [...this.listed] };
  }
}

export interface SavedRowErrors {
  readonly count: number;
  readonly listed: readonly RowError[];
}

/**
 * Where the report of an upload goes: the upload's key below the upload prefix, sub-folders kept,
 * `.csv` dropped, under the report prefix (`job_offers/2026/may.csv` -> `reports/2026/may.json`).
 */
export function reportKey(key: string, uploadPrefix: string, reportPrefix: string): string {
  const name = key.startsWith(uploadPrefix) ? key.slice(uploadPrefix.length) : key;
  return `${reportPrefix}${name.replace(/\.csv$/i, "")}.json`;
}

export async function writeReport(s3: S3Client, key: string, report: IngestReport): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: report.bucket,
      Key: key,
      Body: JSON.stringify(report, null, 2),
      ContentType: "application/json",
    }),
  );
}
