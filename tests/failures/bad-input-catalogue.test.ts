import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { cursorCodec } from "../../runtime/jobs/cursor";
import { jobVersion } from "../../runtime/jobs/version";
import { eventually, repoRoot, startTestSandbox, type TestSandbox } from "../support/sandbox-harness";

/**
 * The bad-input catalogue: every kind of bad CSV and bad API request a user can
 * send, each with its exact outcome, through the product's own program in the sandbox. For CSV
 * files the outcome is one of: rows ingested, a row rejected with its line and reason, or the whole
 * file `failed` with a reason naming the line. Nothing is lost: every row the report counts is in
 * the table at its version or among the report's errors, and rows after a file-level failure are
 * accounted for by that failure's line.
 */

type Item = Record<string, unknown>;

interface CsvCase {
  /** Name of the upload below the prefix (without `.csv`); its rows' ids start with it. */
  file: string;
  why: string;
  body: string | Buffer;
  status: "complete" | "failed";
  reason?: RegExp;
  /** Every row that must be in the table, with the line it came from. */
  stored: Array<{ line: number; job: Item }>;
  rejected: Array<{ line: number; reason: RegExp }>;
}

const csv = (...lines: string[]) => lines.map((line) => `${line}\n`).join("");
const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((part) => (typeof part === "string" ? Buffer.from(part, "utf8") : Buffer.from(part))));
const longText = (length: number) => "x".repeat(length);

