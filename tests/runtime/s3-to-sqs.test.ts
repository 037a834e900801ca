import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { CreateBucketCommand, DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { CreateQueueCommand } from "@aws-sdk/client-sqs";
import type { JobMessage } from "../../runtime/jobs/message";
import { credentials, type Emulators, region, startEmulators } from "../support/emulators";
import { drainQueue, lambdaContext, s3EventKey, s3PutEvent, s3TestEvent } from "../support/ingest-events";
import { type SqsProxy, startSqsProxy } from "../support/ingest-sqs-proxy";

const BUCKET = "job-uploads";
const UPLOAD_PREFIX = "job_offers/";
const REPORT_PREFIX = "reports/";
const CHECKPOINT_PREFIX = "checkpoints/";
const EVENT_TIME = "2026-11-22T09:30:00.000Z";
const HANDLER = "../../runtime/s3-to-sqs/index";

let emulators: Emulators;
let proxy: SqsProxy;
let queueUrl: string;
let handler: (typeof import("../../runtime/s3-to-sqs/index"))["handler"];
let logs: string[];

function handlerEnv(): Record<string, string> {
  return {
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_ENDPOINT_URL_S3: emulators.awsEndpoint,
    // Through the proxy, which sees every SendMessageBatch the handler makes.
    AWS_ENDPOINT_URL_SQS: proxy.url,
    QUEUE_URL: queueUrl,
    REPORT_PREFIX,
    UPLOAD_PREFIX,
    CHECKPOINT_PREFIX,
    MAX_BATCHES_IN_FLIGHT: "4",
  };
}

beforeAll(async () => {
  emulators = await startEmulators();
  proxy = await startSqsProxy(emulators.awsEndpoint);
  await emulators.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  queueUrl = (await emulators.sqs.send(new CreateQueueCommand({ QueueName: "jobs" }))).QueueUrl as string;
  delete process.env.AWS_ENDPOINT_URL;
  Object.assign(process.env, handlerEnv());
  // The handler reads its environment when it is loaded: import it only now.
  ({ handler } = await import(HANDLER));
});

afterAll(async () => {
  await proxy?.close();
  await emulators?.stop();
});

beforeEach(() => {
  logs = [];
  vi.spyOn(console, "log").mockImplementation((line: unknown) => void logs.push(String(line)));
});

afterEach(async () => {
  vi.restoreAllMocks();
  proxy.reset();
  await drainQueue(emulators.sqs, queueUrl);
  await forgetCheckpoints();
});

/**
 * Tests upload the same keys with the same event time; S3 would give each upload its own. Without
 * the last upload's checkpoint the next one is new (otherwise it is a duplicate event, skipped).
 */
async function forgetCheckpoints() {
  const { Contents = [] } = await emulators.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: CHECKPOINT_PREFIX }));
  if (Contents.length === 0) return;
  await emulators.s3.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: Contents.map(({ Key }) => ({ Key })) } }));
}

/** Uploads a file, runs the handler on the S3 event for it, and collects what came out. */
async function ingest(name: string, content: string | Buffer) {
  const key = `${UPLOAD_PREFIX}${name}`;
  const body = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  const put = await emulators.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  const event = s3PutEvent({ bucket: BUCKET, key, size: body.length, eTag: put.ETag ?? "", eventTime: EVENT_TIME });
  const result = await handler(event, lambdaContext());
  return { key, result, report: await readReport(result.files[0].report), messages: await queuedMessages() };
}

async function readReport(reportKey: string) {
  const object = await emulators.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: reportKey }));
  expect(object.ContentType).toBe("application/json");
  return JSON.parse(await (object.Body as { transformToString(): Promise<string> }).transformToString());
}

async function queuedMessages(): Promise<JobMessage[]> {
  const messages = await drainQueue(emulators.sqs, queueUrl);
  return messages.map((message) => JSON.parse(message.Body as string) as JobMessage).sort((a, b) => a.source.line - b.source.line);
}

const version = (line: number) => `${EVENT_TIME}#${String(line).padStart(10, "0")}`;

function message(key: string, line: number, job: Record<string, unknown>): JobMessage {
  return { job: job as JobMessage["job"], version: version(line), source: { bucket: BUCKET, key, line } };
}

