import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { jobVersion } from "../jobs/version";
import { BatchSender, type SendBatch } from "./batch-sender";
import { type Checkpoint, CheckpointStore, decide, firstCheckpoint, objectChanged, type PartRequest } from "./checkpoint";
import type { Clock, ContinuationEvent } from "./continuation";
import { partTiming } from "./continuation";
import { CsvFileError, type FilePosition } from "./csv-records";
import { encodeJobMessage } from "./queue-message";
import { type IngestReport, reportKey, RowErrors, writeReport } from "./report";
import { uploadRows } from "./upload-rows";

/**
 * A look at the clock every 64 rows or 64 KiB read, whichever comes first: looking at every row of
 * narrow ones would cost more than the rows, and reading costs by the byte, so a file of wide rows
 * still looks every few milliseconds instead of reading far past its time to save or stop.
 */
const CLOCK_EVERY_ROWS = 64;
const CLOCK_EVERY_BYTES = 64 * 1024;

export interface IngestDependencies {
  readonly s3: S3Client;
  readonly sendBatch: SendBatch;
  readonly maxBatchesInFlight: number;
  readonly uploadPrefix: string;
  readonly reportPrefix: string;
  readonly checkpointPrefix: string;
  /** Starts the next part of a file: an asynchronous invocation of this function with the event. */
  readonly continueWith: (event: ContinuationEvent) => Promise<void>;
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
  readonly part: number;
  readonly report: string;
  /** `skipped`: a late, duplicate or superseded event; nothing was read or written. */
  readonly status: IngestReport["status"] | "skipped";
  readonly reason?: string;
  readonly rows: number;
  readonly queued: number;
  readonly rejected: number;
}

type Outcome = { summary: FileSummary; error?: Error };

/** The checkpoint this invocation owns; `retried` when an earlier attempt of the same part began and died. */
interface Claimed {
  readonly state: Checkpoint;
  readonly etag: string;
  readonly retried: boolean;
}

/**
 * Reads one part of an uploaded CSV (the whole file when time allows), queues a message per valid
 * row and writes the report. When the invocation's time runs low it stops at a record boundary,
 * saves a checkpoint and hands the rest to a new invocation, which reads on from that byte with a
 * ranged GET; the last part writes the report a single pass would have written.
 *
 * `error` is set when running the part again can help (a row could not be queued, S3 failed): the
 * caller throws it, after the report is written, so that Lambda retries the part, which resumes
 * from the last checkpoint saved; rows queued since are sent again, which sqs-to-dynamo's versioned
 * writes make harmless. A file that is broken in itself is `failed` without an error.
 */
