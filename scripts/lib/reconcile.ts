/**
 * Accounting for `npm run reconcile`: where did every row of an uploaded CSV go? The file is read
 * with s3-to-sqs's own modules (same parser, same header rules, same validation), so a row
 * that s3-to-sqs rejects is expected in the report, and a valid row in the table at the
 * version s3-to-sqs gave it, or superseded there by a newer write, or in the dead-letter queue.
 * Anything else is unaccounted. No I/O here: the command gathers the facts and calls `reconcile`.
 */
import { CsvFileError } from "../../runtime/s3-to-sqs/csv-records";
import type { IngestReport } from "../../runtime/s3-to-sqs/report";
import { uploadRows } from "../../runtime/s3-to-sqs/upload-rows";
import { jobVersion } from "../../runtime/jobs/version";

/** One data row of the file as s3-to-sqs sees it. */
export interface FileRow {
  readonly line: number;
  /** The row's key when it is valid (only valid rows are queued). */
  readonly key?: { readonly id: string; readonly city: string };
  /** Why s3-to-sqs rejects it, when it does. */
  readonly reasons?: readonly string[];
}

export interface FileRows {
  readonly rows: FileRow[];
  /** A problem that stops s3-to-sqs reading the file; rows after it are never seen. */
  readonly fileError?: string;
}

/** Reads a CSV exactly as the s3-to-sqs function does. */
export async function readFileRows(body: AsyncIterable<Uint8Array>): Promise<FileRows> {
  const rows: FileRow[] = [];
  try {
    for await (const row of uploadRows(body)) {
      if (row.kind === "job") rows.push({ line: row.line, key: { id: row.job.id, city: row.job.city } });
      else if (row.kind === "rejected") rows.push({ line: row.line, reasons: row.reasons });
    }
  } catch (error) {
    if (error instanceof CsvFileError) return { rows, fileError: error.message };
    throw error;
  }
  return { rows };
}

/** A dead-lettered jobs-queue message, reduced to what ties it to a row. */
export interface DeadLetter {
  readonly messageId: string;
  readonly source?: { readonly bucket?: string; readonly key?: string; readonly line?: number };
  readonly version?: string;
}

/** `keyOf(id, city)` -> the table's `_version` of that item (absent: no item). */
export type TableVersions = ReadonlyMap<string, string | undefined>;

export const keyOf = (id: string, city: string) => JSON.stringify([id, city]);

export type RowOutcome = "stored" | "superseded" | "rejected" | "dead-lettered" | "stale" | "unaccounted";

export interface RowAccount {
  readonly line: number;
  readonly id?: string;
  readonly city?: string;
  readonly outcome: RowOutcome;
  readonly detail: string;
}

export interface ReconcileInput {
  readonly objectKey: string;
  readonly file: FileRows;
  /** The ingestion report, when there is one. */
  readonly report?: IngestReport;
  readonly table: TableVersions;
  readonly deadLetters: readonly DeadLetter[];
  /** What else may explain a missing report where the command runs (the sandbox keeps objects until it stops). */
  readonly missingReportHint?: string;
}

export interface Reconciliation {
  readonly rows: number;
  readonly counts: Readonly<Record<RowOutcome, number>>;
  /** Every row not accounted for: stale ones (an older version stored) and the rest. */
  readonly unaccounted: RowAccount[];
  /** What the whole-file facts say (a failed report, rows the file never reached). */
  readonly notes: string[];
}

/**
 * Accounts for every row the file holds. A row is accounted for when the table holds it at its
 * version or a newer one (a later line with the same key, a later upload), when the report lists
 * it as rejected, or when its message is in the dead-letter queue.
 */