function report(key: string, fields: Record<string, unknown>) {
  return { bucket: BUCKET, key, eventTime: EVENT_TIME, status: "complete", rows: 0, queued: 0, rejected: 0, errors: [], ...fields };
}

describe("s3-to-sqs: rows to messages", () => {
  it("queues one message per valid row, writes the report and logs one line", async () => {
    const csv = [
      "id,city,title,company,contract_type,salary_min,salary_max,currency,remote,posted_at,url,description,team",
      'j-1,Paris,Backend engineer,Acme,CDI,50000,65000,eur,yes,2026-11-20,https://jobs.example/j-1,"APIs, mostly",Platform',
      "j-2,Lyon,,,,,,,,,,,",
      "",
    ].join("\n");
    const { key, result, report: written, messages } = await ingest("basic.csv", csv);

    expect(messages).toEqual([
      message(key, 2, {
        id: "j-1",
        city: "Paris",
        title: "Backend engineer",
        company: "Acme",
        contract_type: "CDI",
        salary_min: 50000,
        salary_max: 65000,
        currency: "EUR",
        remote: true,
        posted_at: "2026-11-20",
        url: "https://jobs.example/j-1",
        description: "APIs, mostly",
        team: "Platform",
      }),
      message(key, 3, { id: "j-2", city: "Lyon" }),
    ]);
    expect(written).toStrictEqual(report(key, { rows: 2, queued: 2 }));
    expect(result).toStrictEqual({
      files: [{ bucket: BUCKET, key, part: 1, report: "reports/basic.json", status: "complete", rows: 2, queued: 2, rejected: 0 }],
    });
    expect(logs).toHaveLength(1);
    expect(JSON.parse(logs[0])).toMatchObject({ key, rows: 2, queued: 2, rejected: 0, ms: expect.any(Number) });
  });

  it.each([
    ["LF", "\n", ""],
    ["CRLF", "\r\n", ""],
    ["CR", "\r", ""],
    ["CRLF with a BOM", "\r\n", "\ufeff"],
    ["LF with a BOM", "\n", "\ufeff"],
  ])("reads %s line ends", async (_name, eol, bom) => {
    const csv = bom + ["id,city,title", "e-1,Paris,One", "e-2,Lyon,Two", "e-3,,Three"].join(eol) + eol;
    const { key, report: written, messages } = await ingest("line-ends.csv", csv);
    expect(messages).toEqual([
      message(key, 2, { id: "e-1", city: "Paris", title: "One" }),
      message(key, 3, { id: "e-2", city: "Lyon", title: "Two" }),
    ]);
    expect(written).toStrictEqual(report(key, { rows: 3, queued: 2, rejected: 1, errors: [{ line: 4, reasons: ["city: is required"] }] }));
  });

  it.each([
    ["LF", "\n"],
    ["CRLF", "\r\n"],
    ["CR", "\r"],
  ])("keeps quoted commas, quotes and %s newlines, and counts lines after them", async (_name, eol) => {
    const csv = [
      "id,city,title,description",
      `q-1,Paris,"Engineer, backend","First line${eol}second line, with ""quotes""${eol}third"`,
      'q-2,Lyon,"He said ""hi""",plain',
      "",
      ",",
      "q-3,Nice,bad,x,extra",
      'q-4,"Saint-Étienne",ok,"multi',
      'line"',
      "q-5,,no city,",
    ].join(eol);
    const { key, report: written, messages } = await ingest("quoted.csv", csv);
    expect(messages).toEqual([
      message(key, 2, {
        id: "q-1",
        city: "Paris",
        title: "Engineer, backend",
        description: `First line${eol}second line, with "quotes"${eol}third`,
      }),
      message(key, 5, { id: "q-2", city: "Lyon", title: 'He said "hi"', description: "plain" }),
      message(key, 9, { id: "q-4", city: "Saint-Étienne", title: "ok", description: `multi${eol}line` }),
    ]);
    expect(written).toStrictEqual(
      report(key, {
        rows: 5,
        queued: 3,
        rejected: 2,
        errors: [
          { line: 8, reasons: ['the row has 5 fields but the header has 4 (quote values that contain commas: "Paris, France")'] },
          { line: 11, reasons: ["city: is required"] },
        ],
      }),
    );
  });

  it("keeps unicode values as they are", async () => {
    const csv = "id,city,title,note\nu-1,São Paulo,Ingénieur·e 🚀,東京オフィス (본사)\nu-2,Zürich,\u05de\u05e4\u05ea\u05d7,\ufffe marker\n";
    const { key, messages } = await ingest("unicode.csv", csv);
    expect(messages).toEqual([
      message(key, 2, { id: "u-1", city: "São Paulo", title: "Ingénieur·e 🚀", note: "東京オフィス (본사)" }),
      // U+FFFE is valid UTF-8 that SQS refuses raw: it travels escaped and arrives intact.
      message(key, 3, { id: "u-2", city: "Zürich", title: "\u05de\u05e4\u05ea\u05d7", note: "\ufffe marker" }),
    ]);
  });

  it("matches header names trimmed and in any case", async () => {
    const { key, messages } = await ingest("header-case.csv", " ID ,City,  TITLE ,Remote,Team Lead\nh-1,Paris,Dev,no,Ana\n");
    expect(messages).toEqual([message(key, 2, { id: "h-1", city: "Paris", title: "Dev", remote: false, "team lead": "Ana" })]);
  });

  it("decodes keys with spaces, + and unicode, and files the report in the same sub-folder", async () => {
    const name = "2026/Offres été+stage 100%.csv";
    expect(s3EventKey(`${UPLOAD_PREFIX}${name}`)).toBe("job_offers%2F2026%2FOffres+%C3%A9t%C3%A9%2Bstage+100%25.csv");
    const { key, result, report: written, messages } = await ingest(name, "id,city\nk-1,Paris\n");
    expect(key).toBe("job_offers/2026/Offres été+stage 100%.csv");
    expect(result.files[0].report).toBe("reports/2026/Offres été+stage 100%.json");
    expect(written.key).toBe(key);
    expect(messages).toEqual([message(key, 2, { id: "k-1", city: "Paris" })]);
  });

  it("rejects bad values with their line numbers and every reason", async () => {
    const csv = [
      "id,city,salary_min,salary_max,remote,posted_at,url,currency",
      "ok-1,Paris,100,200,no,2026-01-31,http://jobs.example/1,usd",
      "bad-1,Paris,abc,200,maybe,2026-02-30,ftp://jobs.example/2,euro",
      "bad-2,Paris,300,200,,,,",
      ",Lyon,,,,,,",
      "bad/4,Lyon,,,,,,",
    ].join("\n");
    const { key, report: written, messages } = await ingest("bad-values.csv", csv);
    expect(messages).toEqual([
      message(key, 2, {
        id: "ok-1",
        city: "Paris",
        salary_min: 100,
        salary_max: 200,
        remote: false,
        posted_at: "2026-01-31",
        url: "http://jobs.example/1",
        currency: "USD",
      }),
    ]);
    expect(written).toStrictEqual(
      report(key, {
        rows: 5,
        queued: 1,
        rejected: 4,
        errors: [
          {
            line: 3,
            reasons: [
              "salary_min: 'abc' is not a number",
              "remote: 'maybe' is not a yes/no word (true, yes, y, 1, on; false, no, n, 0, off)",
              "currency: must be a three-letter ISO 4217 code such as EUR",
              "posted_at: must be a real calendar date",
              "url: must be an http or https URL",
            ],
          },
          { line: 4, reasons: ["salary_max: must be greater than or equal to salary_min"] },
          { line: 5, reasons: ["id: is required"] },
          { line: 6, reasons: ["id: must not contain '/', '?', '#' or '%'"] },
        ],
      }),
    );
  });

  it("rejects rows whose field count differs from the header's, never shifting values", async () => {
    const csv = 'id,city,title,\nf-1,Paris,Engineer,,extra\nf-2,Lyon\nf-3,Nice,"Dev, senior",\nf-4,Brest,Ops,oops\n';
    const { key, report: written, messages } = await ingest("field-count.csv", csv);
    expect(messages).toEqual([message(key, 4, { id: "f-3", city: "Nice", title: "Dev, senior" })]);
    expect(written.errors).toStrictEqual([
      { line: 2, reasons: ['the row has 5 fields but the header has 4 (quote values that contain commas: "Paris, France")'] },
      { line: 3, reasons: ['the row has 2 fields but the header has 4 (quote values that contain commas: "Paris, France")'] },
      { line: 5, reasons: ["column 4 has no name in the header but holds 'oops'"] },
    ]);
  });

  it("lists the first 1000 rejected rows and counts the rest", async () => {
    const rows = Array.from({ length: 1005 }, (_, index) => `m-${index},`);
    const { report: written } = await ingest("many-bad.csv", ["id,city", ...rows].join("\n"));
    expect(written).toMatchObject({ status: "complete", rows: 1005, queued: 0, rejected: 1005, errorsNotListed: 5 });
    expect(written.errors).toHaveLength(1000);
    expect(written.errors[999]).toEqual({ line: 1001, reasons: ["city: is required"] });
  });

  it("reports a header-only file as complete with no rows", async () => {
    const { key, report: written, messages } = await ingest("header-only.csv", "id,city,title\r\n");
    expect(messages).toEqual([]);
    expect(written).toStrictEqual(report(key, { rows: 0 }));
  });
});

