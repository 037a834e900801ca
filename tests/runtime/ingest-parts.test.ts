import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { CreateQueueCommand } from "@aws-sdk/client-sqs";
import type { JobMessage } from "../../runtime/jobs/message";
import { type Checkpoint, decide, firstCheckpoint } from "../../runtime/s3-to-sqs/checkpoint";
import { type ContinuationEvent, partTiming } from "../../runtime/s3-to-sqs/continuation";
import { credentials, type Emulators, region, startEmulators } from "../support/emulators";
import { drainQueue, FUNCTION_ARN, lambdaContext, s3PutEvent } from "../support/ingest-events";
import { type SqsProxy, startSqsProxy } from "../support/ingest-sqs-proxy";

describe("which part goes on: decide", () => {
  const T1 = "2026-11-22T09:30:00.000Z";
  const T2 = "2026-11-22T10:00:00.000Z";
  const saved = (fields: Partial<Checkpoint>): Checkpoint => ({
    ...firstCheckpoint({ bucket: "b", key: "job_offers/big.csv", eventTime: T1 }),
    ...fields,
  });

  it.each<[string, Checkpoint | undefined, { eventTime: string; part: number }, ReturnType<typeof decide>]>([
    ["a first upload starts", undefined, { eventTime: T1, part: 1 }, { action: "start" }],
    ["a newer upload of the key starts over", saved({ part: 3 }), { eventTime: T2, part: 1 }, { action: "start" }],
    [
      "the part the checkpoint names resumes (first run or retry)",
      saved({ part: 3, started: true }),
      { eventTime: T1, part: 3 },
      { action: "resume" },
    ],
    [
      "a part retried before the next began hands over again",
      saved({ part: 3, started: false }),
      { eventTime: T1, part: 2 },
      { action: "hand-over" },
    ],
    [
      "a part retried after the next began does nothing",
      saved({ part: 3, started: true }),
      { eventTime: T1, part: 2 },
      { action: "skip", reason: "part 3 has taken over" },
    ],
    [
      "a late event of an earlier part does nothing",
      saved({ part: 5, started: false }),
      { eventTime: T1, part: 2 },
      { action: "skip", reason: "part 5 has taken over" },
    ],
    [
      "a duplicate event after the end does nothing",
      saved({ part: 4, status: "complete" }),
      { eventTime: T1, part: 4 },
      { action: "skip", reason: "the upload is already complete" },
    ],
    [
      "a duplicate S3 event after a failed file does nothing",
      saved({ status: "failed" }),
      { eventTime: T1, part: 1 },
      { action: "skip", reason: "the upload is already failed" },
    ],
    [
      "an older upload's part stops",
      saved({ upload: { bucket: "b", key: "k", eventTime: T2 } }),
      { eventTime: T1, part: 2 },
      { action: "skip", reason: `superseded by the upload of ${T2}` },
    ],
    [
      "an older upload's late S3 event stops",
      saved({ upload: { bucket: "b", key: "k", eventTime: T2 } }),
      { eventTime: T1, part: 1 },
      { action: "skip", reason: `superseded by the upload of ${T2}` },
    ],
    [
      "a later part without a checkpoint does nothing",
      undefined,
      { eventTime: T1, part: 2 },
      { action: "skip", reason: `no checkpoint of the upload of ${T1} to continue from` },
    ],
    [
      "a part ahead of the checkpoint does nothing",
      saved({ part: 2 }),
      { eventTime: T1, part: 4 },
      { action: "skip", reason: "part 4 is ahead of the checkpoint, which is at part 2" },
    ],
  ])("%s", (_, checkpoint, request, expected) => {
    expect(decide(checkpoint, request)).toEqual(expected);
  });

  it("keeps a fifth of a part's time back (1 to 30 s), half when the part runs again after dying, and saves four times a part", () => {
    expect(partTiming(3_000)).toEqual({ stopAtRemainingMs: 1_000, saveEveryMs: 750 });
    expect(partTiming(300_000)).toEqual({ stopAtRemainingMs: 30_000, saveEveryMs: 60_000 });
    expect(partTiming(60_000)).toEqual({ stopAtRemainingMs: 12_000, saveEveryMs: 15_000 });
    expect(partTiming(3_000, true)).toEqual({ stopAtRemainingMs: 1_500, saveEveryMs: 750 });
    expect(partTiming(900_000, true)).toEqual({ stopAtRemainingMs: 150_000, saveEveryMs: 60_000 });
  });
});

