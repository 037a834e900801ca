import { describe, expect, it } from "vitest";
import { jobVersion } from "../../runtime/jobs/version";
import type { IngestReport } from "../../runtime/s3-to-sqs/report";
import { deadLetterOf, keyOf, readFileRows, reconcile, renderReconciliation, type FileRows } from "../../scripts/lib/reconcile";

const KEY = "job_offers/jobs.csv";
const EVENT_TIME = "2026-11-22T09:30:00.000Z";
const LATER = "2026-11-22T10:00:00.000Z";

async function* chunks(text: string | Buffer): AsyncGenerator<Uint8Array> {
  yield Buffer.from(text);
}

function report(fields: Partial<IngestReport> = {}): IngestReport {
  return { bucket: "b", key: KEY, eventTime: EVENT_TIME, status: "complete", rows: 0, queued: 0, rejected: 0, errors: [], ...fields };
}

const row = (line: number, id: string, city = "Paris") => ({ line, key: { id, city } });

describe("reading the file as s3-to-sqs does", () => {
  it("numbers rows by physical line, keys valid rows and gives the reasons of invalid ones", async () => {
    const file = await readFileRows(
      chunks('\uFEFFID, City ,title\nj-1,Paris,"two\nlines"\nj-2,,Dev\nj-3,Lyon,Dev,extra\n\nj-4,Nice,Ops\n'),
    );
    expect(file).toEqual({
      rows: [
        row(2, "j-1"),
        { line: 4, reasons: ["city: is required"] },
        { line: 5, reasons: [expect.stringMatching(/^the row has 4 fields but the header has 3/)] },
        row(7, "j-4", "Nice"),
      ],
    });
  });

  it("stops where s3-to-sqs stops, with its reason", async () => {
    const file = await readFileRows(chunks('id,city\nj-1,Paris\nj-2,"Lyon\nj-3,Nice\n'));
    expect(file).toEqual({ rows: [row(2, "j-1")], fileError: "line 3: a quoted field opened in this record is never closed" });
    expect(await readFileRows(chunks(""))).toEqual({
      rows: [],
      fileError: "the file is empty (0 bytes); a header row naming at least id and city is required",
    });
    expect((await readFileRows(chunks("id;city\nj-1;Paris\n"))).fileError).toMatch(/semicolon-separated/);
    expect((await readFileRows(chunks("sep=;\nid;city\nj-1;Paris\n"))).fileError).toBe(
      'header: the first line is Excel\'s "sep=;" line: the file is semicolon-separated; export the file with commas between columns (CSV UTF-8)',
    );
    expect((await readFileRows(chunks("sep=,\nid,city\nj-1,Paris\n"))).fileError).toBe(
      'header: the first line is Excel\'s "sep=," line, not the column names: delete that line (the first line must name the columns, e.g. id,city,title)',
    );
  });
});