describe("s3-to-sqs: files rejected as a whole", () => {
  const rest = "\nx-1,Paris\n";
  it.each([
    ["zero bytes", "", "the file is empty (0 bytes); a header row naming at least id and city is required"],
    ["only blank lines", "\n\r\n\n", "the file has no header row (only blank lines); a header row naming at least id and city is required"],
    [
      "no city column",
      `id,title${rest}`,
      "header: missing required column(s) city (the first line must name the columns, e.g. id,city,title)",
    ],
    [
      "no header at all",
      `x-1,Paris${rest}`,
      "header: missing required column(s) id, city (the first line must name the columns, e.g. id,city,title)",
    ],
    ["a duplicate column", `id,city,Title, TITLE ${rest}`, "header: column(s) title appear more than once"],
    ["a __proto__ column", `id,city,__proto__${rest}`, "header: '__proto__' is not allowed as a field name"],
    ["a reserved column", `id,city,_version${rest}`, "header: '_version': names starting with '_' are reserved"],
  ])("%s", async (_name, csv, reason) => {
    const { key, report: written, messages } = await ingest("whole-file.csv", csv);
    expect(messages).toEqual([]);
    expect(written).toStrictEqual(report(key, { status: "failed", reason }));
  });

  it("a UTF-16 file", async () => {
    const { key, report: written, messages } = await ingest("utf16.csv", Buffer.from("\ufeffid,city\nw-1,Paris\n", "utf16le"));
    expect(messages).toEqual([]);
    expect(written).toStrictEqual(report(key, { status: "failed", reason: "the file is UTF-16, not UTF-8; save it as CSV UTF-8" }));
  });

  it("a UTF-16 file without a BOM", async () => {
    const { key, report: written } = await ingest("utf16-nobom.csv", Buffer.from("id,city\nw-1,Paris\n", "utf16le"));
    expect(written).toStrictEqual(
      report(key, {
        status: "failed",
        reason: "line 1: contains a NUL byte, so the file is not UTF-8 text (UTF-16 without a BOM?); save it as CSV UTF-8",
      }),
    );
  });

  it("a Windows-1252 file: rows above the bad byte are queued, nothing is stored as U+FFFD", async () => {
    const latin1 = Buffer.from("id,city\nl-1,Paris\nl-2,Montr\xe9al\nl-3,Nice\n", "latin1");
    const { key, report: written, messages } = await ingest("latin1.csv", latin1);
    expect(messages).toEqual([message(key, 2, { id: "l-1", city: "Paris" })]);
    expect(written).toStrictEqual(
      report(key, {
        status: "failed",
        reason: "line 3: contains bytes that are not UTF-8 (was the file saved as Windows-1252 or Latin-1?); save it as CSV UTF-8",
        rows: 1,
        queued: 1,
      }),
    );
  });

  it("an unterminated quote, named by the line it opens on", async () => {
    const csv = 'id,city,title\r\nu-1,Paris,ok\r\n\r\nu-2,Lyon,"never closed\r\nu-3,Nice,x\r\n';
    const { key, report: written, messages } = await ingest("unterminated.csv", csv);
    expect(messages).toEqual([message(key, 2, { id: "u-1", city: "Paris", title: "ok" })]);
    expect(written).toStrictEqual(
      report(key, { status: "failed", reason: "line 4: a quoted field opened in this record is never closed", rows: 1, queued: 1 }),
    );
  });

  it("an unterminated quote in a big file stops at the record size limit instead of reading on", async () => {
    const csv = 'id,city,title\nu-1,Paris,ok\nu-2,Lyon,"never closed\n' + "u-3,Nice,some title\n".repeat(20_000);
    const { key, report: written } = await ingest("unterminated-big.csv", csv);
    expect(written).toStrictEqual(
      report(key, {
        status: "failed",
        reason: "line 3: the record is longer than 65536 characters (is a quote left open?)",
        rows: 1,
        queued: 1,
      }),
    );
  });
});

