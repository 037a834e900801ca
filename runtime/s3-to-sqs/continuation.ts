import type { FilePosition } from "./csv-records";

/**
 * The event of a later part of a large file: this function invokes itself with it (asynchronously)
 * when its time runs low. It names the part and where it resumes, so a record of it in the
 * ingest-failures queue says which file stopped where; the checkpoint in the bucket is what the
 * part really resumes from (it may have moved on since, if the part saved progress and crashed).
 */
export interface ContinuationEvent {
  readonly continueIngestion: {
    readonly bucket: string;
    readonly key: string;
    readonly eventTime: string;
    readonly part: number;
    readonly resumeAt: FilePosition;
  };
}

export function isContinuationEvent(event: unknown): event is ContinuationEvent {
  const body = (event as { continueIngestion?: Partial<ContinuationEvent["continueIngestion"]> } | null)?.continueIngestion;
  return (
    typeof body === "object" &&
    body !== null &&
    typeof body.bucket === "string" &&
    typeof body.key === "string" &&
    typeof body.eventTime === "string" &&
    Number.isInteger(body.part) &&
    (body.part as number) > 1
  );
}

/** The remaining time of an invocation (Lambda's `context.getRemainingTimeInMillis`). */
export interface Clock {
  remainingMs(): number;
}

export interface PartTiming {
  /** Stop reading when less than this is left: enough to drain the queue calls, save and hand over. */
  readonly stopAtRemainingMs: number;
  /** Save progress this often, so a part that crashes is retried from close to where it stopped. */
  readonly saveEveryMs: number;
}

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

/**
 * When a part stops and how often it saves, from the time it had when it started: a fifth of it
 * is kept back (from 1 s for the shortest timeouts to 30 s, far more than draining four
 * SendMessageBatch calls and three S3 writes takes), and progress is saved four times a part.
 * A part that runs again after an attempt of it died keeps half its time back (up to 150 s): if
 * the drain and hand-over were what ran out of time, doing the same again would fail the same way.
 */
export function partTiming(remainingAtStartMs: number, retried = false): PartTiming {
  return {
    stopAtRemainingMs: retried ? clamp(remainingAtStartMs * 0.5, 1_000, 150_000) : clamp(remainingAtStartMs * 0.2, 1_000, 30_000),
    saveEveryMs: clamp(remainingAtStartMs * 0.25, 500, 60_000),
  };
}