describe("accounting for every row", () => {
  const file: FileRows = {
    rows: [
      row(2, "stored"),
      row(3, "dup"),
      row(4, "dup"),
      { line: 5, reasons: ["city: is required"] },
      row(6, "dead"),
      row(7, "missing"),
      row(8, "older"),
      row(9, "newer-upload"),
      { line: 10, reasons: ["title: must not contain control characters"] },
    ],
  };
  const table = new Map([
    [keyOf("stored", "Paris"), jobVersion(EVENT_TIME, 2)],
    // The later line of the same key wins: line 3 is superseded, line 4 stored.
    [keyOf("dup", "Paris"), jobVersion(EVENT_TIME, 4)],
    [keyOf("older", "Paris"), jobVersion("2026-11-21T00:00:00.000Z", 8)],
    [keyOf("newer-upload", "Paris"), jobVersion(LATER, 2)],
  ]);
  const deadLetters = [
    deadLetterOf(
      "m-1",
      JSON.stringify({
        job: { id: "dead", city: "Paris" },
        version: jobVersion(EVENT_TIME, 6),
        source: { bucket: "b", key: KEY, line: 6 },
      }),
    ),
    // Another file's line 7 does not account for this file's.
    deadLetterOf(
      "m-2",
      JSON.stringify({
        job: { id: "missing", city: "Paris" },
        version: jobVersion(EVENT_TIME, 7),
        source: { bucket: "b", key: "job_offers/other.csv", line: 7 },
      }),
    ),
    deadLetterOf("m-3", "this is not a job"),
  ];

  it("classifies each row and lists the unaccounted ones with why", () => {
    const result = reconcile({
      objectKey: KEY,
      file,
      report: report({ errors: [{ line: 5, reasons: ["city: is required"] }] }),
      table,
      deadLetters,
    });
    expect(result.counts).toEqual({ stored: 2, superseded: 2, rejected: 1, "dead-lettered": 1, stale: 1, unaccounted: 2 });
    expect(result.unaccounted).toEqual([
      {
        line: 7,
        id: "missing",
        city: "Paris",
        outcome: "unaccounted",
        detail: `not in the table (expected version ${jobVersion(EVENT_TIME, 7)})`,
      },
      {
        line: 8,
        id: "older",
        city: "Paris",
        outcome: "stale",
        detail: expect.stringMatching(/^stale: the table holds the older version 2026-11-21/),
      },
      { line: 10, outcome: "unaccounted", detail: "invalid (title: must not contain control characters) but not in the report" },
    ]);
    expect(result.notes).toEqual([]);
  });

  it("counts invalid rows past the report's listed errors as rejected when the report says some were not listed", () => {
    const result = reconcile({
      objectKey: KEY,
      file: {
        rows: [
          { line: 2, reasons: ["a"] },
          { line: 3, reasons: ["b"] },
        ],
      },
      report: report({ errors: [{ line: 2, reasons: ["a"] }], errorsNotListed: 1 }),
      table: new Map(),
      deadLetters: [],
    });
    expect(result.counts.rejected).toBe(2);
    expect(result.unaccounted).toEqual([]);
  });

  it("without a report nothing valid is accounted for, and it says so, naming what the table holds", () => {
    const result = reconcile({
      objectKey: KEY,
      file: { rows: [row(2, "stored"), row(7, "missing"), { line: 5, reasons: ["city: is required"] }, row(6, "dead")] },
      table,
      deadLetters,
      missingReportHint: "The sandbox keeps objects only until it stops.",
    });
    expect(result.counts).toMatchObject({ unaccounted: 3, "dead-lettered": 1 });
    expect(result.unaccounted).toEqual([
      {
        line: 2,
        id: "stored",
        city: "Paris",
        outcome: "unaccounted",
        detail: `no report: the table holds version ${jobVersion(EVENT_TIME, 2)}, which no report confirms`,
      },
      { line: 7, id: "missing", city: "Paris", outcome: "unaccounted", detail: "no report: not in the table" },
      { line: 5, outcome: "unaccounted", detail: "invalid (city: is required) and no report to list it" },
    ]);
    expect(result.notes).toEqual([
      "no ingestion report for job_offers/jobs.csv: was the file uploaded under that key, and has the upload been processed? The sandbox keeps objects only until it stops.",
    ]);
  });

  it("names a failed upload and a file s3-to-sqs could not read to the end", () => {
    const result = reconcile({
      objectKey: KEY,
      file: { rows: [row(2, "stored")], fileError: "line 3: a quoted field opened in this record is never closed" },
      report: report({ status: "failed", reason: "line 3: a quoted field opened in this record is never closed" }),
      table,
      deadLetters: [],
    });
    expect(result.counts).toMatchObject({ stored: 1, unaccounted: 0 });
    expect(result.notes).toEqual([
      "the report says the upload failed: line 3: a quoted field opened in this record is never closed",
      expect.stringMatching(/^the file stops being readable: line 3: .*never ingested/),
    ]);
  });

  it("says when the file is still being read in parts", () => {
    const result = reconcile({
      objectKey: KEY,
      file: { rows: [row(2, "stored")] },
      report: report({ status: "in-progress", rows: 1 }),
      table,
      deadLetters: [],
    });
    expect(result.notes).toEqual([
      "the report says the upload is still being read in parts (1 row(s) so far): run reconcile again once it is complete",
    ]);
  });

  it("prints the counts and every unaccounted row", () => {
    const result = reconcile({
      objectKey: KEY,
      file,
      report: report({ errors: [{ line: 5, reasons: ["city: is required"] }] }),
      table,
      deadLetters,
    });
    const text = renderReconciliation(KEY, result);
    expect(text).toMatch(/^job_offers\/jobs.csv: 9 row\(s\)$/m);
    expect(text).toMatch(/stale \(older version stored\) +1$/m);
    expect(text).toMatch(/unaccounted +2$/m);
    expect(text).toContain("  line 7 missing / Paris: not in the table");
    expect(text).toContain("  line 10: invalid (title: must not contain control characters) but not in the report");
  });

  it("while the queue still holds messages: the summary and its notes, and the rows only when asked", () => {
    const result = reconcile({
      objectKey: KEY,
      file,
      report: report({ errors: [{ line: 5, reasons: ["city: is required"] }] }),
      table,
      deadLetters,
    });
    expect(renderReconciliation(KEY, result, { listRows: false, inQueue: 18_790 }).split("\n")).toEqual([
      "job_offers/jobs.csv: 9 row(s)",
      "  stored at their version  2",
      "  superseded by a newer write  2",
      "  rejected in the report   1",
      "  in the dead-letter queue 1",
      "  stale (older version stored)  1",
      "  unaccounted              2",
      "note: the jobs queue still holds 18790 message(s); run reconcile again once it is empty",
      "3 row(s) not accounted for are not listed while the queue holds messages: --verbose lists them",
    ]);
    const verbose = renderReconciliation(KEY, result, { listRows: true, inQueue: 18_790 }).split("\n");
    expect(verbose.slice(7)).toEqual([
      "note: the jobs queue still holds 18790 message(s); run reconcile again once it is empty",
      `  line 7 missing / Paris: not in the table (expected version ${jobVersion(EVENT_TIME, 7)})`,
      expect.stringMatching(/^ {2}line 8 older \/ Paris: stale: the table holds the older version 2026-11-21/),
      "  line 10: invalid (title: must not contain control characters) but not in the report",
    ]);
  });
});