describe("s3-to-sqs: sending", () => {
  it("sends a file of thousands of rows in batches of ten, and every row arrives", async () => {
    const rows = Array.from({ length: 3000 }, (_, index) => `big-${index},City ${index % 7},Title ${index}`);
    const { key, report: written, messages } = await ingest("big.csv", ["id,city,title", ...rows].join("\n"));
    expect(proxy.actions.get("SendMessage")).toBeUndefined();
    expect(proxy.actions.get("SendMessageBatch")).toBe(300);
    expect(proxy.batches.every((batch) => batch.entries === 10)).toBe(true);
    expect(messages).toHaveLength(3000);
    expect(messages.map((received) => received.job.id)).toEqual(rows.map((row) => row.split(",")[0]));
    expect(messages[2999]).toEqual(message(key, 3001, { id: "big-2999", city: "City 3", title: "Title 2999" }));
    expect(written).toStrictEqual(report(key, { rows: 3000, queued: 3000 }));
  });

  it("keeps each batch within 1 MiB", async () => {
    // Four 10,000-character extras of a 3-byte character: about 120 KB per message, eight per batch.
    const wide = "東".repeat(10_000);
    const header = "id,city,a,b,c,d";
    const rows = Array.from({ length: 20 }, (_, index) => `w-${index},Paris,${Array(4).fill(wide).join(",")}`);
    const { report: written, messages } = await ingest("wide.csv", [header, ...rows].join("\n"));
    // Batches are sent several at a time: they arrive in any order.
    expect(proxy.batches.map((batch) => batch.entries).sort((a, b) => b - a)).toEqual([8, 8, 4]);
    expect(Math.max(...proxy.batches.map((batch) => batch.bytes))).toBeLessThanOrEqual(1_048_576);
    expect(messages.map((received) => received.job.id)).toEqual(rows.map((row) => row.split(",")[0]));
    expect(written.queued).toBe(20);
  });

  it("keeps at most MAX_BATCHES_IN_FLIGHT batches outstanding", async () => {
    proxy.delayBatchesMs = 25;
    const rows = Array.from({ length: 200 }, (_, index) => `win-${index},Paris`);
    const { messages } = await ingest("window.csv", ["id,city", ...rows].join("\n"));
    expect(proxy.maxConcurrentBatches).toBe(4);
    expect(messages).toHaveLength(200);
  });

  it("retries entries SQS reports as failed, and each row arrives once", async () => {
    proxy.failEntries({ match: (body) => /"id":"r-(3|7)"/.test(body), times: 2, senderFault: false });
    const rows = Array.from({ length: 10 }, (_, index) => `r-${index},Paris`);
    const { report: written, messages } = await ingest("retry.csv", ["id,city", ...rows].join("\n"));
    expect(proxy.batches.map((batch) => batch.entries)).toEqual([10, 2, 2]);
    expect(messages.map((received) => received.job.id)).toEqual(rows.map((row) => row.split(",")[0]));
    expect(written).toMatchObject({ status: "complete", rows: 10, queued: 10, rejected: 0 });
  });

  it("lists a row the queue refuses for its content as rejected, without retrying it", async () => {
    proxy.failEntries({ match: (body) => body.includes('"id":"s-2"'), times: Infinity, senderFault: true });
    const { key, report: written, messages } = await ingest("refused.csv", "id,city\ns-1,Paris\ns-2,Lyon\ns-3,Nice\n");
    expect(proxy.batches).toHaveLength(1);
    expect(messages.map((received) => received.job.id)).toEqual(["s-1", "s-3"]);
    expect(written).toStrictEqual(
      report(key, {
        rows: 3,
        queued: 2,
        rejected: 1,
        errors: [{ line: 3, reasons: ["the queue refused the row: InvalidMessageContents: refused by the test"] }],
      }),
    );
  });

  it("writes the report and throws when rows still fail after retries, so Lambda runs the file again", async () => {
    proxy.failEntries({ match: (body) => body.includes('"id":"t-2"'), times: Infinity, senderFault: false });
    const key = `${UPLOAD_PREFIX}throttled.csv`;
    await emulators.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: "id,city\nt-1,Paris\nt-2,Lyon\nt-3,Nice\n" }));
    const event = s3PutEvent({ bucket: BUCKET, key, size: 36, eTag: "x", eventTime: EVENT_TIME });
    await expect(handler(event, lambdaContext())).rejects.toThrow(
      "s3-to-sqs: s3://job-uploads/job_offers/throttled.csv: 1 row(s) could not be queued " +
        "(line 3: still failing after 5 attempts (InternalError: try again)); the upload will be retried",
    );
    expect(proxy.batches.map((batch) => batch.entries)).toEqual([3, 1, 1, 1, 1]);
    expect((await queuedMessages()).map((received) => received.job.id)).toEqual(["t-1", "t-3"]);
    expect(await readReport("reports/throttled.json")).toStrictEqual(
      report(key, {
        status: "failed",
        reason:
          "1 row(s) could not be queued (line 3: still failing after 5 attempts (InternalError: try again)); the upload will be retried",
        rows: 3,
        queued: 2,
      }),
    );
  });
});