const BUCKET = "big-uploads";
let emulators: Emulators;
let queueUrl: string;
let lambdaStub: Server;
let sqsProxy: SqsProxy;
let invoked: Array<{ functionName: string; invocationType: string; event: ContinuationEvent }>;
let handler: (typeof import("../../runtime/s3-to-sqs/index"))["handler"];

beforeAll(async () => {
  emulators = await startEmulators();
  await emulators.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  queueUrl = (await emulators.sqs.send(new CreateQueueCommand({ QueueName: "parts" }))).QueueUrl as string;
  // Lambda's Invoke API, recording what the handler asks for; the test plays Lambda and runs it.
  lambdaStub = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      invoked.push({
        functionName: decodeURIComponent(request.url!.split("/")[3]),
        invocationType: String(request.headers["x-amz-invocation-type"]),
        event: JSON.parse(Buffer.concat(chunks).toString("utf8")),
      });
      response.writeHead(202, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => lambdaStub.listen(0, "127.0.0.1", resolve));
  sqsProxy = await startSqsProxy(emulators.awsEndpoint);
  delete process.env.AWS_ENDPOINT_URL;
  Object.assign(process.env, {
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    // The endpoint checks conditional writes as S3 does: they keep a retried part from starting over.
    AWS_ENDPOINT_URL_S3: emulators.awsEndpoint,
    AWS_ENDPOINT_URL_SQS: sqsProxy.url,
    AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${(lambdaStub.address() as AddressInfo).port}`,
    QUEUE_URL: queueUrl,
    REPORT_PREFIX: "reports/",
    UPLOAD_PREFIX: "job_offers/",
    CHECKPOINT_PREFIX: "checkpoints/",
    MAX_BATCHES_IN_FLIGHT: "4",
  });
  ({ handler } = await import("../../runtime/s3-to-sqs/index"));
}, 30_000);

afterAll(async () => {
  await new Promise((resolve) => lambdaStub?.close(resolve));
  await sqsProxy?.close();
  await emulators?.stop();
});

beforeEach(() => {
  invoked = [];
  sqsProxy.reset();
  vi.spyOn(console, "log").mockImplementation(() => undefined);
  return () => vi.restoreAllMocks();
});

/** A part with 10 s when it starts that finds its time low at its third look at the clock (192 rows in). */
const shortPart = () => lambdaContext((calls) => (calls <= 3 ? 10_000 : 1_000));

/** 1,000 rows, every 37th invalid (a bad salary), one with a quoted line break, CRLF line ends. */
function bigFile(title = "Job"): Buffer {
  const lines = ["id,city,title,salary_min"];
  for (let row = 1; row <= 1_000; row++) {
    if (row === 500) lines.push(`p-${row},Paris,"two\r\nlines",`);
    else lines.push(`p-${row},City ${row % 5},${title} ${row},${row % 37 === 0 ? "lots" : row}`);
  }
  return Buffer.from(`${lines.join("\r\n")}\r\n`);
}

async function upload(key: string, body: Buffer): Promise<string> {
  const eventTime = new Date().toISOString();
  await emulators.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  return eventTime;
}

const putEvent = (key: string, eventTime: string) => s3PutEvent({ bucket: BUCKET, key, size: 0, eTag: "x", eventTime });

async function readJson(key: string) {
  const object = await emulators.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return JSON.parse(await object.Body!.transformToString());
}

/** Runs the continuations the handler asked for, as Lambda would, until none is left. */
async function runParts(context = shortPart): Promise<number> {
  let parts = 0;
  while (invoked.length > 0) {
    const { event } = invoked.shift()!;
    await handler(event, context());
    parts++;
  }
  return parts;
}

async function queuedLines(): Promise<number[]> {
  const messages = await drainQueue(emulators.sqs, queueUrl);
  return messages.map((message) => (JSON.parse(message.Body!) as JobMessage).source.line).sort((a, b) => a - b);
}

// Each test reads a 1,000-row file several times over: more than the default time on a loaded machine.
describe("a file read in parts", { timeout: 120_000 }, () => {
  it("ends with the report and the messages of a single pass, in-progress while parts remain", async () => {
    const single = await upload("job_offers/single.csv", bigFile());
    await handler(putEvent("job_offers/single.csv", single), lambdaContext());
    expect(invoked).toEqual([]);
    const singleReport = await readJson("reports/single.json");
    const singleLines = await queuedLines();

    const eventTime = await upload("job_offers/parts.csv", bigFile());
    const first = await handler(putEvent("job_offers/parts.csv", eventTime), shortPart());
    expect(first.files).toEqual([
      {
        bucket: BUCKET,
        key: "job_offers/parts.csv",
        part: 1,
        report: "reports/parts.json",
        status: "in-progress",
        rows: 192,
        queued: 187,
        rejected: 5,
      },
    ]);
    expect(invoked).toEqual([
      {
        functionName: FUNCTION_ARN,
        invocationType: "Event",
        event: {
          continueIngestion: {
            bucket: BUCKET,
            key: "job_offers/parts.csv",
            eventTime,
            part: 2,
            resumeAt: { offset: expect.any(Number), line: 194 },
          },
        },
      },
    ]);
    expect(await readJson("reports/parts.json")).toMatchObject({ status: "in-progress", rows: 192, queued: 187, rejected: 5 });

    // 1,000 rows at 192 a part: parts 2 to 6.
    expect(await runParts()).toBe(5);
    expect(await readJson("reports/parts.json")).toStrictEqual({ ...singleReport, key: "job_offers/parts.csv", eventTime });
    expect(singleReport).toMatchObject({ status: "complete", rows: 1000, queued: 973, rejected: 27 });
    expect(await queuedLines()).toEqual(singleLines);
    expect(await readJson("checkpoints/parts.json")).toMatchObject({ part: 6, status: "complete", rows: 1000 });
  });

  it("a file of wide rows looks at the clock every 64 KiB, not every 64 rows, so its part stops in time", async () => {
    // 200 rows of exactly 4 KiB each (CRLF included): 16 rows make 64 KiB.
    const lines = ["id,city,title,salary_min,description"];
    for (let row = 1; row <= 200; row++) {
      const start = `w-${row},Paris,Wide ${row},50000,`;
      lines.push(start + "d".repeat(4096 - 2 - start.length));
    }
    const eventTime = await upload("job_offers/wide.csv", Buffer.from(`${lines.join("\r\n")}\r\n`));
    const first = await handler(putEvent("job_offers/wide.csv", eventTime), shortPart());
    // Its third look, as for narrow rows: after 48 rows instead of 192.
    expect(first.files[0]).toMatchObject({ part: 1, status: "in-progress", rows: 48, queued: 48, rejected: 0 });
    expect(await runParts()).toBe(4);
    expect(await readJson("reports/wide.json")).toMatchObject({ status: "complete", rows: 200, queued: 200, rejected: 0 });
    await drainQueue(emulators.sqs, queueUrl);
  });

  it("a part retried before the next began hands over again; after it began, changes nothing", async () => {
    const eventTime = await upload("job_offers/retried.csv", bigFile());
    await handler(putEvent("job_offers/retried.csv", eventTime), shortPart());
    const part2 = invoked[0].event;
    // Lambda retries part 1 (say its invocation timed out after the hand-over): part 2 is invoked again.
    expect((await handler(putEvent("job_offers/retried.csv", eventTime), shortPart())).files[0]).toMatchObject({
      status: "in-progress",
      reason: "handed over to part 2 again",
    });
    expect(invoked.map(({ event }) => event)).toEqual([part2, part2]);
    invoked.length = 0;
    await handler(part2, shortPart());
    expect(invoked.map(({ event }) => event.continueIngestion.part)).toEqual([3]);
    await handler(invoked.shift()!.event, shortPart());
    // Part 3 handed over to part 4; now the duplicate of part 2 and a late retry of part 1 arrive: nothing is read or sent.
    for (const late of [part2, putEvent("job_offers/retried.csv", eventTime)]) {
      expect((await handler(late, shortPart())).files[0]).toMatchObject({ status: "skipped", reason: "part 4 has taken over", rows: 0 });
    }
    expect(invoked.map(({ event }) => event.continueIngestion.part)).toEqual([4]);
    await runParts();
    expect(await readJson("reports/retried.json")).toMatchObject({ status: "complete", rows: 1000, queued: 973, rejected: 27 });
    await drainQueue(emulators.sqs, queueUrl);
  });

  it("a part that fails after saving progress is retried from that save, not from line 1", async () => {
    const eventTime = await upload("job_offers/failing.csv", bigFile());
    // The clock runs 250 ms a look, so the part saves its progress (every 2.5 s of a 10 s part) on the way.
    let now = Date.now();
    vi.spyOn(Date, "now").mockImplementation(() => (now += 250));
    sqsProxy.failEntries({ match: (body) => body.includes('"id":"p-900"'), times: Infinity, senderFault: false });
    await expect(handler(putEvent("job_offers/failing.csv", eventTime), lambdaContext(10_000))).rejects.toThrow(
      /1 row\(s\) could not be queued \(line 902/,
    );
    const saved = (await readJson("checkpoints/failing.json")) as Checkpoint;
    expect(saved).toMatchObject({ part: 1, started: true, status: "in-progress" });
    expect(saved.rows).toBeGreaterThan(0);
    expect(saved.rows).toBeLessThan(900);
    expect(await readJson("reports/failing.json")).toMatchObject({ status: "failed" });
    const firstAttempt = sqsProxy.batches.reduce((sum, batch) => sum + batch.entries, 0);

    // Lambda's retry, the queue healthy again: only the rows after the save are read and sent.
    sqsProxy.reset();
    vi.mocked(Date.now).mockRestore();
    const retried = await handler(putEvent("job_offers/failing.csv", eventTime), lambdaContext());
    expect(retried.files[0]).toMatchObject({ status: "complete", rows: 1000, queued: 973, rejected: 27 });
    const resent = sqsProxy.batches.reduce((sum, batch) => sum + batch.entries, 0);
    expect(resent).toBe(973 - saved.queued);
    expect(firstAttempt).toBeGreaterThan(resent);
    await drainQueue(emulators.sqs, queueUrl);
  });

  it("a newer upload of the key supersedes the older one's remaining parts", async () => {
    const older = await upload("job_offers/replaced.csv", bigFile("Old"));
    await handler(putEvent("job_offers/replaced.csv", older), shortPart());
    const olderPart2 = invoked.shift()!.event;
    await new Promise((resolve) => setTimeout(resolve, 5));
    const newer = await upload("job_offers/replaced.csv", bigFile("New"));
    await handler(putEvent("job_offers/replaced.csv", newer), lambdaContext());
    expect((await handler(olderPart2, shortPart())).files[0]).toMatchObject({
      status: "skipped",
      reason: `superseded by the upload of ${newer}`,
    });
    expect(invoked).toEqual([]);
    expect(await readJson("reports/replaced.json")).toMatchObject({ eventTime: newer, status: "complete", rows: 1000 });
    await drainQueue(emulators.sqs, queueUrl);
  });
});
