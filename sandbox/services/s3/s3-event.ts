import { randomBytes } from "node:crypto";
import { sandboxAccountId, sandboxRegion } from "../../shared/constants";
import type { ObjectEvent } from "../../endpoint";

/**
 * Object keys in S3 events are URL-encoded the way Java's URLEncoder does it (space as `+`),
 * with `/` left as is; handlers decode with `decodeURIComponent(key.replace(/\+/g, " "))`.
 */
export function eventKey(key: string): string {
  return key
    .split("/")
    .map((segment) =>
      encodeURIComponent(segment)
        .replace(/[!'()~]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
        .replace(/%20/g, "+"),
    )
    .join("/");
}

let sequence = 0n;
/** S3's sequencer orders events for one key: a hex string that only grows. */
function nextSequencer(): string {
  sequence += 1n;
  return (BigInt(Date.now()) * 1_000_000n + sequence).toString(16).toUpperCase().padStart(18, "0");
}

export interface ObjectFacts {
  size: number;
  eTag: string;
  versionId?: string;
}

/** One record of an S3 event notification, with every field of AWS's own events. */
export function s3EventRecord(write: ObjectEvent, object: ObjectFacts, configurationId: string) {
  return {
    eventVersion: "2.1",
    eventSource: "aws:s3",
    awsRegion: sandboxRegion,
    eventTime: write.eventTime.toISOString(),
    eventName: write.eventName,
    userIdentity: { principalId: `AWS:${sandboxAccountId}` },
    requestParameters: { sourceIPAddress: write.sourceIp },
    responseElements: {
      "x-amz-request-id": write.requestId,
      "x-amz-id-2": randomBytes(48).toString("base64"),
    },
    s3: {
      s3SchemaVersion: "1.0",
      configurationId,
      bucket: {
        name: write.bucket,
        ownerIdentity: { principalId: sandboxAccountId },
        arn: `arn:aws:s3:::${write.bucket}`,
      },
      // A deletion event names the key only, as S3's do.
      object: write.eventName.startsWith("ObjectRemoved")
        ? { key: eventKey(write.key), sequencer: nextSequencer() }
        : {
            key: eventKey(write.key),
            size: object.size,
            eTag: object.eTag.replace(/"/g, ""),
            ...(object.versionId ? { versionId: object.versionId } : {}),
            sequencer: nextSequencer(),
          },
    },
  };
}