describe("s3-to-sqs: events and configuration", () => {
  it("ignores the s3:TestEvent sent when the notification is configured", async () => {
    const before = await emulators.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: REPORT_PREFIX }));
    expect(await handler(s3TestEvent(BUCKET), lambdaContext())).toEqual({ files: [] });
    const after = await emulators.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: REPORT_PREFIX }));
    expect(after.KeyCount).toBe(before.KeyCount);
    expect(proxy.actions.size).toBe(0);
  });

  it("skips events that are not object creations", async () => {
    const event = s3PutEvent({ bucket: BUCKET, key: `${UPLOAD_PREFIX}gone.csv`, size: 0, eTag: "x", eventTime: EVENT_TIME });
    event.Records[0].eventName = "ObjectRemoved:Delete";
    expect(await handler(event, lambdaContext())).toEqual({ files: [] });
    expect(proxy.actions.size).toBe(0);
  });

  it("fails its cold start with one message naming every missing variable", async () => {
    const saved = { ...process.env };
    try {
      for (const name of ["QUEUE_URL", "REPORT_PREFIX", "UPLOAD_PREFIX", "CHECKPOINT_PREFIX", "MAX_BATCHES_IN_FLIGHT"])
        delete process.env[name];
      vi.resetModules();
      await expect(import(HANDLER)).rejects.toThrow(
        "s3-to-sqs: missing environment variable(s) QUEUE_URL, REPORT_PREFIX, UPLOAD_PREFIX, CHECKPOINT_PREFIX, MAX_BATCHES_IN_FLIGHT; " +
          "they are set by the component that deploys this function (QUEUE_URL, REPORT_PREFIX, UPLOAD_PREFIX, CHECKPOINT_PREFIX, MAX_BATCHES_IN_FLIGHT).",
      );
      Object.assign(process.env, handlerEnv(), { MAX_BATCHES_IN_FLIGHT: "0" });
      vi.resetModules();
      await expect(import(HANDLER)).rejects.toThrow("s3-to-sqs: MAX_BATCHES_IN_FLIGHT must be a positive integer, got '0'");
    } finally {
      process.env = saved;
      vi.resetModules();
    }
  });
});
