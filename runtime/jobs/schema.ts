import { z } from "zod";

/**
 * The job offer: one schema for CSV rows and API bodies (DESIGN.md section 2).
 * CSV cells arrive as strings and are converted by `jobFromCsvRecord`; API bodies arrive as JSON
 * and go through `jobFromJson`. Both end in the same `jobSchema`, so a job that one path accepts
 * the other accepts too.
 */

/** Column names with a type; any other column is kept as a string attribute. */
export const KNOWN_FIELDS = [
  "id",
  "city",
  "title",
  "company",
  "contract_type",
  "salary_min",
  "salary_max",
  "currency",
  "remote",
  "posted_at",
  "url",
  "description",
] as const;
export type KnownField = (typeof KNOWN_FIELDS)[number];

const NUMBER_FIELDS = new Set<string>(["salary_min", "salary_max"]);
const BOOLEAN_FIELDS = new Set<string>(["remote"]);
const TRUE_WORDS = new Set(["true", "yes", "y", "1", "on"]);
const FALSE_WORDS = new Set(["false", "no", "n", "0", "off"]);

/** Keys that would reach Object.prototype or collide with the store's own attributes. */
const FORBIDDEN_NAMES = new Set(["__proto__", "constructor", "prototype"]);
export const MAX_EXTRA_NAME_LENGTH = 64;
export const MAX_FIELD_LENGTH = 10_000;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(max, `must be at most ${max} characters`)
    .refine((value) => !CONTROL_CHARS.test(value), "must not contain control characters");

/**
 * API Gateway hands the handler an already-decoded path, so a key holding one of these could not
 * be addressed as /v1/jobs/{id}/{city}: refused at the door instead of stored unreachable.
 */
const KEY_FORBIDDEN = /[/?#%]/;
const keyText = text(256).refine((value) => !KEY_FORBIDDEN.test(value), "must not contain '/', '?', '#' or '%'");

const amount = z.number().finite("must be a finite number").nonnegative("must not be negative");

export const jobSchema = z
  .strictObject({
    id: keyText,
    city: keyText,
    title: text(500).optional(),
    company: text(500).optional(),
    contract_type: text(100).optional(),
    salary_min: amount.optional(),
    salary_max: amount.optional(),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, "must be a three-letter ISO 4217 code such as EUR")
      .optional(),
    remote: z.boolean().optional(),
    posted_at: z
      .string()
      .regex(ISO_DATE, { message: "must be an ISO 8601 date such as 2026-11-22 or 2026-11-22T09:30:00Z", abort: true })
      .refine(isCalendarDate, "must be a real calendar date")
      .optional(),
    url: z
      .string()
      .max(2048, "must be at most 2048 characters")
      .refine(isHttpUrl, "must be an http or https URL")
      .optional(),
    description: text(MAX_FIELD_LENGTH).optional(),
  });

/** A valid job: the typed known fields plus any extra string attributes. */
export type Job = z.infer<typeof jobSchema> & { readonly [extra: string]: string | number | boolean | undefined };

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export type JobValidation = { ok: true; job: Job } | { ok: false; errors: FieldError[] };

/** Date.parse rolls 2026-02-30 over to March 2: a real date keeps its day. */
function isCalendarDate(value: string): boolean {
  if (Number.isNaN(Date.parse(value))) return false;
  const [year, month, day] = value.slice(0, 10).split("-").map(Number);
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/** Why a name cannot be an extra attribute, or undefined when it can. */
export function extraNameProblem(name: string): string | undefined {
  if (FORBIDDEN_NAMES.has(name)) return `'${name}' is not allowed as a field name`;
  if (name.startsWith("_")) return `'${name}': names starting with '_' are reserved`;
  if (name.length === 0) return "field names must not be empty";
  if (name.length > MAX_EXTRA_NAME_LENGTH) return `'${name.slice(0, 20)}...': names are at most ${MAX_EXTRA_NAME_LENGTH} characters`;
  if (CONTROL_CHARS.test(name)) return "field names must not contain control characters";
  return undefined;
}

/** Canonical column name: trimmed and lower-cased, so `City ` and `CITY` both mean `city`. */
export function normalizeFieldName(name: string): string {
  return name.trim().toLowerCase();
}

function validate(known: Record<string, unknown>, extras: Record<string, unknown>, errors: FieldError[]): JobValidation {
  const extraValues: Record<string, string> = {};
  for (const [name, value] of Object.entries(extras)) {
    const problem = extraNameProblem(name);
    if (problem) errors.push({ field: name, message: problem });
    else if (typeof value !== "string") errors.push({ field: name, message: "unknown fields must be strings" });
    else if (value.length > MAX_FIELD_LENGTH) errors.push({ field: name, message: `must be at most ${MAX_FIELD_LENGTH} characters` });
    else if (CONTROL_CHARS.test(value)) errors.push({ field: name, message: "must not contain control characters" });
    else extraValues[name] = value;
  }
  // Checked apart from the schema so it is reported even when another field is invalid too.
  const { salary_min: min, salary_max: max } = known;
  if (typeof min === "number" && typeof max === "number" && min > max) {
    errors.push({ field: "salary_max", message: "must be greater than or equal to salary_min" });
  }
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

function splitKnown(entries: Iterable<[string, unknown]>): { known: Record<string, unknown>; extras: Record<string, unknown> } {
  const known: Record<string, unknown> = {};
  // No prototype: on a plain object, assigning "__proto__" sets nothing and the key would vanish
  // instead of being reported.
  const extras: Record<string, unknown> = Object.create(null);
  const knownNames = new Set<string>(KNOWN_FIELDS);
  for (const [name, value] of entries) {
    if (knownNames.has(name)) known[name] = value;
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
  const errors: FieldError[] = [];
  const entries: [string, unknown][] = [];
  for (const [rawName, rawValue] of Object.entries(record)) {
    const name = normalizeFieldName(rawName);
    const value = (rawValue ?? "").trim();
    if (value === "") continue;
    if (NUMBER_FIELDS.has(name)) {
      const number = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(value) ? Number(value) : NaN;
      if (Number.isNaN(number)) errors.push({ field: name, message: `'${value.slice(0, 40)}' is not a number` });
      else entries.push([name, number]);
    } else if (BOOLEAN_FIELDS.has(name)) {
      const word = value.toLowerCase();
      if (TRUE_WORDS.has(word)) entries.push([name, true]);
      else if (FALSE_WORDS.has(word)) entries.push([name, false]);
      else errors.push({ field: name, message: `'${value.slice(0, 40)}' is not a yes/no word (true, false, yes, no, 1, 0)` });
    } else if (name === "currency") {
      entries.push([name, value.toUpperCase()]);
    } else {
      entries.push([name, value]);
    }
  }
  const { known, extras } = splitKnown(entries);
  return validate(known, extras, errors);
}

/** A parsed JSON body to a job. Types are strict: a number sent as a string is an error. */
export function jobFromJson(body: unknown): JobValidation {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, errors: [{ field: "body", message: "must be a JSON object" }] };
  }
  const errors: FieldError[] = [];
  const entries: [string, unknown][] = [];
  // Object.keys sees an own "__proto__" key that JSON.parse created, so it is reported, never merged.
  for (const name of Object.keys(body)) {
    const value = (body as Record<string, unknown>)[name];
    if (value === null || value === undefined) continue;
    entries.push([name, typeof value === "string" && name === "currency" ? value.toUpperCase() : value]);
  }
  const { known, extras } = splitKnown(entries);
  return validate(known, extras, errors);
}