export function reconcile(input: ReconcileInput): Reconciliation {
  const { file, report, table, deadLetters, objectKey } = input;
  const notes: string[] = [];
  const counts: Record<RowOutcome, number> = { stored: 0, superseded: 0, rejected: 0, "dead-lettered": 0, stale: 0, unaccounted: 0 };
  const unaccounted: RowAccount[] = [];

  if (!report) {
    notes.push(
      `no ingestion report for ${objectKey}: was the file uploaded under that key, and has the upload been processed?${input.missingReportHint ? ` ${input.missingReportHint}` : ""}`,
    );
  } else if (report.key !== objectKey) notes.push(`the report is of ${report.key}, not ${objectKey}`);
  if (report?.status === "failed") notes.push(`the report says the upload failed: ${report.reason}`);
  if (report?.status === "in-progress") {
    notes.push(
      `the report says the upload is still being read in parts (${report.rows} row(s) so far): run reconcile again once it is complete`,
    );
  }
  if (file.fileError) {
    notes.push(
      `the file stops being readable: ${file.fileError}; the rows after that point are never ingested (fix the file and upload it again)`,
    );
  }

  const listed = new Map((report?.errors ?? []).map((error) => [error.line, error.reasons]));
  const lastListed = report?.errors.at(-1)?.line ?? 0;
  const unlisted = report?.errorsNotListed ?? 0;
  const dead = new Map<number, DeadLetter>();
  for (const letter of deadLetters) {
    if (letter.source?.key === objectKey && typeof letter.source.line === "number") dead.set(letter.source.line, letter);
  }

  for (const row of file.rows) {
    const account = accountFor(row);
    counts[account.outcome]++;
    if (account.outcome === "unaccounted" || account.outcome === "stale") unaccounted.push(account);
  }
  return { rows: file.rows.length, counts, unaccounted, notes };

  function accountFor(row: FileRow): RowAccount {
    const where = { line: row.line, ...(row.key ?? {}) };
    const reasons = listed.get(row.line);
    if (reasons) return { ...where, outcome: "rejected", detail: reasons.join("; ") };
    if (!row.key) {
      // The report lists the first rejections only; the rest are counted in errorsNotListed.
      if (unlisted > 0 && row.line > lastListed)
        return { ...where, outcome: "rejected", detail: `${row.reasons?.join("; ")} (counted, not listed, in the report)` };
      return {
        ...where,
        outcome: "unaccounted",
        detail: `invalid (${row.reasons?.join("; ")}) ${report ? "but not in the report" : "and no report to list it"}`,
      };
    }
    const stored = table.get(keyOf(row.key.id, row.key.city));
    if (!report) {
      // Without the upload's event time there is no version to check the item against.
      const letter = dead.get(row.line);
      if (letter) return { ...where, outcome: "dead-lettered", detail: `message ${letter.messageId}` };
      const found = stored === undefined ? "not in the table" : `the table holds version ${stored}, which no report confirms`;
      return { ...where, outcome: "unaccounted", detail: `no report: ${found}` };
    }
    const expected = jobVersion(report.eventTime, row.line);
    if (stored === expected) return { ...where, outcome: "stored", detail: expected };
    if (stored !== undefined && stored > expected)
      return { ...where, outcome: "superseded", detail: `the table holds the newer version ${stored}` };
    const letter = dead.get(row.line);
    if (letter) return { ...where, outcome: "dead-lettered", detail: `message ${letter.messageId}` };
    // An older version in the table: this row's write has not landed (yet), but the item exists.
    if (stored !== undefined)
      return { ...where, outcome: "stale", detail: `stale: the table holds the older version ${stored}, not ${expected}` };
    return { ...where, outcome: "unaccounted", detail: `not in the table (expected version ${expected})` };
  }
}

/**
 * The command's output: the counts and notes first, then the rows not accounted for. While the
 * jobs queue still holds messages most of those rows are merely on their way: they are listed
 * only when asked (`listRows`), so the summary is not buried under them.
 */
export function renderReconciliation(
  objectKey: string,
  result: Reconciliation,
  options: { listRows?: boolean; inQueue?: number } = {},
): string {
  const { counts } = result;
  const { listRows = true, inQueue = 0 } = options;
  const lines = [
    `${objectKey}: ${result.rows} row(s)`,
    `  stored at their version  ${counts.stored}`,
    `  superseded by a newer write  ${counts.superseded}`,
    `  rejected in the report   ${counts.rejected}`,
    `  in the dead-letter queue ${counts["dead-lettered"]}`,
    `  stale (older version stored)  ${counts.stale}`,
    `  unaccounted              ${counts.unaccounted}`,
    ...result.notes.map((note) => `note: ${note}`),
  ];
  if (inQueue > 0 && result.unaccounted.length > 0) {
    lines.push(`note: the jobs queue still holds ${inQueue} message(s); run reconcile again once it is empty`);
  }
  if (!listRows && result.unaccounted.length > 0) {
    lines.push(`${result.unaccounted.length} row(s) not accounted for are not listed while the queue holds messages: --verbose lists them`);
    return lines.join("\n");
  }
  for (const row of result.unaccounted) {
    const key = row.id === undefined ? "" : ` ${row.id} / ${row.city}`;
    lines.push(`  line ${row.line}${key}: ${row.detail}`);
  }
  return lines.join("\n");
}

/** Turns a dead-letter message body into what ties it to a row; anything else is not a job message. */
export function deadLetterOf(messageId: string, body: string): DeadLetter {
  try {
    const parsed = JSON.parse(body) as { source?: DeadLetter["source"]; version?: unknown };
    if (typeof parsed === "object" && parsed !== null) {
      return { messageId, source: parsed.source, version: typeof parsed.version === "string" ? parsed.version : undefined };
    }
  } catch {
    // Not JSON: a message nobody can trace to a row.
  }
  return { messageId };
}