const CSV_CASES: CsvCase[] = [
  {
    file: "bom",
    why: "a UTF-8 byte order mark before the header",
    body: `\uFEFF${csv("id,city,title", "bom-1,Paris,Dev")}`,
    status: "complete",
    stored: [{ line: 2, job: { id: "bom-1", city: "Paris", title: "Dev" } }],
    rejected: [],
  },
  ...(
    [
      ["crlf", "\r\n"],
      ["lf", "\n"],
      ["cr", "\r"],
    ] as const
  ).map(([file, end]): CsvCase => ({
    file,
    why: `${JSON.stringify(end)} line ends: the rejected row is named by its physical line`,
    body: ["id,city,title", `${file}-1,Paris,Dev`, `${file}-2,,Dev`, `${file}-3,Lyon,Ops`, ""].join(end),
    status: "complete",
    stored: [
      { line: 2, job: { id: `${file}-1`, city: "Paris", title: "Dev" } },
      { line: 4, job: { id: `${file}-3`, city: "Lyon", title: "Ops" } },
    ],
    rejected: [{ line: 3, reason: /^city: is required$/ }],
  })),
  {
    file: "quoted",
    why: "quoted commas, doubled quotes and line breaks inside a field",
    body: csv(
      "id,city,title,description",
      'quoted-1,"Paris, France","He said ""hi""","first line',
      "second line\r",
      'third"',
      "quoted-2,Lyon,Dev,",
    ),
    status: "complete",
    stored: [
      { line: 2, job: { id: "quoted-1", city: "Paris, France", title: 'He said "hi"', description: "first line\nsecond line\r\nthird" } },
      { line: 5, job: { id: "quoted-2", city: "Lyon", title: "Dev" } },
    ],
    rejected: [],
  },
  {
    file: "unterminated",
    why: "an unterminated quote: the rows before it are ingested, the file fails at the line it opens on",
    body: csv("id,city,title", "unterminated-1,Paris,Dev", 'unterminated-2,"Lyon,Dev', "unterminated-3,Nice,Ops"),
    status: "failed",
    reason: /^line 3: a quoted field opened in this record is never closed$/,
    stored: [{ line: 2, job: { id: "unterminated-1", city: "Paris", title: "Dev" } }],
    rejected: [],
  },
  {
    file: "stray",
    why: "a stray quote inside an unquoted value is text",
    body: csv("id,city,title", 'stray-1,Paris,27" screen repair'),
    status: "complete",
    stored: [{ line: 2, job: { id: "stray-1", city: "Paris", title: '27" screen repair' } }],
    rejected: [],
  },
  {
    file: "after-quote",
    why: "text after a closing quote is ambiguous: the file fails at that line",
    body: csv("id,city,title", "after-quote-1,Paris,Dev", 'after-quote-2,Lyon,"Dev"ops', "after-quote-3,Nice,Ops"),
    status: "failed",
    reason: /^line 3: a closing quote is followed by other characters/,
    stored: [{ line: 2, job: { id: "after-quote-1", city: "Paris", title: "Dev" } }],
    rejected: [],
  },
  {
    file: "latin1",
    why: "Windows-1252 bytes: rejected from the bad byte on, never stored as U+FFFD",
    body: bytes(csv("id,city,title", "latin1-1,Paris,Dev"), "latin1-2,M", [0xfc], "nchen,Ops\nlatin1-3,Nice,Ops\n"),
    status: "failed",
    reason: /^line 3: contains bytes that are not UTF-8/,
    stored: [{ line: 2, job: { id: "latin1-1", city: "Paris", title: "Dev" } }],
    rejected: [],
  },
  {
    file: "utf16",
    why: "UTF-16 with a byte order mark",
    body: bytes([0xff, 0xfe], Buffer.from(csv("id,city", "utf16-1,Paris"), "utf16le").toString("latin1")),
    status: "failed",
    reason: /UTF-16, not UTF-8/,
    stored: [],
    rejected: [],
  },
  {
    file: "utf16-nobom",
    why: "UTF-16 without a byte order mark",
    body: Buffer.from(csv("id,city", "utf16-nobom-1,Paris"), "utf16le"),
    status: "failed",
    reason: /^line 1: contains a NUL byte/,
    stored: [],
    rejected: [],
  },
  {
    file: "zero-bytes",
    why: "a zero-byte file",
    body: Buffer.alloc(0),
    status: "failed",
    reason: /^the file is empty \(0 bytes\)/,
    stored: [],
    rejected: [],
  },
  {
    file: "header-only",
    why: "a header and no rows",
    body: csv("id,city,title"),
    status: "complete",
    stored: [],
    rejected: [],
  },
  {
    file: "no-header",
    why: "data where the header should be",
    body: csv("no-header-1,Paris,Dev", "no-header-2,Lyon,Ops"),
    status: "failed",
    reason: /^header: missing required column\(s\) id, city/,
    stored: [],
    rejected: [],
  },
  {
    file: "duplicate-header",
    why: "a column named twice (names are matched trimmed and case-insensitively)",
    body: csv("id,city,Title, title ", "duplicate-header-1,Paris,Dev,Ops"),
    status: "failed",
    reason: /^header: column\(s\) title appear more than once$/,
    stored: [],
    rejected: [],
  },
  {
    file: "no-city-column",
    why: "no city column",
    body: csv("id,title", "no-city-column-1,Dev"),
    status: "failed",
    reason: /^header: missing required column\(s\) city /,
    stored: [],
    rejected: [],
  },
  {
    file: "no-id-column",
    why: "no id column",
    body: csv("city,title", "Paris,Dev"),
    status: "failed",
    reason: /^header: missing required column\(s\) id /,
    stored: [],
    rejected: [],
  },
  {
    file: "empty-keys",
    why: "empty or blank id and city values",
    body: csv("id,city,title", ",Paris,Dev", "empty-keys-2,,Dev", "empty-keys-3,   ,Dev", "empty-keys-4,Lyon,Dev"),
    status: "complete",
    stored: [{ line: 5, job: { id: "empty-keys-4", city: "Lyon", title: "Dev" } }],
    rejected: [
      { line: 2, reason: /^id: is required$/ },
      { line: 3, reason: /^city: is required$/ },
      { line: 4, reason: /^city: is required$/ },
    ],
  },
  {
    file: "field-count",
    why: "rows with more or fewer fields than the header are rejected, never shifted",
    body: csv("id,city,title", "field-count-1,Paris,Dev,extra", "field-count-2,Lyon", "field-count-3,Nice,Ops"),
    status: "complete",
    stored: [{ line: 4, job: { id: "field-count-3", city: "Nice", title: "Ops" } }],
    rejected: [
      { line: 2, reason: /^the row has 4 fields but the header has 3/ },
      { line: 3, reason: /^the row has 2 fields but the header has 3/ },
    ],
  },
  {
    file: "long-field",
    why: "a field over 10,000 characters rejects its row",
    body: csv(
      "id,city,description,notes",
      `long-field-1,Paris,${longText(10_001)},`,
      `long-field-2,Lyon,${longText(10_000)},${longText(10_001)}`,
      "long-field-3,Nice,short,",
    ),
    status: "complete",
    stored: [{ line: 4, job: { id: "long-field-3", city: "Nice", description: "short" } }],
    rejected: [
      { line: 2, reason: /^description: must be at most 10000 characters$/ },
      { line: 3, reason: /^notes: must be at most 10000 characters$/ },
    ],
  },
  {
    file: "long-record",
    why: "a record over the 64 KiB bound fails the file at its line instead of growing without limit",
    body: csv("id,city,description", "long-record-1,Paris,Dev", `long-record-2,Lyon,"${longText(70_000)}"`, "long-record-3,Nice,Ops"),
    status: "failed",
    reason: /^line 3: the record is longer than 65536 characters/,
    stored: [{ line: 2, job: { id: "long-record-1", city: "Paris", description: "Dev" } }],
    rejected: [],
  },
  {
    file: "semicolons",
    why: "a semicolon-delimited export gets a reason that says so",
    body: csv("id;city;title", "semicolons-1;Paris;Dev"),
    status: "failed",
    reason: /^header: missing required column\(s\) id, city: the header looks semicolon-separated/,
    stored: [],
    rejected: [],
  },
  {
    file: "excel-sep",
    why: "Excel's separator line (sep=;) is named as such, with the fix",
    body: csv("sep=;", "id;city;title", "excel-sep-1;Paris;Dev"),
    status: "failed",
    reason:
      /^header: the first line is Excel's "sep=;" line: the file is semicolon-separated; export the file with commas between columns \(CSV UTF-8\)$/,
    stored: [],
    rejected: [],
  },
  {
    file: "control",
    why: "control characters in a value reject the row; a tab is text",
    body: csv("id,city,title", "control-1,Paris,Dev\u0007ops", "control-2,Lyon,Dev\u001bops", "control-3,Nice,Dev\tops"),
    status: "complete",
    stored: [{ line: 4, job: { id: "control-3", city: "Nice", title: "Dev\tops" } }],
    rejected: [
      { line: 2, reason: /^title: must not contain control characters$/ },
      { line: 3, reason: /^title: must not contain control characters$/ },
    ],
  },
  {
    file: "formulas",
    why: "formula-like cells and unknown columns are stored as text, unchanged",
    body: csv(
      "id,city,title,company,note",
      'formulas-1,Paris,=HYPERLINK("http://evil.example"),+33 1 23 45,@SUM(A1)',
      "formulas-2,Lyon,-2+3,=1+1,",
    ),
    status: "complete",
    stored: [
      {
        line: 2,
        job: { id: "formulas-1", city: "Paris", title: '=HYPERLINK("http://evil.example")', company: "+33 1 23 45", note: "@SUM(A1)" },
      },
      { line: 3, job: { id: "formulas-2", city: "Lyon", title: "-2+3", company: "=1+1" } },
    ],
    rejected: [],
  },
  {
    file: "key with space+plus-é",
    why: "an object key with a space, a + and unicode: its report sits under the same name",
    body: csv("id,city", "key with space+plus-é-1,São Paulo"),
    status: "complete",
    stored: [{ line: 2, job: { id: "key with space+plus-é-1", city: "São Paulo" } }],
    rejected: [],
  },
];

