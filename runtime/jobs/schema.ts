import * as z from "zod/mini";
import { validCsvJob } from "./csv-fast-path";
import { CellProblem, extraNameProblem, extraValueProblem, FIELD_RULES, normalizeFieldName, salaryOrderProblem } from "./fields";

/**
 * The job offer: one schema for CSV rows and API bodies, built from the fields' rules.
 * CSV cells arrive as strings and are converted by `jobFromCsvRecord`; API bodies arrive as JSON
 * and go through `jobFromJson`. Both end in the same `jobSchema`, so a job that one path accepts
 * the other accepts too.
 */

type Rules = typeof FIELD_RULES;
export const jobSchema = z.strictObject(
  Object.fromEntries(Object.entries(FIELD_RULES).map(([name, rule]) => [name, rule.schema])) as { [K in keyof Rules]: Rules[K]["schema"] },
);

/** A valid job: the typed known fields plus any extra string attributes. */
export type Job = z.infer<typeof jobSchema> & { readonly [extra: string]: string | number | boolean | undefined };

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export type JobValidation = { ok: true; job: Job } | { ok: false; errors: FieldError[] };

function validate(known: Record<string, unknown>, extras: Record<string, unknown>, errors: FieldError[]): JobValidation {
  const extraValues: Record<string, string> = {};
  for (const [name, value] of Object.entries(extras)) {
    const problem = extraNameProblem(name) ?? extraValueProblem(value);
    if (problem) errors.push({ field: name, message: problem });
    else extraValues[name] = value as string;
  }
  // Checked apart from the schema so it is reported even when another field is invalid too.
  const salaryOrder = salaryOrderProblem(known.salary_min, known.salary_max);
  if (salaryOrder) errors.push({ field: "salary_max", message: salaryOrder });
  // zod 4 leaves the input out of issues unless asked: without it, a wrong type reads "is required".
  const parsed = jobSchema.safeParse(known, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path.length > 0 ? issue.path.join(".") : "body";
      errors.push({ field, message: describeIssue(issue) });
    }
  }
  if (errors.length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, job: { ...extraValues, ...parsed.data } };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_type") {
    return issue.input === undefined ? "is required" : `must be a ${issue.expected}`;
  }
  return issue.message;
}

function ruleOf(name: string) {
  return Object.hasOwn(FIELD_RULES, name) ? FIELD_RULES[name as keyof Rules] : undefined;
}

function splitKnown(entries: Iterable<[string, unknown]>): { known: Record<string, unknown>; extras: Record<string, unknown> } {
  const known: Record<string, unknown> = {};
  // No prototype: on a plain object, assigning "__proto__" sets nothing and the key would vanish
  // instead of being reported.
  const extras: Record<string, unknown> = Object.create(null);
  for (const [name, value] of entries) {
    if (ruleOf(name)) known[name] = value;
    else extras[name] = value;
  }
  return { known, extras };
}

/**
 * A CSV record (header name -> raw cell) to a job. Header names are normalized, cells trimmed,
 * empty cells omitted; numbers and boolean words are converted before validation so that a bad
 * value is reported with the column's name.
 */
export function jobFromCsvRecord(record: Record<string, string | undefined>): JobValidation {
  const job = validCsvJob(record);
  return job !== undefined ? { ok: true, job: job as Job } : jobFromCsvRecordBySchema(record);
}

/**
 * jobFromCsvRecord without the fast path: exported so a test can hold the two to the same
 * results, key order included.
 */
export function jobFromCsvRecordBySchema(record: Record<string, string | undefined>): JobValidation {
  const errors: FieldError[] = [];
  const entries: [string, unknown][] = [];
  for (const [rawName, rawValue] of Object.entries(record)) {
    const name = normalizeFieldName(rawName);
    const cell = (rawValue ?? "").trim();
    if (cell === "") continue;
    const value = ruleOf(name)?.fromCell(cell) ?? cell;
    if (value instanceof CellProblem) errors.push({ field: name, message: value.message });
    else entries.push([name, value]);
  }
  const { known, extras } = splitKnown(entries);
  return validate(known, extras, errors);
}

/** A parsed JSON body to a job. Types are strict: a number sent as a string is an error. */
export function jobFromJson(body: unknown): JobValidation {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, errors: [{ field: "body", message: "must be a JSON object" }] };
  }
  const entries: [string, unknown][] = [];
  // Object.keys sees an own "__proto__" key that JSON.parse created, so it is reported, never merged.
  for (const name of Object.keys(body)) {
    const value = (body as Record<string, unknown>)[name];
    if (value === null || value === undefined) continue;
    entries.push([name, ruleOf(name)?.fromJson(value) ?? value]);
  }
  const { known, extras } = splitKnown(entries);
  return validate(known, extras, []);
}
