import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { types, type ResourceIndex } from "../model/resource-index";
import { ApiError } from "./http";
import type { BucketView, ObjectView } from "./api-types";

/** Bytes of an object the console shows: a report or a sample of a file, not a whole export. */
const shownBytes = 1024 * 1024;

interface NotificationTarget {
  events?: string[];
  filterPrefix?: string;
  filterSuffix?: string;
  lambdaFunctionArn?: string;
  queueArn?: string;
}

export class BucketsView {
  constructor(
    private readonly index: () => ResourceIndex,
    private readonly s3: S3Client,
  ) {}

  list(): BucketView[] {
    const index = this.index();
    return index.all(types.bucket).map((bucket) => {
      const name = String(bucket.state.bucket);
      const triggers = index
        .all(types.bucketNotification)
        .filter((notification) => notification.inputs.bucket === name)
        .flatMap((notification) => [
          ...((notification.inputs.lambdaFunctions as NotificationTarget[] | undefined) ?? []).map((target) => ({
            target,
            kind: "function" as const,
          })),
          ...((notification.inputs.queues as NotificationTarget[] | undefined) ?? []).map((target) => ({ target, kind: "queue" as const })),
        ])
        .filter(({ target }) => (target.events ?? []).some((event) => event.startsWith("s3:ObjectCreated:")))
        .map(({ target, kind }) => ({
          prefix: target.filterPrefix ?? "",
          suffix: target.filterSuffix ?? "",
          kind,
          target:
            kind === "function"
              ? (index.functionByRef(target.lambdaFunctionArn)?.name ?? String(target.lambdaFunctionArn))
              : String(target.queueArn).split(":").pop()!,
        }));
      return { name, logicalName: bucket.name, triggers };
    });
  }

  private bucket(name: string): BucketView {
    const bucket = this.list().find((candidate) => candidate.name === name);
    if (!bucket) throw new ApiError(404, `the program declares no bucket named '${name}'`);
    return bucket;
  }

  async objects(name: string, prefix: string, cursor: string | null): Promise<{ objects: ObjectView[]; nextCursor: string | null }> {
    this.bucket(name);
    const page = await this.s3.send(
      new ListObjectsV2Command({ Bucket: name, Prefix: prefix || undefined, MaxKeys: 100, ContinuationToken: cursor || undefined }),
    );
    return {
      objects: (page.Contents ?? []).map((object) => ({
        key: String(object.Key),
        size: Number(object.Size ?? 0),
        lastModified: (object.LastModified ?? new Date(0)).toISOString(),
      })),
      nextCursor: page.NextContinuationToken ?? null,
    };
  }

  /** The object's first megabyte and its type; `truncated` when there is more. */
  async object(name: string, key: string): Promise<{ body: Buffer; contentType: string; size: number; truncated: boolean }> {
    this.bucket(name);
    try {
      const object = await this.s3.send(new GetObjectCommand({ Bucket: name, Key: key, Range: `bytes=0-${shownBytes - 1}` }));
      const body = Buffer.from(await object.Body!.transformToByteArray());
      const size = Number(/\/(\d+)$/.exec(object.ContentRange ?? "")?.[1] ?? body.length);
      return { body, contentType: object.ContentType ?? "application/octet-stream", size, truncated: size > body.length };
    } catch (error) {
      if ((error as Error).name === "NoSuchKey") throw new ApiError(404, `s3://${name}/${key} does not exist`);
      throw error;
    }
  }

  /** Puts an object as any client would, so the program's notifications fire for it. */
  async upload(name: string, key: string, body: Buffer, contentType: string | undefined): Promise<{ key: string; size: number }> {
    this.bucket(name);
    if (!key || key.endsWith("/")) throw new ApiError(400, `'${key}' is not an object key: name the file`);
    // In parts when large, as S3 clients upload (S3 takes a single PUT up to 5 GiB).
    await new Upload({
      client: this.s3,
      params: { Bucket: name, Key: key, Body: body, ...(contentType ? { ContentType: contentType } : {}) },
    }).done();
    return { key, size: body.length };
  }
}
