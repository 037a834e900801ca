// zod/mini: the same validation core as classic zod without its methods and locales, 15 KB and
// about 3 ms of module init instead of 443 KB and 23 ms in every bundle. A namespace import, not
// `import { z }`: that re-exported namespace object keeps all of zod (418 KB) in the bundle.
import * as z from "zod/mini";
import { MAX_KEY_LENGTH } from "./limits";

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
/** Limits shared by the schema and the CSV fast path below, so the two cannot drift apart. */
const MAX_NAME_LENGTH = 500;
const MAX_CONTRACT_TYPE_LENGTH = 100;
const MAX_URL_LENGTH = 2048;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const CURRENCY = /^[A-Z]{3}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

const text = (max: number) =>
  z.string().check(
    z.trim(),
    z.minLength(1, "must not be empty"),
    z.maxLength(max, `must be at most ${max} characters`),
    z.refine((value: string) => !CONTROL_CHARS.test(value), "must not contain control characters"),
  );

/**
 * API Gateway hands the handler an already-decoded path, so a key holding one of these could not
 * be addressed as /v1/jobs/{id}/{city}: refused at the door instead of stored unreachable.
 */
const KEY_FORBIDDEN = /[/?#%]/;
const keyText = text(MAX_KEY_LENGTH).check(z.refine((value: string) => !KEY_FORBIDDEN.test(value), "must not contain '/', '?', '#' or '%'"));

// z.number() already refuses NaN and Infinity (an invalid_type issue): there is no finite check.
const amount = z.number().check(z.nonnegative("must not be negative"));

export const jobSchema = z.strictObject({
  id: keyText,
  city: keyText,
  title: z.optional(text(MAX_NAME_LENGTH)),
  company: z.optional(text(MAX_NAME_LENGTH)),
  contract_type: z.optional(text(MAX_CONTRACT_TYPE_LENGTH)),
  salary_min: z.optional(amount),
  salary_max: z.optional(amount),
  currency: z.optional(z.string().check(z.regex(CURRENCY, "must be a three-letter ISO 4217 code such as EUR"))),
  remote: z.optional(z.boolean()),
  posted_at: z.optional(
    z.string().check(
      z.regex(ISO_DATE, { message: "must be an ISO 8601 date such as 2026-11-22 or 2026-11-22T09:30:00Z", abort: true }),
      z.refine(isCalendarDate, "must be a real calendar date"),
    ),
  ),
  url: z.optional(z.string().check(z.maxLength(MAX_URL_LENGTH, `must be at most ${MAX_URL_LENGTH} characters`), z.refine(isHttpUrl, "must be an http or https URL"))),
  description: z.optional(text(MAX_FIELD_LENGTH)),
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

const KNOWN_NAMES = new Set<string>(KNOWN_FIELDS);

function splitKnown(entries: Iterable<[string, unknown]>): { known: Record<string, unknown>; extras: Record<string, unknown> } {
  const known: Record<string, unknown> = {};
  // No prototype: on a plain object, assigning "__proto__" sets nothing and the key would vanish
  // instead of being reported.
  const extras: Record<string, unknown> = Object.create(null);
  for (const [name, value] of entries) {
    if (KNOWN_NAMES.has(name)) known[name] = value;
    else extras[name] = value;
  }
  return { known, extras };
}

const NUMBER_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

const isText = (value: string, max: number) => value.length <= max && !CONTROL_CHARS.test(value);
const isKey = (value: string) => isText(value, MAX_KEY_LENGTH) && !KEY_FORBIDDEN.test(value);
/** z.number() refuses Infinity as well as NaN. */
const isAmount = (value: number) => Number.isFinite(value) && value >= 0;

/**
 * Running the schema costs several times what csv-parse spends on a row, so the producer takes
 * this path first: the same checks on the trimmed, non-empty cells of jobFromCsvRecord, written
 * out. It accepts only what jobFromCsvRecord accepts and builds the same object in the same key
 * order (extra attributes first, then the typed fields in schema order), since the job's JSON is
 * the queue message. Anything else (a bad cell, a name given twice, a key missing) returns
 * undefined, and the schema then runs and words every error.
 */
function validCsvJob(record: Record<string, string | undefined>): Job | undefined {
  let id: string | undefined;
  let city: string | undefined;
  let title: string | undefined;
  let company: string | undefined;
  let contractType: string | undefined;
  let salaryMin: number | undefined;
  let salaryMax: number | undefined;
  let currency: string | undefined;
  let remote: boolean | undefined;
  let postedAt: string | undefined;
  let url: string | undefined;
  let description: string | undefined;
  let extraNames: string[] | undefined;
  let extraValues: string[] | undefined;
  for (const rawName of Object.keys(record)) {
    const name = normalizeFieldName(rawName);
    const value = (record[rawName] ?? "").trim();
    if (value === "") continue;
    switch (name) {
      case "id":
        if (id !== undefined || !isKey(value)) return undefined;
        id = value;
        break;
      case "city":
        if (city !== undefined || !isKey(value)) return undefined;
        city = value;
        break;
      case "title":
        if (title !== undefined || !isText(value, MAX_NAME_LENGTH)) return undefined;
        title = value;
        break;
      case "company":
        if (company !== undefined || !isText(value, MAX_NAME_LENGTH)) return undefined;
        company = value;
        break;
      case "contract_type":
        if (contractType !== undefined || !isText(value, MAX_CONTRACT_TYPE_LENGTH)) return undefined;
        contractType = value;
        break;
      case "salary_min":
      case "salary_max": {
        if ((name === "salary_min" ? salaryMin : salaryMax) !== undefined || !NUMBER_TEXT.test(value)) return undefined;
        const amount = Number(value);
        if (!isAmount(amount)) return undefined;
        if (name === "salary_min") salaryMin = amount;
        else salaryMax = amount;
        break;
      }
      case "currency": {
        const code = value.toUpperCase();
        if (currency !== undefined || !CURRENCY.test(code)) return undefined;
        currency = code;
        break;
      }
      case "remote": {
        const word = value.toLowerCase();
        if (remote !== undefined) return undefined;
        if (TRUE_WORDS.has(word)) remote = true;
        else if (FALSE_WORDS.has(word)) remote = false;
        else return undefined;
        break;
      }
      case "posted_at":
        if (postedAt !== undefined || !ISO_DATE.test(value) || !isCalendarDate(value)) return undefined;
        postedAt = value;
        break;
      case "url":
        if (url !== undefined || value.length > MAX_URL_LENGTH || !isHttpUrl(value)) return undefined;
        url = value;
        break;
      case "description":
        if (description !== undefined || !isText(value, MAX_FIELD_LENGTH)) return undefined;
        description = value;
        break;
      default:
        if (extraNameProblem(name) !== undefined || !isText(value, MAX_FIELD_LENGTH)) return undefined;
        if (extraNames === undefined || extraValues === undefined) {
          extraNames = [];
          extraValues = [];
        } else if (extraNames.includes(name)) {
          return undefined;
        }
        extraNames.push(name);
        extraValues.push(value);
    }
  }
  if (id === undefined || city === undefined) return undefined;
  if (salaryMin !== undefined && salaryMax !== undefined && salaryMin > salaryMax) return undefined;
  const job: Record<string, string | number | boolean> = {};
  if (extraNames !== undefined && extraValues !== undefined) {
    for (let i = 0; i < extraNames.length; i++) job[extraNames[i]] = extraValues[i];
  }
  job.id = id;
  job.city = city;
  if (title !== undefined) job.title = title;
  if (company !== undefined) job.company = company;
  if (contractType !== undefined) job.contract_type = contractType;
  if (salaryMin !== undefined) job.salary_min = salaryMin;
  if (salaryMax !== undefined) job.salary_max = salaryMax;
  if (currency !== undefined) job.currency = currency;
  if (remote !== undefined) job.remote = remote;
  if (postedAt !== undefined) job.posted_at = postedAt;
  if (url !== undefined) job.url = url;
  if (description !== undefined) job.description = description;
  return job as Job;
}

/**
 * A CSV record (header name -> raw cell) to a job. Header names are normalized, cells trimmed,
 * empty cells omitted; numbers and boolean words are converted before validation so that a bad
 * value is reported with the column's name.
 */
export function jobFromCsvRecord(record: Record<string, string | undefined>): JobValidation {
  const job = validCsvJob(record);
  return job !== undefined ? { ok: true, job } : jobFromCsvRecordBySchema(record);
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
    const value = (rawValue ?? "").trim();
    if (value === "") continue;
    if (NUMBER_FIELDS.has(name)) {
      const number = NUMBER_TEXT.test(value) ? Number(value) : NaN;
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