export async function ingestFile(deps: IngestDependencies, upload: Upload & PartRequest, clock: Clock): Promise<Outcome> {
  const { bucket, key, eventTime, part } = upload;
  const remainingAtStart = clock.remainingMs();
  // Progress is saved a quarter of the part's time after it began, however long claiming it took.
  const began = Date.now();
  const reportAt = reportKey(key, deps.uploadPrefix, deps.reportPrefix);
  const store = new CheckpointStore(deps.s3, bucket, reportKey(key, deps.uploadPrefix, deps.checkpointPrefix));
  const summaryOf = (
    status: FileSummary["status"],
    state: Pick<Checkpoint, "rows" | "queued" | "rejected">,
    reason?: string,
  ): FileSummary => ({
    bucket,
    key,
    part,
    report: reportAt,
    status,
    ...(reason === undefined ? {} : { reason }),
    rows: state.rows,
    queued: state.queued,
    rejected: state.rejected.count,
  });
  const nothing = { rows: 0, queued: 0, rejected: { count: 0, listed: [] } };

  let claimed: Claimed | Outcome;
  try {
    claimed = await claim(deps, store, { bucket, key, eventTime, part }, summaryOf);
  } catch (caught) {
    const error = asError(caught);
    return {
      summary: summaryOf("failed", nothing, `could not read the checkpoint: ${error.name}: ${error.message}; the part will be retried`),
      error,
    };
  }
  if ("summary" in claimed) return claimed;
  let { state, etag } = claimed;
  const timing = partTiming(remainingAtStart, claimed.retried);

  const sender = new BatchSender(deps.sendBatch, { maxInFlight: deps.maxBatchesInFlight });
  const rejections = new RowErrors(state.rejected);
  let columns = state.columns ? [...state.columns] : undefined;
  let rows = state.rows;
  let queued = state.queued;
  let next: FilePosition = state.next;
  let reason: string | undefined;
  let error: Error | undefined;
  let outOfTime = false;
  let superseded: string | undefined;
  let lastSave = began;
  let clockLookedAt = { rows, offset: next.offset };

  const reportOf = (status: IngestReport["status"]): IngestReport => ({
    bucket,
    key,
    eventTime,
    status,
    ...(reason === undefined ? {} : { reason }),
    rows,
    queued,
    rejected: rejections.size,
    ...rejections.entries(),
  });

  /** Waits for every row sent so far; false when one could not be queued (the part must be retried). */
  const settle = async (): Promise<boolean> => {
    const sent = await sender.flush();
    queued += sent.queued;
    for (const refused of sent.refused) rejections.add(refused.line, [refused.reason]);
    if (sent.unsent.length === 0) return true;
    const unsent = `${sent.unsent.length} row(s) could not be queued (line ${sent.unsent[0].line}: ${sent.unsent[0].reason}); the upload will be retried`;
    reason = reason ? `${reason}; ${unsent}` : unsent;
    error ??= new Error(`s3-to-sqs: s3://${bucket}/${key}: ${unsent}`);
    return false;
  };
  const progress = (): Checkpoint => ({ ...state, next, ...(columns ? { columns } : {}), rows, queued, rejected: rejections.saved() });
  /** Saves `checkpoint`; false when another invocation has taken this upload over (or a newer upload this key). */
  const save = async (checkpoint: Checkpoint): Promise<boolean> => {
    const written = await store.replace(checkpoint, etag);
    if (written === undefined) {
      superseded = "another invocation took this upload over";
      return false;
    }
    etag = written;
    state = checkpoint;
    lastSave = Date.now();
    return true;
  };

  try {
    const body = await readFrom(deps.s3, state);
    if (body === "changed") superseded = "the object was replaced by a newer upload";
    else {
      if (!state.upload.etag) state = { ...state, upload: { ...state.upload, etag: body.etag, size: body.size } };
      for await (const row of uploadRows(body.stream, { start: next, columns })) {
        next = row.next;
        if (row.kind === "header") {
          columns = row.columns;
          continue;
        }
        rows++;
        const { line } = row;
        if (row.kind === "rejected") rejections.add(line, row.reasons);
        else
          await sender.add(encodeJobMessage({ job: row.job, version: jobVersion(eventTime, line), source: { bucket, key, line } }), line);
        if (rows - clockLookedAt.rows < CLOCK_EVERY_ROWS && next.offset - clockLookedAt.offset < CLOCK_EVERY_BYTES) continue;
        clockLookedAt = { rows, offset: next.offset };
        if (clock.remainingMs() <= timing.stopAtRemainingMs) {
          // At least one row was read: every part moves the file on.
          outOfTime = next.offset < (state.upload.size ?? Infinity);
          if (outOfTime) break;
        }
        if (Date.now() - lastSave >= timing.saveEveryMs) {
          if (!(await settle()) || !(await save(progress()))) break;
          await writeReport(deps.s3, reportAt, reportOf("in-progress"));
        }
      }
    }
  } catch (caught) {
    if (caught instanceof CsvFileError) reason = caught.message;
    else {
      error ??= asError(caught);
      reason = `could not read the file: ${error.name}: ${error.message}; the upload will be retried`;
    }
  }

  await settle();
  if (superseded) return { summary: summaryOf("skipped", progress(), superseded) };

  try {
    if (error) {
      // Not saved: the retry resumes from the last checkpoint, before the rows that failed.
      await writeReport(deps.s3, reportAt, reportOf("failed"));
      return { summary: summaryOf("failed", progress(), reason), error };
    }
    if (outOfTime) {
      const handOver: Checkpoint = { ...progress(), part: part + 1, started: false };
      if (!(await save(handOver))) return { summary: summaryOf("skipped", progress(), superseded) };
      await writeReport(deps.s3, reportAt, reportOf("in-progress"));
      await deps.continueWith(continuation(handOver));
      return { summary: summaryOf("in-progress", progress()) };
    }
    const status = reason === undefined ? "complete" : "failed";
    if (!(await save({ ...progress(), status }))) return { summary: summaryOf("skipped", progress(), superseded) };
    await writeReport(deps.s3, reportAt, reportOf(status));
    return { summary: summaryOf(status, progress(), reason) };
  } catch (caught) {
    return { summary: summaryOf("failed", progress(), reason), error: asError(caught) };
  }
}