interface Report {
  status: string;
  reason?: string;
  eventTime: string;
  rows: number;
  queued: number;
  rejected: number;
  errors: Array<{ line: number; reasons: string[] }>;
}

let local: TestSandbox;
let bucket: string;
const reports = new Map<string, Report>();
let table: Item[] = [];

async function readObject(key: string): Promise<string | undefined> {
  try {
    const object = await local.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await object.Body!.transformToString();
  } catch {
    return undefined;
  }
}

async function scanTable(): Promise<Item[]> {
  const items: Item[] = [];
  let ExclusiveStartKey: Record<string, never> | undefined;
  do {
    const page = await local.dynamo.send(new ScanCommand({ TableName: local.output("tableName"), ExclusiveStartKey }));
    items.push(...(page.Items ?? []).map((item) => unmarshall(item)));
    ExclusiveStartKey = page.LastEvaluatedKey as typeof ExclusiveStartKey;
  } while (ExclusiveStartKey);
  return items;
}

/** The jobs queue holds nothing, visible or in flight, twice in a row. */
async function queueQuiet(): Promise<void> {
  let quietChecks = 0;
  await eventually(
    async () => {
      const { Attributes } = await local.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: local.output("queueUrl"),
          AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        }),
      );
      const busy = Number(Attributes?.ApproximateNumberOfMessages) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible);
      quietChecks = busy === 0 ? quietChecks + 1 : 0;
      return quietChecks >= 3 || undefined;
    },
    30_000,
    "the jobs queue to be empty",
  );
}

