/**
 * What S3 sends once when a notification is configured; it has no Records and names no upload.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 */
export interface S3TestEvent {
  readonly Service: string;
  readonly Event: "s3:TestEvent";
  readonly Time: string;
  readonly Bucket: string;
  readonly RequestId: string;
  readonly HostId: string;
}

export function isS3TestEvent(event: unknown): event is S3TestEvent {
  return typeof event === "object" && event !== null && (event as { Event?: unknown }).Event === "s3:TestEvent";
}

/**
 * The object key as stored. S3 event keys are URL-encoded form-style: a space arrives as `+`
 * and a real `+` as `%2B`, so `+` is turned back first.
 */
export function objectKey(eventKey: string): string {
  return decodeURIComponent(eventKey.replace(/\+/g, " "));
}