/**
 * Takes the checkpoint for this invocation, or says why there is nothing to do. The first part of
 * an upload creates it (no read of a key that may not exist, so the role needs no s3:ListBucket to
 * tell "absent" from "forbidden"); when one exists, `decide` says what to do with it.
 */
async function claim(
  deps: IngestDependencies,
  store: CheckpointStore,
  request: Upload & PartRequest,
  summaryOf: (status: FileSummary["status"], state: Pick<Checkpoint, "rows" | "queued" | "rejected">, reason?: string) => FileSummary,
): Promise<Claimed | Outcome> {
  const fresh = firstCheckpoint({ bucket: request.bucket, key: request.key, eventTime: request.eventTime });
  if (request.part === 1) {
    const created = await store.create(fresh);
    if (created !== undefined) return { state: fresh, etag: created, retried: false };
  }
  // Two new uploads of one key can race for the checkpoint: the later one must end up owning it.
  for (let attempt = 0; attempt < 3; attempt++) {
    const saved = await store.read();
    const decision = decide(saved?.checkpoint, request);
    const current = saved?.checkpoint ?? fresh;
    switch (decision.action) {
      case "skip":
        return { summary: summaryOf("skipped", { rows: 0, queued: 0, rejected: { count: 0, listed: [] } }, decision.reason) };
      case "hand-over":
        await deps.continueWith(continuation(current));
        return { summary: summaryOf("in-progress", current, `handed over to part ${current.part} again`) };
      case "resume": {
        const state = { ...current, started: true };
        const etag = await store.replace(state, saved!.etag);
        if (etag === undefined) return { summary: summaryOf("skipped", current, "another invocation took this part over") };
        return { state, etag, retried: current.started };
      }
      case "start": {
        const etag = saved ? await store.replace(fresh, saved.etag) : await store.create(fresh);
        if (etag !== undefined) return { state: fresh, etag, retried: false };
      }
    }
  }
  return { summary: summaryOf("skipped", fresh, "the checkpoint kept changing under this invocation") };
}

function continuation(checkpoint: Checkpoint): ContinuationEvent {
  const { bucket, key, eventTime } = checkpoint.upload;
  return { continueIngestion: { bucket, key, eventTime, part: checkpoint.part, resumeAt: checkpoint.next } };
}

/**
 * The file from the checkpoint's position: a ranged GET after the first part, conditional on the
 * object the first part read, so a part never mixes the bytes of two uploads.
 */
async function readFrom(
  s3: S3Client,
  state: Checkpoint,
): Promise<{ stream: AsyncIterable<Uint8Array>; etag?: string; size?: number } | "changed"> {
  const { bucket, key, etag, size } = state.upload;
  const offset = state.next.offset;
  if (size !== undefined && offset >= size) return { stream: emptyBody(), etag, size };
  try {
    const object = await s3.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        ...(offset > 0 ? { Range: `bytes=${offset}-` } : {}),
        ...(etag ? { IfMatch: etag } : {}),
      }),
    );
    const total = offset > 0 ? Number(object.ContentRange?.split("/")[1]) : object.ContentLength;
    return {
      stream: (object.Body ?? emptyBody()) as AsyncIterable<Uint8Array>,
      etag: object.ETag,
      size: Number.isFinite(total) ? total : undefined,
    };
  } catch (error) {
    if (objectChanged(error)) return "changed";
    throw error;
  }
}

function asError(caught: unknown): Error {
  return caught instanceof Error ? caught : new Error(String(caught));
}

async function* emptyBody(): AsyncGenerator<Uint8Array> {}