beforeAll(async () => {
  local = await startTestSandbox({ programDir: repoRoot });
  bucket = local.output("bucketName");
  const prefix = local.output("uploadPrefix");
  // Uploaded first, so that their notifications (if any fired) would come before the others' reports.
  await local.s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: "elsewhere/outside-prefix.csv", Body: csv("id,city", "outside-1,Paris") }),
  );
  await local.s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: `${prefix}outside-suffix.txt`, Body: csv("id,city", "outside-2,Paris") }),
  );
  await Promise.all(
    CSV_CASES.map((item) => local.s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}${item.file}.csv`, Body: item.body }))),
  );
  await Promise.all(
    CSV_CASES.map(async (item) => {
      const text = await eventually(() => readObject(`reports/${item.file}.json`), 30_000, `the report of ${item.file}`);
      reports.set(item.file, JSON.parse(text));
    }),
  );
  await queueQuiet();
  table = await scanTable();
}, 90_000);

afterAll(async () => {
  await local?.stop();
});

describe("bad CSV input, uploaded to the sandbox", () => {
  it.each(CSV_CASES)("$file: $why", (item) => {
    const report = reports.get(item.file)!;
    expect(report.status).toBe(item.status);
    if (item.reason) expect(report.reason).toMatch(item.reason);
    else expect(report.reason).toBeUndefined();

    // The report's counts hold together: every row it saw was queued or rejected.
    expect(report.queued).toBe(item.stored.length);
    expect(report.rejected).toBe(item.rejected.length);
    expect(report.rows).toBe(report.queued + report.rejected);
    expect(report.errors.map((error) => error.line)).toEqual(item.rejected.map((row) => row.line));
    report.errors.forEach((error, index) => {
      expect(error.reasons.join("; ")).toMatch(item.rejected[index].reason);
    });

    // Exactly the expected rows are stored, each at the version of its upload and line.
    const mine = table.filter((job) => String(job.id).startsWith(`${item.file}-`));
    const expected = item.stored.map(({ line, job }) => ({ ...job, _version: jobVersion(report.eventTime, line) }));
    const byKey = (a: Item, b: Item) => `${a.id}/${a.city}`.localeCompare(`${b.id}/${b.city}`);
    expect(mine.sort(byKey)).toEqual(expected.sort(byKey));
  });

  it("never stores a replacement character (U+FFFD) from a file that is not UTF-8", () => {
    expect(table.filter((job) => JSON.stringify(job).includes("\uFFFD"))).toEqual([]);
  });

  it("does not ingest objects outside the upload prefix or without the .csv suffix", async () => {
    const triggered = local.reporter.invocations.filter((invocation) => invocation.trigger.detail.includes("outside-"));
    expect(triggered).toEqual([]);
    expect(await readObject("reports/outside-suffix.txt.json")).toBeUndefined();
    expect(await readObject("reports/elsewhere/outside-prefix.json")).toBeUndefined();
    expect(table.filter((job) => String(job.id).startsWith("outside-"))).toEqual([]);
  });

  it("answers S3's s3:TestEvent without reading anything", async () => {
    const testEvent = {
      Service: "Amazon S3",
      Event: "s3:TestEvent",
      Time: new Date().toISOString(),
      Bucket: bucket,
      RequestId: "TEST",
      HostId: "TEST",
    };
    const response = await fetch(`${local.sandbox.awsEndpoint}/2015-03-31/functions/${local.output("s3ToSqsFunctionName")}/invocations`, {
      method: "POST",
      body: JSON.stringify(testEvent),
    });
    expect(response.headers.get("x-amz-function-error")).toBeNull();
    expect(await response.json()).toEqual({ files: [] });
  });
});

// ---------------------------------------------------------------------------------------------

interface ApiCase {
  why: string;
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** The raw path after the stage, sent as is (no client-side normalization of `..` or escapes). */
  path: string | ((fixtures: ApiFixtures) => string);
  contentType?: string;
  body?: string;
  status: number;
  /** The error's `code`, for error responses. */
  code?: string;
  /** A detail the error must carry. */
  detail?: { field: string; message: RegExp };
  /** What a successful response must contain. */
  result?: Item;
}

interface ApiFixtures {
  /** `nextCursor` of the first page of CursorTown with limit=1. */
  cursor: string;
}

const job = (fields: Item) => JSON.stringify({ id: "api-1", city: "Paris", ...fields });
const overlong = "a".repeat(300);

const API_CASES: ApiCase[] = [
  { why: "invalid JSON", method: "POST", path: "/v1/jobs", body: '{"id":"api-1",', status: 400, code: "invalid_json" },
  { why: "an empty body", method: "POST", path: "/v1/jobs", body: "", status: 400, code: "invalid_json" },
  {
    why: "a JSON array",
    method: "POST",
    path: "/v1/jobs",
    body: "[" + job({}) + "]",
    status: 400,
    code: "validation_failed",
    detail: { field: "body", message: /must be a JSON object/ },
  },
  {
    why: "a JSON string",
    method: "POST",
    path: "/v1/jobs",
    body: '"api-1"',
    status: 400,
    code: "validation_failed",
    detail: { field: "body", message: /must be a JSON object/ },
  },
  {
    why: "JSON null",
    method: "POST",
    path: "/v1/jobs",
    body: "null",
    status: 400,
    code: "validation_failed",
    detail: { field: "body", message: /must be a JSON object/ },
  },
  {
    why: "content-type text/plain",
    method: "POST",
    path: "/v1/jobs",
    contentType: "text/plain",
    body: job({}),
    status: 415,
    code: "unsupported_media_type",
  },
  { why: "no content-type", method: "POST", path: "/v1/jobs", contentType: "", body: job({}), status: 415, code: "unsupported_media_type" },
  {
    why: "a charset other than UTF-8",
    method: "PUT",
    path: "/v1/jobs/api-1/Paris",
    contentType: "application/json; charset=iso-8859-1",
    body: job({}),
    status: 415,
    code: "unsupported_media_type",
  },
  {
    why: "a body over 64 KiB",
    method: "POST",
    path: "/v1/jobs",
    body: job({ description: longText(70_000) }),
    status: 413,
    code: "payload_too_large",
  },
  {
    why: "an unknown string field is kept",
    method: "POST",
    path: "/v1/jobs",
    body: JSON.stringify({ id: "api-extra", city: "Paris", team: "data" }),
    status: 201,
    result: { id: "api-extra", city: "Paris", team: "data" },
  },
  {
    why: "an unknown field that is not a string",
    method: "POST",
    path: "/v1/jobs",
    body: job({ headcount: 3 }),
    status: 400,
    code: "validation_failed",
    detail: { field: "headcount", message: /unknown fields must be strings/ },
  },
  {
    why: "a __proto__ key",
    method: "POST",
    path: "/v1/jobs",
    body: '{"id":"api-1","city":"Paris","__proto__":{"admin":true}}',
    status: 400,
    code: "validation_failed",
    detail: { field: "__proto__", message: /not allowed/ },
  },
  {
    why: "a __proto__ key holding a string",
    method: "PUT",
    path: "/v1/jobs/api-1/Paris",
    body: '{"__proto__":"x"}',
    status: 400,
    code: "validation_failed",
    detail: { field: "__proto__", message: /not allowed/ },
  },
  {
    why: "a constructor key",
    method: "POST",
    path: "/v1/jobs",
    body: job({ constructor: "x" }),
    status: 400,
    code: "validation_failed",
    detail: { field: "constructor", message: /not allowed/ },
  },
  {
    why: "a prototype key",
    method: "POST",
    path: "/v1/jobs",
    body: job({ prototype: "x" }),
    status: 400,
    code: "validation_failed",
    detail: { field: "prototype", message: /not allowed/ },
  },
  {
    why: "a reserved _ name (the store's _version)",
    method: "POST",
    path: "/v1/jobs",
    body: job({ _version: "9999" }),
    status: 400,
    code: "validation_failed",
    detail: { field: "_version", message: /reserved/ },
  },
  {
    why: "a number as id",
    method: "POST",
    path: "/v1/jobs",
    body: JSON.stringify({ id: 42, city: "Paris" }),
    status: 400,
    code: "validation_failed",
    detail: { field: "id", message: /must be a string/ },
  },
  {
    why: "a number sent as a string",
    method: "POST",
    path: "/v1/jobs",
    body: job({ salary_min: "100" }),
    status: 400,
    code: "validation_failed",
    detail: { field: "salary_min", message: /must be a number/ },
  },
  {
    why: "a boolean sent as a word",
    method: "POST",
    path: "/v1/jobs",
    body: job({ remote: "yes" }),
    status: 400,
    code: "validation_failed",
    detail: { field: "remote", message: /must be a boolean/ },
  },
  {
    why: "an object as a title",
    method: "POST",
    path: "/v1/jobs",
    body: job({ title: { text: "Dev" } }),
    status: 400,
    code: "validation_failed",
    detail: { field: "title", message: /must be a string/ },
  },
  {
    why: "salary_min above salary_max",
    method: "POST",
    path: "/v1/jobs",
    body: job({ salary_min: 5, salary_max: 4 }),
    status: 400,
    code: "validation_failed",
    detail: { field: "salary_max", message: /greater than or equal/ },
  },
  {
    why: "an impossible date",
    method: "POST",
    path: "/v1/jobs",
    body: job({ posted_at: "2026-02-30" }),
    status: 400,
    code: "validation_failed",
    detail: { field: "posted_at", message: /real calendar date/ },
  },
  {
    why: "a %2F inside the id (HTTP APIs decode it into a path separator)",
    method: "PUT",
    path: "/v1/jobs/a%2Fb/Paris",
    body: "{}",
    status: 404,
    code: "not_found",
  },
  { why: "a %2F inside the id, read", method: "GET", path: "/v1/jobs/a%2Fb/Paris", status: 404, code: "not_found" },
  {
    why: "an id with a % once decoded",
    method: "PUT",
    path: "/v1/jobs/100%2525/Paris",
    body: "{}",
    status: 400,
    code: "validation_failed",
    detail: { field: "id", message: /must not contain/ },
  },
  {
    why: "a .. segment",
    method: "GET",
    path: "/v1/jobs/../Paris",
    status: 400,
    code: "bad_request",
    detail: { field: "path", message: /'\.' and '\.\.'/ },
  },
  {
    why: "an escaped .. segment",
    method: "PUT",
    path: "/v1/jobs/%2E%2E/Paris",
    body: "{}",
    status: 400,
    code: "bad_request",
    detail: { field: "path", message: /'\.' and '\.\.'/ },
  },
  {
    why: "unicode path parameters",
    method: "PUT",
    path: "/v1/jobs/api-%C3%BC/S%C3%A3o%20Paulo",
    body: '{"title":"Dev"}',
    status: 200,
    result: { id: "api-ü", city: "São Paulo", title: "Dev" },
  },
  {
    why: "unicode path parameters, read back",
    method: "GET",
    path: "/v1/jobs/api-%C3%BC/S%C3%A3o%20Paulo",
    status: 200,
    result: { id: "api-ü", city: "São Paulo", title: "Dev" },
  },
  { why: "an overlong id, read", method: "GET", path: `/v1/jobs/${overlong}/Paris`, status: 404, code: "not_found" },
  {
    why: "an overlong id, written",
    method: "PUT",
    path: `/v1/jobs/${overlong}/Paris`,
    body: "{}",
    status: 400,
    code: "validation_failed",
    detail: { field: "id", message: /at most 256 characters/ },
  },
  {
    why: "an overlong city filter",
    method: "GET",
    path: `/v1/jobs?city=${overlong}`,
    status: 400,
    code: "bad_request",
    detail: { field: "city", message: /1 to 256 characters/ },
  },
  {
    why: "a tampered cursor signature",
    method: "GET",
    path: ({ cursor }) => `/v1/jobs?city=CursorTown&limit=1&cursor=${flipLast(cursor)}`,
    status: 400,
    code: "invalid_cursor",
    detail: { field: "cursor", message: /signature does not match/ },
  },
  {
    why: "a tampered cursor payload",
    method: "GET",
    path: ({ cursor }) => `/v1/jobs?city=CursorTown&limit=1&cursor=${repayload(cursor)}`,
    status: 400,
    code: "invalid_cursor",
    detail: { field: "cursor", message: /signature does not match/ },
  },
  {
    why: "a cursor signed with another key",
    method: "GET",
    path: () =>
      `/v1/jobs?city=CursorTown&limit=1&cursor=${cursorCodec("not-the-stack-key").encode({ id: "cursor-1", city: "CursorTown" }, { city: "CursorTown" })}`,
    status: 400,
    code: "invalid_cursor",
    detail: { field: "cursor", message: /signature does not match/ },
  },
  {
    why: "a cursor of another city's listing",
    method: "GET",
    path: ({ cursor }) => `/v1/jobs?city=Paris&limit=1&cursor=${cursor}`,
    status: 400,
    code: "invalid_cursor",
    detail: { field: "cursor", message: /different listing/ },
  },
  {
    why: "a city's cursor on the unfiltered listing",
    method: "GET",
    path: ({ cursor }) => `/v1/jobs?limit=1&cursor=${cursor}`,
    status: 400,
    code: "invalid_cursor",
    detail: { field: "cursor", message: /different listing/ },
  },
  {
    why: "a cursor that is not one",
    method: "GET",
    path: "/v1/jobs?cursor=abc",
    status: 400,
    code: "invalid_cursor",
    detail: { field: "cursor", message: /malformed/ },
  },
  ...["0", "101", "-1", "abc", "1.5", "", "1e2", "0x10"].map((limit): ApiCase => ({
    why: `limit=${limit}`,
    method: "GET",
    path: `/v1/jobs?limit=${limit}`,
    status: 400,
    code: "bad_request",
    detail: { field: "limit", message: /integer from 1 to 100/ },
  })),
  {
    why: "limit given twice",
    method: "GET",
    path: "/v1/jobs?limit=1&limit=2",
    status: 400,
    code: "bad_request",
    detail: { field: "limit", message: /at most once/ },
  },
];

function flipLast(cursor: string): string {
  const last = cursor.at(-1) === "A" ? "B" : "A";
  return cursor.slice(0, -1) + last;
}

/** The same signature over another key: a client trying to start elsewhere. */
function repayload(cursor: string): string {
  const [payload, signature] = cursor.split(".");
  const body = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  body.k.id = "cursor-0";
  return `${Buffer.from(JSON.stringify(body)).toString("base64url")}.${signature}`;
}

/** A request sent byte for byte: fetch would resolve `..` and re-escape the path first. */
function send(
  method: string,
  path: string,
  options: { contentType?: string; body?: string; auth?: boolean } = {},
): Promise<{ status: number; body: string }> {
  const api = new URL(local.output("apiUrl"));
  const headers: Record<string, string> = {};
  if (options.contentType) headers["content-type"] = options.contentType;
  if (options.auth) headers.authorization = `Bearer ${local.sandbox.outputs.secrets["job-offers:apiToken"]}`;
  if (options.body !== undefined) headers["content-length"] = String(Buffer.byteLength(options.body));
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: api.hostname, port: api.port, method, path: `${api.pathname}${path}`, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      response.on("error", reject);
    });
    outgoing.on("error", reject);
    outgoing.end(options.body);
  });
}

describe("bad API requests, against the sandbox's HTTP API", () => {
  const fixtures = {} as ApiFixtures;

  beforeAll(async () => {
    for (const id of ["cursor-1", "cursor-2", "cursor-3"]) {
      const put = await send("PUT", `/v1/jobs/${id}/CursorTown`, { contentType: "application/json", body: "{}", auth: true });
      expect(put.status).toBe(200);
    }
    const first = JSON.parse((await send("GET", "/v1/jobs?city=CursorTown&limit=1")).body);
    fixtures.cursor = first.nextCursor;
    expect(fixtures.cursor).toEqual(expect.any(String));
  });

  it.each(API_CASES)("$method $path: $why -> $status", async (item) => {
    const path = typeof item.path === "function" ? item.path(fixtures) : item.path;
    const write = item.method !== "GET";
    const response = await send(item.method, path, {
      contentType: item.contentType ?? (item.body !== undefined ? "application/json" : undefined),
      body: item.body,
      auth: write,
    });
    expect(response.status, response.body).toBe(item.status);
    const body = JSON.parse(response.body);
    if (item.code) expect(body.error.code).toBe(item.code);
    if (item.detail) {
      expect(body.error.details).toContainEqual({ field: item.detail.field, message: expect.stringMatching(item.detail.message) });
    }
    if (item.result) expect(body).toMatchObject(item.result);
  });

  it("a replayed cursor gives the same next page every time", async () => {
    const path = `/v1/jobs?city=CursorTown&limit=1&cursor=${fixtures.cursor}`;
    const [once, again] = [await send("GET", path), await send("GET", path)];
    expect(once.status).toBe(200);
    expect(JSON.parse(again.body)).toEqual(JSON.parse(once.body));
    expect(JSON.parse(once.body).items).toEqual([expect.objectContaining({ city: "CursorTown" })]);
  });
});
