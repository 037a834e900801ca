import { createHash, randomUUID } from "node:crypto";
import { closeSync, copyFileSync, linkSync, mkdirSync, openSync, readSync, rmSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";

/** One file of an object's bytes: a PutObject's body, or one part of a multipart upload. */
interface Segment {
  file: string;
  size: number;
}

/** A part of a multipart upload as this store keeps it: in its own file until the upload completes. */
interface PartOnDisk extends Segment {
  partNumber: number;
  etag: string;
  lastModified: Date;
}

interface Upload {
  bucket: string;
  key: string;
  contentType: string;
  metadata: Record<string, string>;
  parts: Map<number, PartOnDisk>;
}

/** The parts of fauxqs' S3Store (1.9) this store takes over: its maps, kept as fauxqs keeps them. */
export interface FauxqsS3Store {
  buckets: Map<string, Map<string, ObjectOnDisk>>;
  multipartUploads: Map<string, Upload>;
  multipartUploadsByBucket: Map<string, Set<string>>;
  deleteObject(bucket: string, key: string): void;
  abortMultipartUpload(uploadId: string): void;
  emptyBucket(name: string): void;
  clearObjects(): void;
  purgeAll(): void;
}

export type FauxqsS3StoreClass = new () => FauxqsS3Store;
/** fauxqs' S3 error (its routes answer it in S3's XML). */
export type S3ErrorClass = new (code: string, message: string, statusCode?: number, resource?: string) => Error;

const chunkSize = 256 * 1024;
/** S3's smallest part, but for the last one (checked when the upload completes). */
const minPartSize = 5 * 1024 * 1024;

/**
 * An object's bytes as fauxqs' GET hands them to Fastify, which streams what has `pipe`: `length`
 * and `subarray()` answer its ranged GETs as a Buffer's would. Files are opened only once the
 * body is read, so a body made and never sent holds nothing.
 */
export class StoredBody extends Readable {
  private chunks?: AsyncGenerator<Buffer>;

  constructor(
    /** The whole object's files (a CopyObject links them), whatever range this body reads. */
    readonly segments: readonly Segment[],
    private readonly from: number,
    private readonly to: number,
  ) {
    super();
  }

  get length(): number {
    return this.to - this.from;
  }

  /** The bytes from `start` up to, not including, `end`, as Buffer.subarray counts them. */
  subarray(start = 0, end = this.length): StoredBody {
    const clamp = (offset: number) => Math.max(0, Math.min(offset, this.length));
    return new StoredBody(this.segments, this.from + clamp(start), this.from + Math.max(clamp(start), clamp(end)));
  }

  /**
   * fauxqs' GET route is an async function that returns once it has handed the body over, and
   * Fastify ends a reply whose headers are not sent by then with an empty body: the headers
   * (status, length, range) go out as soon as the body is piped, before its first byte is read.
   */
  override pipe<T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T {
    (destination as { flushHeaders?: () => void }).flushHeaders?.();
    return super.pipe(destination, options);
  }

  override _read(): void {
    this.chunks ??= readSegments(this.segments, this.from, this.to);
    this.chunks.next().then(
      ({ value, done }) => this.push(done ? null : value),
      (error: Error) => this.destroy(error),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Closes the file being read, if any.
    void (this.chunks?.return(undefined) ?? Promise.resolve()).then(
      () => callback(error),
      () => callback(error),
    );
  }
}

async function* readSegments(segments: readonly Segment[], from: number, to: number): AsyncGenerator<Buffer> {
  let offset = 0;
  for (const segment of segments) {
    const start = Math.max(from, offset) - offset;
    const end = Math.min(to, offset + segment.size) - offset;
    offset += segment.size;
    if (start >= end) continue;
    const file = await open(segment.file, "r");
    try {
      for (let position = start; position < end;) {
        const buffer = Buffer.allocUnsafe(Math.min(chunkSize, end - position));
        const { bytesRead } = await file.read(buffer, 0, buffer.length, position);
        if (bytesRead === 0) throw new Error(`${segment.file} ended before its ${segment.size} bytes`);
        position += bytesRead;
        yield buffer.subarray(0, bytesRead);
      }
    } finally {
      await file.close();
    }
  }
}

/** An object as fauxqs' routes read it (`contentLength`, `etag`, `body`...), its bytes in files. */
export class ObjectOnDisk {
  readonly contentLength: number;

  constructor(
    readonly key: string,
    readonly segments: readonly Segment[],
    readonly contentType: string,
    readonly etag: string,
    readonly metadata: Record<string, string>,
    readonly lastModified = new Date(),
  ) {
    this.contentLength = segments.reduce((sum, segment) => sum + segment.size, 0);
  }

  /** A new stream of the whole object each time: each GET reads its own. */
  get body(): StoredBody {
    return new StoredBody(this.segments, 0, this.contentLength);
  }
}

const quotedMd5 = (digest: string) => `"${digest}"`;

/**
 * fauxqs' S3 store with every object's bytes in files under `dir` instead of Buffers in memory: a
 * PutObject's body or an UploadPart's is written as it arrives and dropped, a multipart object
 * is its parts' files read in order (never joined), a copy links the source's files. Buckets,
 * keys, ETags, metadata and listings stay fauxqs' own. Files go when their object or upload does.
 */
export function objectsOnDisk(Store: FauxqsS3StoreClass, S3Error: S3ErrorClass, dir: string): FauxqsS3Store {
  mkdirSync(dir, { recursive: true });
  const newFile = () => join(dir, randomUUID());
  const remove = (segments: Iterable<Segment>) => {
    // A file being read by a GET stays readable to it until it is closed.
    for (const segment of segments) rmSync(segment.file, { force: true });
  };
  const write = (body: Buffer): Segment => {
    const file = newFile();
    writeFileSync(file, body);
    return { file, size: body.length };
  };
  const noSuchBucket = (bucket: string) => new S3Error("NoSuchBucket", `The specified bucket does not exist: ${bucket}`, 404);
  const noSuchUpload = () =>
    new S3Error(
      "NoSuchUpload",
      "The specified multipart upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
      404,
    );
  const invalidPart = () =>
    new S3Error(
      "InvalidPart",
      "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
      400,
    );

  class StoreOnDisk extends Store {
    private keep(bucket: string, object: ObjectOnDisk): ObjectOnDisk {
      const objects = this.buckets.get(bucket)!;
      const replaced = objects.get(object.key);
      objects.set(object.key, object);
      if (replaced) remove(replaced.segments);
      return object;
    }

    putObject(bucket: string, key: string, body: Buffer | StoredBody, contentType?: string, metadata?: Record<string, string>) {
      if (!this.buckets.has(bucket)) throw noSuchBucket(bucket);
      const type = contentType ?? "application/octet-stream";
      if (!(body instanceof StoredBody)) {
        const etag = quotedMd5(createHash("md5").update(body).digest("hex"));
        return this.keep(bucket, new ObjectOnDisk(key, [write(body)], type, etag, metadata ?? {}));
      }
      // CopyObject: fauxqs hands over the source's body. Its files are linked, not copied.
      const segments = body.segments.map((segment) => {
        const file = newFile();
        try {
          linkSync(segment.file, file);
        } catch {
          copyFileSync(segment.file, file);
        }
        return { file, size: segment.size };
      });
      return this.keep(bucket, new ObjectOnDisk(key, segments, type, quotedMd5(md5OfFiles(segments)), metadata ?? {}));
    }

    uploadPart(uploadId: string, partNumber: number, body: Buffer): string {
      const upload = this.multipartUploads.get(uploadId);
      if (!upload) throw noSuchUpload();
      const etag = quotedMd5(createHash("md5").update(body).digest("hex"));
      const replaced = upload.parts.get(partNumber);
      upload.parts.set(partNumber, { partNumber, etag, lastModified: new Date(), ...write(body) });
      if (replaced) remove([replaced]);
      return etag;
    }

    /** As fauxqs completes an upload (the same checks, errors and ETag), without joining the parts. */
    completeMultipartUpload(uploadId: string, specs: Array<{ partNumber: number; etag: string }>): ObjectOnDisk {
      const upload = this.multipartUploads.get(uploadId);
      if (!upload) throw noSuchUpload();
      if (!this.buckets.has(upload.bucket)) throw noSuchBucket(upload.bucket);
      for (let i = 1; i < specs.length; i++) {
        if (specs[i].partNumber <= specs[i - 1].partNumber) {
          throw new S3Error(
            "InvalidPartOrder",
            "The list of parts was not in ascending order. The parts list must be specified in order by part number.",
            400,
          );
        }
      }
      const parts = specs.map((spec) => {
        const part = upload.parts.get(spec.partNumber);
        if (!part || spec.etag.replaceAll('"', "") !== part.etag.replaceAll('"', "")) throw invalidPart();
        return part;
      });
      if (parts.slice(0, -1).some((part) => part.size < minPartSize)) {
        throw new S3Error("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size", 400);
      }
      const digests = Buffer.concat(parts.map((part) => Buffer.from(part.etag.replaceAll('"', ""), "hex")));
      const etag = quotedMd5(`${createHash("md5").update(digests).digest("hex")}-${parts.length}`);
      const segments = parts.map(({ file, size }) => ({ file, size }));
      const object = this.keep(upload.bucket, new ObjectOnDisk(upload.key, segments, upload.contentType, etag, upload.metadata));
      this.multipartUploads.delete(uploadId);
      this.multipartUploadsByBucket.get(upload.bucket)?.delete(uploadId);
      // Parts uploaded but left out of the object are gone with the upload, as on S3.
      remove([...upload.parts.values()].filter((part) => !parts.includes(part)));
      return object;
    }

    deleteObject(bucket: string, key: string): void {
      const deleted = this.buckets.get(bucket)?.get(key);
      super.deleteObject(bucket, key);
      if (deleted) remove(deleted.segments);
    }

    abortMultipartUpload(uploadId: string): void {
      const aborted = this.multipartUploads.get(uploadId);
      super.abortMultipartUpload(uploadId);
      if (aborted) remove(aborted.parts.values());
    }

    emptyBucket(name: string): void {
      const files = this.filesOf((bucket) => bucket === name);
      super.emptyBucket(name);
      remove(files);
    }

    clearObjects(): void {
      const files = this.filesOf(() => true);
      super.clearObjects();
      remove(files);
    }

    purgeAll(): void {
      const files = this.filesOf(() => true);
      super.purgeAll();
      remove(files);
    }

    private filesOf(inBucket: (bucket: string) => boolean): Segment[] {
      const files: Segment[] = [];
      for (const [bucket, objects] of this.buckets)
        if (inBucket(bucket)) for (const object of objects.values()) files.push(...object.segments);
      for (const upload of this.multipartUploads.values()) if (inBucket(upload.bucket)) files.push(...upload.parts.values());
      return files;
    }
  }
  return new StoreOnDisk();
}

/** The MD5 of files read one after the other, as one object's bytes. */
function md5OfFiles(segments: readonly Segment[]): string {
  const hash = createHash("md5");
  const buffer = Buffer.allocUnsafe(1024 * 1024);
  for (const segment of segments) {
    const fd = openSync(segment.file, "r");
    try {
      for (let bytesRead; (bytesRead = readSync(fd, buffer, 0, buffer.length, null)) > 0;) hash.update(buffer.subarray(0, bytesRead));
    } finally {
      closeSync(fd);
    }
  }
  return hash.digest("hex");
}
