import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { BOOLEAN_WORDS, extraNameProblem, FALSE_WORDS, normalizeFieldName, TRUE_WORDS } from "../../runtime/jobs/fields";
import { jobFromCsvRecord, jobFromJson } from "../../runtime/jobs/schema";

const base = { id: "j-1", city: "Paris" };

function csvErrors(record: Record<string, string>) {
  const result = jobFromCsvRecord({ ...base, ...record });
  return result.ok ? [] : result.errors;
}

function jsonErrors(body: Record<string, unknown>) {
  const result = jobFromJson({ ...base, ...body });
  return result.ok ? [] : result.errors;
}

describe("jobFromCsvRecord", () => {
  it("types every known column and keeps other columns as strings", () => {
    const result = jobFromCsvRecord({
      ID: " j-1 ",
      " City": "São Paulo",
      title: "Backend engineer",
      company: "Acme",
      contract_type: "CDI",
      salary_min: "45000",
      salary_max: "6.5e4",
      currency: "eur",
      remote: "Yes",
      posted_at: "2026-11-22T09:30:00+01:00",
      url: "https://jobs.example/j-1?ref=csv",
      description: "Line one\nLine two",
      team: " Platform ",
      empty_extra: "   ",
      title_fr: "",
    });
    expect(result).toEqual({
      ok: true,
      job: {
        id: "j-1",
        city: "São Paulo",
        title: "Backend engineer",
        company: "Acme",
        contract_type: "CDI",
        salary_min: 45000,
        salary_max: 65000,
        currency: "EUR",
        remote: true,
        posted_at: "2026-11-22T09:30:00+01:00",
        url: "https://jobs.example/j-1?ref=csv",
        description: "Line one\nLine two",
        team: "Platform",
      },
    });
  });

  it.each([
    ["true", true],
    ["YES", true],
    ["y", true],
    ["1", true],
    ["on", true],
    ["false", false],
    ["No", false],
    ["n", false],
    ["0", false],
    ["OFF", false],
  ])("reads remote %j as %j", (word, value) => {
    expect(jobFromCsvRecord({ ...base, remote: word })).toEqual({ ok: true, job: { ...base, remote: value } });
  });

  it("names the boolean words it reads in its error message and in docs/program.md", () => {
    for (const word of [...TRUE_WORDS, ...FALSE_WORDS]) expect(jobFromCsvRecord({ ...base, remote: word.toUpperCase() }).ok).toBe(true);
    const docs = readFileSync(resolve(__dirname, "../../docs/program.md"), "utf8");
    expect(docs).toContain(`\`remote\` (${BOOLEAN_WORDS}, in any case)`);
  });

  it.each([
    ["0", 0],
    ["+12", 12],
    ["1.5", 1.5],
    [".5", 0.5],
    ["3.", 3],
    ["1e3", 1000],
  ])("reads the number %j", (text, value) => {
    expect(jobFromCsvRecord({ ...base, salary_min: text })).toEqual({ ok: true, job: { ...base, salary_min: value } });
  });

  it.each([
    [{ salary_min: "abc" }, "salary_min", "'abc' is not a number"],
    [{ salary_max: "12k" }, "salary_max", "'12k' is not a number"],
    [{ salary_min: "1,000" }, "salary_min", "'1,000' is not a number"],
    [{ salary_max: "Infinity" }, "salary_max", "'Infinity' is not a number"],
    [{ salary_min: "-1" }, "salary_min", "must not be negative"],
    [{ remote: "maybe" }, "remote", "'maybe' is not a yes/no word (true, yes, y, 1, on; false, no, n, 0, off)"],
    [{ currency: "euro" }, "currency", "must be a three-letter ISO 4217 code such as EUR"],
    [{ currency: "€" }, "currency", "must be a three-letter ISO 4217 code such as EUR"],
    [{ posted_at: "22/11/2026" }, "posted_at", "must be an ISO 8601 date such as 2026-11-22 or 2026-11-22T09:30:00Z"],
    [{ posted_at: "2026-13-01" }, "posted_at", "must be a real calendar date"],
    [{ posted_at: "2026-02-30" }, "posted_at", "must be a real calendar date"],
    [{ url: "ftp://files.example/j" }, "url", "must be an http or https URL"],
    [{ url: "jobs.example/j-1" }, "url", "must be an http or https URL"],
    [{ title: "a\u0007b" }, "title", "must not contain control characters"],
    [{ title: "x".repeat(501) }, "title", "must be at most 500 characters"],
    [{ contract_type: "x".repeat(101) }, "contract_type", "must be at most 100 characters"],
    [{ description: "x".repeat(10_001) }, "description", "must be at most 10000 characters"],
    [{ id: "a/b" }, "id", "must not contain '/', '?', '#' or '%'"],
    [{ city: "x".repeat(257) }, "city", "must be at most 256 characters"],
    [{ note: "x".repeat(10_001) }, "note", "must be at most 10000 characters"],
    [{ note: "tab\tok but bell \u0007" }, "note", "must not contain control characters"],
  ])("rejects %j with the column's name and why", (record, field, message) => {
    expect(csvErrors(record)).toEqual([{ field, message }]);
  });

  it("requires id and city, and an empty cell counts as missing", () => {
    expect(jobFromCsvRecord({ id: "  ", city: "", title: "x" })).toEqual({
      ok: false,
      errors: [
        { field: "id", message: "is required" },
        { field: "city", message: "is required" },
      ],
    });
  });

  it("wants salary_min <= salary_max, and says so next to other errors", () => {
    expect(jobFromCsvRecord({ ...base, salary_min: "50000", salary_max: "50000" }).ok).toBe(true);
    expect(csvErrors({ salary_min: "60000", salary_max: "50000" })).toEqual([
      { field: "salary_max", message: "must be greater than or equal to salary_min" },
    ]);
    expect(csvErrors({ salary_min: "60000", salary_max: "50000", url: "nope" })).toEqual([
      { field: "salary_max", message: "must be greater than or equal to salary_min" },
      { field: "url", message: "must be an http or https URL" },
    ]);
  });

  it("lists every problem of a row at once", () => {
    expect(csvErrors({ salary_min: "abc", remote: "maybe", url: "ftp://x" }).map((error) => error.field)).toEqual([
      "salary_min",
      "remote",
      "url",
    ]);
  });
});

