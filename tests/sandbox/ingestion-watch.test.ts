import { describe, expect, it } from "vitest";
import {
  notificationRules,
  progressLine,
  timedOutMessage,
  uploadBucket,
  uploadKey,
  type Resource,
} from "../../sandbox/cli/ingestion-watch";

describe("the progress line of upload --wait", () => {
  it("names the function reading the file until the report is written, then rows queued, stored, rate and time left", () => {
    const readers = ["ingest-s3-to-sqs"];
    expect(progressLine({ readers, elapsedSeconds: 42, waiting: 18_790, inFlight: 40, deadLettered: 0 })).toBe(
      "ingesting: ingest-s3-to-sqs is reading the file (42 s); queue: 18,790 waiting, 40 in flight",
    );
    expect(progressLine({ readers: ["a", "b", "c"], elapsedSeconds: 1, waiting: 0, inFlight: 0, deadLettered: 0 })).toBe(
      "ingesting: a, b and c are reading the file (1 s); queue: 0 waiting, 0 in flight",
    );
    expect(
      progressLine({ readers, elapsedSeconds: 120, queued: 300_000, waiting: 20_000, inFlight: 50, deadLettered: 3, rate: 2_000 }),
    ).toBe(
      "ingesting: 300,000 rows queued, 279,947 stored; queue: 20,000 waiting, 50 in flight, 3 dead-lettered, 2,000 rows/s, about 11 s left",
    );
  });

  it("says who is still reading the file when the wait runs out before the report", () => {
    expect(timedOutMessage({ readers: ["ingest-s3-to-sqs"], elapsedSeconds: 900, waiting: 0, inFlight: 0, deadLettered: 0 }, 900)).toBe(
      "timed out after 900 s: no ingestion report yet (ingest-s3-to-sqs is still reading the file, or failed: see the sandbox's log); " +
        "queue: 0 waiting, 0 in flight, 0 dead-lettered so far",
    );
  });
});

describe("the bucket and key of an upload, from the declared resources", () => {
  const bucket = (name: string): Resource => ({ type: "aws:s3/bucket:Bucket", name, id: name, state: { bucket: name } });
  const fn = (name: string): Resource => ({
    type: "aws:lambda/function:Function",
    name,
    id: name,
    state: { name, arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}` },
  });
  const notification = (on: string, entries: Array<{ fn: string; prefix?: string; suffix?: string }>): Resource => ({
    type: "aws:s3/bucketNotification:BucketNotification",
    name: `${on}-notification`,
    id: on,
    state: {},
    inputs: {
      bucket: on,
      lambdaFunctions: entries.map((entry) => ({
        lambdaFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${entry.fn}`,
        events: ["s3:ObjectCreated:*"],
        filterPrefix: entry.prefix,
        filterSuffix: entry.suffix,
      })),
    },
  });

  it("lists the choices when several buckets have a notification, and takes the one --bucket names", () => {
    const resources = [
      bucket("a"),
      bucket("b"),
      fn("ingest"),
      fn("thumbs"),
      notification("a", [{ fn: "ingest", prefix: "in/", suffix: ".csv" }]),
      notification("b", [{ fn: "thumbs" }]),
    ];
    expect(() => uploadBucket(resources, undefined)).toThrow(
      "several buckets have a notification for created objects: choose one with --bucket <name>:\n  a (ingest takes 'in/*.csv')\n  b (thumbs takes '*')",
    );
    expect(uploadBucket(resources, "b")).toBe("b");
  });

  it("keys the file under the prefix of the notification whose suffix it has; differing prefixes are a choice for --key", () => {
    const resources = [
      bucket("a"),
      fn("csv"),
      fn("json"),
      notification("a", [
        { fn: "csv", prefix: "csv/", suffix: ".csv" },
        { fn: "json", prefix: "json/", suffix: ".json" },
      ]),
    ];
    const rules = notificationRules(resources, "a");
    expect(uploadKey(rules, "jobs.csv")).toBe("csv/jobs.csv");
    expect(() => uploadKey(rules, "jobs.txt")).toThrow(
      "the bucket's notifications take different prefixes: choose the key with --key <key>:\n  csv takes 'csv/*.csv'\n  json takes 'json/*.json'",
    );
  });
});
