import { describe, expect, it } from "vitest";
import { jobFromCsvRecord, jobFromCsvRecordBySchema } from "../../runtime/jobs/schema";

/**
 * s3-to-sqs validates rows through a written-out fast path before the schema; it must accept
 * exactly what the schema accepts and build the same job, key order included (the job's JSON is
 * the queue message). Every cell below is paired with every other column's cells, at and past
 * each limit, so a limit changed on one side only shows here.
 */
const CELLS: Record<string, string[]> = {
  id: ["j-1", "", " padded ", "a".repeat(256), "a".repeat(257), "a/b", "a%b", "tab\there", "bell\u0007"],
  city: ["Lyon", "São Paulo", "a".repeat(257), "x?y"],
  title: ["Dev", "t".repeat(500), "t".repeat(501), "ctrl\u0001"],
  company: ["Acme", "c".repeat(501)],
  contract_type: ["full-time", "k".repeat(100), "k".repeat(101)],
  salary_min: ["100", "1e3", "-1", "abc", ".5", "Infinity", "1e400"],
  salary_max: ["50", "2000", "+10"],
  currency: ["eur", "EUR", "EURO", "€"],
  remote: ["yes", "NO", "0", "maybe"],
  posted_at: ["2026-11-22", "2026-02-30", "2026-11-22T09:30:00Z", "22/11/2026"],
  url: ["https://x.example/a", "ftp://x", `https://x.example/${"p".repeat(2030)}`, "not a url"],
  description: ["Nice", "d".repeat(10_000), "d".repeat(10_001)],
  Extra: ["kept", "e".repeat(10_001)],
  _private: ["x"],
};

function* records(): Generator<Record<string, string>> {
  const base = { id: "j-1", city: "Lyon" };
  yield base;
  for (const [column, cells] of Object.entries(CELLS)) {
    for (const cell of cells) yield { ...base, [column]: cell };
  }
  // Every pair of columns, with each one's boundary cells: interactions (e.g. min > max).
  const columns = Object.keys(CELLS);
  for (let a = 0; a < columns.length; a++) {
    for (let b = a + 1; b < columns.length; b++) {
      for (const first of CELLS[columns[a]]) {
        for (const second of CELLS[columns[b]]) yield { ...base, [columns[a]]: first, [columns[b]]: second };
      }
    }
  }
  yield { ID: "j-1", id: "j-2", city: "Lyon" };
  yield { id: "j-1" };
  yield { city: "Lyon" };
}

describe("the CSV fast path", () => {
  it("agrees with the schema on every record, key order included", () => {
    let accepted = 0;
    let checked = 0;
    for (const record of records()) {
      const fast = jobFromCsvRecord(record);
      const bySchema = jobFromCsvRecordBySchema(record);
      expect(JSON.stringify(fast), JSON.stringify(record).slice(0, 200)).toBe(JSON.stringify(bySchema));
      if (fast.ok) accepted++;
      checked++;
    }
    // Both outcomes are exercised many times over, so agreement is not agreement on failures only.
    expect(checked).toBeGreaterThan(1000);
    expect(accepted).toBeGreaterThan(300);
    expect(checked - accepted).toBeGreaterThan(300);
  });
});