describe("jobFromJson", () => {
  it("takes typed values and extra strings, and skips nulls", () => {
    expect(jobFromJson({ ...base, salary_min: 100, salary_max: 200, remote: false, currency: "usd", team: "Data", title: null })).toEqual({
      ok: true,
      job: { ...base, salary_min: 100, salary_max: 200, remote: false, currency: "USD", team: "Data" },
    });
  });

  it.each([
    [{ id: 7 }, "id", "must be a string"],
    [{ salary_min: "100" }, "salary_min", "must be a number"],
    [{ remote: "yes" }, "remote", "must be a boolean"],
    [{ team: 3 }, "team", "unknown fields must be strings"],
    [{ team: { name: "Data" } }, "team", "unknown fields must be strings"],
  ])("is strict about types: %j", (body, field, message) => {
    expect(jsonErrors(body)).toEqual([{ field, message }]);
  });

  it("reports missing keys as required", () => {
    expect(jobFromJson({ title: "x" })).toEqual({
      ok: false,
      errors: [
        { field: "id", message: "is required" },
        { field: "city", message: "is required" },
      ],
    });
  });

  it("refuses a body that is not an object", () => {
    for (const body of [null, [], "job", 3]) {
      expect(jobFromJson(body)).toEqual({ ok: false, errors: [{ field: "body", message: "must be a JSON object" }] });
    }
  });

  it("refuses __proto__, constructor and reserved names instead of merging or dropping them", () => {
    const body = JSON.parse('{"id":"j-1","city":"Paris","__proto__":{"admin":true},"constructor":"x","prototype":"y","_version":"9"}');
    const result = jobFromJson(body);
    expect(result).toEqual({
      ok: false,
      errors: [
        { field: "__proto__", message: "'__proto__' is not allowed as a field name" },
        { field: "constructor", message: "'constructor' is not allowed as a field name" },
        { field: "prototype", message: "'prototype' is not allowed as a field name" },
        { field: "_version", message: "'_version': names starting with '_' are reserved" },
      ],
    });
  });
});

describe("field names", () => {
  it("are trimmed and lower-cased", () => {
    expect(normalizeFieldName("  Salary_MIN ")).toBe("salary_min");
  });

  it("have rules for extras", () => {
    expect(extraNameProblem("team")).toBeUndefined();
    expect(extraNameProblem("__proto__")).toBe("'__proto__' is not allowed as a field name");
    expect(extraNameProblem("constructor")).toBe("'constructor' is not allowed as a field name");
    expect(extraNameProblem("_internal")).toBe("'_internal': names starting with '_' are reserved");
    expect(extraNameProblem("")).toBe("field names must not be empty");
    expect(extraNameProblem("n".repeat(65))).toBe("'nnnnnnnnnnnnnnnnnnnn...': names are at most 64 characters");
    expect(extraNameProblem("a\u0001")).toBe("field names must not contain control characters");
  });
});
