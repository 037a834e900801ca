import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { FILE_START, type FilePosition } from "./csv-records";
import type { SavedRowErrors } from "./report";

/**
 * Where the ingestion of one upload stands, kept in the bucket between the invocations ("parts")
 * that read a large file: everything the next part needs to go on as if one pass read the file.
 */
export interface Checkpoint {
  readonly upload: {
    readonly bucket: string;
    readonly key: string;
    /** The S3 event's time: it names the upload and versions its rows. */
    readonly eventTime: string;
    /** Of the object the first part read: later parts read the same bytes or nothing. */
    readonly etag?: string;
    readonly size?: number;
  };
  /** The part that goes on from `next` (1 is the invocation S3 started). */
  readonly part: number;
  /** Whether that part has begun; until then a retry of the part before it hands over again. */
  readonly started: boolean;
  readonly status: "in-progress" | "complete" | "failed";
  /** The record boundary where reading goes on. */
  readonly next: FilePosition;
  /** The header's column names, once read. */
  readonly columns?: readonly string[];
  readonly rows: number;
  readonly queued: number;
  readonly rejected: SavedRowErrors;
}

/** What one invocation was asked to do: part 1 of an upload (an S3 event) or a later part. */
export interface PartRequest {
  readonly eventTime: string;
  readonly part: number;
}

export type Decision =
  | { readonly action: "start" }
  | { readonly action: "resume" }
  | { readonly action: "hand-over" }
  | { readonly action: "skip"; readonly reason: string };

const time = (eventTime: string) => Date.parse(eventTime);

/**
 * What an invocation does given the checkpoint saved for its key. Events arrive at least once and
 * in any order, so the checkpoint, never the event, says where the work stands:
 * - a new upload (no checkpoint, or one of an older upload) starts from the file's start;
 * - the part the checkpoint names resumes from it (its first run, or a retry after a crash);
 * - the part before it, retried after it saved the hand-over but before the next part began,
 *   hands over again (the invocation may never have been made);
 * - anything else (a late or duplicate event, an older upload's part) changes nothing.
 */
export function decide(saved: Checkpoint | undefined, request: PartRequest): Decision {
  if (!saved || time(request.eventTime) > time(saved.upload.eventTime)) {
    return request.part === 1
      ? { action: "start" }
      : { action: "skip", reason: `no checkpoint of the upload of ${request.eventTime} to continue from` };
  }
  if (time(request.eventTime) < time(saved.upload.eventTime)) {
    return { action: "skip", reason: `superseded by the upload of ${saved.upload.eventTime}` };
  }
  if (saved.status !== "in-progress") return { action: "skip", reason: `the upload is already ${saved.status}` };
  if (request.part === saved.part) return { action: "resume" };
  if (request.part === saved.part - 1 && !saved.started) return { action: "hand-over" };
  if (request.part < saved.part) return { action: "skip", reason: `part ${saved.part} has taken over` };
  return { action: "skip", reason: `part ${request.part} is ahead of the checkpoint, which is at part ${saved.part}` };
}

/** The checkpoint a new upload starts from. */
export function firstCheckpoint(upload: Checkpoint["upload"]): Checkpoint {
  return {
    upload,
    part: 1,
    started: true,
    status: "in-progress",
    next: FILE_START,
    rows: 0,
    queued: 0,
    rejected: { count: 0, listed: [] },
  };
}

/**
 * The checkpoint object of one upload key. Every write is conditional on the version last read or
 * written (S3 conditional writes), so of two invocations working on the same key only one goes on:
 * the other sees its write refused and stops. `undefined` from a write means exactly that.
 */
export class CheckpointStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    readonly key: string,
  ) {}

  /** Creates the checkpoint if the key has none; `undefined` if it has one. */
  create(checkpoint: Checkpoint): Promise<string | undefined> {
    return this.put(checkpoint, { IfNoneMatch: "*" });
  }

  /** Replaces the checkpoint last seen as `etag`; `undefined` if another write came first. */
  replace(checkpoint: Checkpoint, etag: string): Promise<string | undefined> {
    return this.put(checkpoint, { IfMatch: etag });
  }

  async read(): Promise<{ checkpoint: Checkpoint; etag: string } | undefined> {
    try {
      const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key }));
      return { checkpoint: JSON.parse(await object.Body!.transformToString()) as Checkpoint, etag: object.ETag! };
    } catch (error) {
      if ((error as { name?: string }).name === "NoSuchKey") return undefined;
      throw error;
    }
  }

  private async put(checkpoint: Checkpoint, condition: { IfNoneMatch?: string; IfMatch?: string }): Promise<string | undefined> {
    try {
      const written = await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.key,
          Body: JSON.stringify(checkpoint),
          ContentType: "application/json",
          ...condition,
        }),
      );
      return written.ETag;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }
}

/** S3 refuses a conditional write with 412, or 409 when another conditional write to the key is in progress. */
function isConditionFailure(error: unknown): boolean {
  const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    name === "PreconditionFailed" ||
    name === "ConditionalRequestConflict" ||
    $metadata?.httpStatusCode === 412 ||
    $metadata?.httpStatusCode === 409
  );
}

/** True when a ranged read was refused because the object is no longer the one the first part read. */
export function objectChanged(error: unknown): boolean {
  const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return name === "PreconditionFailed" || $metadata?.httpStatusCode === 412;
}
