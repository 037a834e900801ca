import type { IncomingMessage } from "node:http";

export type ObjectEventName = "ObjectCreated:Put" | "ObjectCreated:Copy" | "ObjectCreated:CompleteMultipartUpload" | "ObjectRemoved:Delete";

/** A successful S3 write (or delete) seen at the endpoint: the raw material of an S3 event notification. */
export interface ObjectEvent {
  bucket: string;
  key: string;
  eventName: ObjectEventName;
  requestId: string;
  sourceIp: string;
  eventTime: Date;
}

/**
 * Which S3 calls create or delete an object, read from the request alone (path-style or virtual-hosted).
 * Returns undefined for every other call (reads, bucket calls, multipart parts).
 */
export function objectEventOf(request: IncomingMessage): Omit<ObjectEvent, "requestId" | "eventTime"> | undefined {
  const url = new URL(request.url ?? "/", "http://endpoint");
  const host = (request.headers.host ?? "").split(":")[0];
  const virtualBucket = host.includes(".") && !/^\d+\.\d+\.\d+\.\d+$/.test(host) ? host.split(".")[0] : undefined;
  const segments = url.pathname.split("/").slice(1);
  const bucket = virtualBucket ?? decodeURIComponent(segments.shift() ?? "");
  const key = segments.map(decodeURIComponent).join("/");
  if (!bucket || !key) return undefined;
  const sourceIp = request.socket.remoteAddress?.replace(/^::ffff:/, "") ?? "127.0.0.1";
  const subresource = ["uploadId", "partNumber", "tagging", "acl", "retention", "legal-hold"].some((name) => url.searchParams.has(name));
  if (request.method === "PUT" && !subresource) {
    const eventName = request.headers["x-amz-copy-source"] ? "ObjectCreated:Copy" : "ObjectCreated:Put";
    return { bucket, key, eventName, sourceIp };
  }
  if (request.method === "POST" && url.searchParams.has("uploadId")) {
    return { bucket, key, eventName: "ObjectCreated:CompleteMultipartUpload", sourceIp };
  }
  if (request.method === "DELETE" && !subresource) {
    return { bucket, key, eventName: "ObjectRemoved:Delete", sourceIp };
  }
  return undefined;
}
