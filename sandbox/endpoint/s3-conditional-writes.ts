import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * S3 conditional writes (PutObject with `If-None-Match: *` or `If-Match: <etag>`), which fauxqs
 * 1.9 accepts but does not check. S3 checks them atomically per key; here conditional writes to
 * one key are serialized and checked against the object's current ETag before fauxqs stores it.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
 */
export interface ObjectHead {
  /** The object's ETag, or undefined when there is no object at that key. */
  (path: string): Promise<string | undefined>;
}

/** The condition of a write request, if it has one (multipart part uploads are not conditional). */
function conditionOf(request: IncomingMessage): { ifMatch?: string; ifNoneMatch?: string } | undefined {
  if (request.method !== "PUT") return undefined;
  const ifMatch = request.headers["if-match"];
  const ifNoneMatch = request.headers["if-none-match"];
  if (typeof ifMatch !== "string" && typeof ifNoneMatch !== "string") return undefined;
  if (new URL(request.url ?? "/", "http://s3").searchParams.has("partNumber")) return undefined;
  return { ...(typeof ifMatch === "string" ? { ifMatch } : {}), ...(typeof ifNoneMatch === "string" ? { ifNoneMatch } : {}) };
}

const unquote = (etag: string) => etag.trim().replace(/^W\//, "").replace(/^"|"$/g, "");

export class ConditionalWrites {
  private readonly locks = new Map<string, Promise<void>>();

  constructor(private readonly head: ObjectHead) {}

  /**
   * Handles `request` if it is a conditional write: answers 412 as S3 does when the condition
   * fails, or hands it to `store` while no other conditional write to that key can run. Returns
   * false (and does nothing) for any other request.
   */
  handle(request: IncomingMessage, response: ServerResponse, store: () => void): boolean {
    const condition = conditionOf(request);
    if (!condition) return false;
    const path = new URL(request.url ?? "/", "http://s3").pathname;
    const previous = this.locks.get(path) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const queued = previous.then(() => mine);
    this.locks.set(path, queued);
    const done = () => {
      release();
      if (this.locks.get(path) === queued) this.locks.delete(path);
    };
    void previous
      .then(() => this.head(path))
      .then((etag) => {
        const failed =
          condition.ifNoneMatch !== undefined
            ? etag !== undefined && "If-None-Match"
            : etag === undefined || unquote(etag) !== unquote(condition.ifMatch!)
              ? "If-Match"
              : false;
        if (failed) {
          request.resume();
          preconditionFailed(response, failed, etag === undefined && failed === "If-Match");
          done();
          return;
        }
        response.once("close", done);
        store();
      })
      .catch((error: Error) => {
        done();
        response.writeHead(500, { "content-type": "application/xml" });
        response.end(errorXml("InternalError", `sandbox: checking the write condition failed: ${error.message}`));
      });
    return true;
  }
}

function preconditionFailed(response: ServerResponse, condition: string, missing: boolean): void {
  // S3 answers If-Match on a missing key with 404 NoSuchKey, any other failed condition with 412.
  if (missing) {
    response.writeHead(404, { "content-type": "application/xml" });
    response.end(errorXml("NoSuchKey", "The specified key does not exist."));
    return;
  }
  response.writeHead(412, { "content-type": "application/xml" });
  response.end(
    errorXml("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", `<Condition>${condition}</Condition>`),
  );
}

function errorXml(code: string, message: string, extra = ""): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>${extra}<RequestId>sandbox</RequestId></Error>`;
}
