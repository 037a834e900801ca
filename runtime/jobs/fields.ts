// zod/mini: the same validation core as classic zod without its methods and locales, 15 KB and
// about 3 ms of module init instead of 443 KB and 23 ms in every bundle. A namespace import, not
// `import { z }`: that re-exported namespace object keeps all of zod (418 KB) in the bundle.
import * as z from "zod/mini";
import { MAX_KEY_LENGTH } from "./limits";

/**
 * The fields of a job, one rule each: the schema that words every error (CSV rows and API bodies),
 * the same rule written out for s3-to-sqs's fast path, and how a CSV cell becomes the field's
 * type. A new field is one entry of FIELD_RULES.
 */

export const MAX_EXTRA_NAME_LENGTH = 64;
export const MAX_FIELD_LENGTH = 10_000;
const MAX_NAME_LENGTH = 500;
const MAX_CONTRACT_TYPE_LENGTH = 100;
const MAX_URL_LENGTH = 2048;

/** Keys that would reach Object.prototype or collide with the store's own attributes. */
const FORBIDDEN_NAMES = new Set(["__proto__", "constructor", "prototype"]);
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const CURRENCY = /^[A-Z]{3}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const NUMBER_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
/**
 * API Gateway hands the handler an already-decoded path, so a key holding one of these could not
 * be addressed as /v1/jobs/{id}/{city}: refused at the door instead of stored unreachable.
 */
const KEY_FORBIDDEN = /[/?#%]/;

/** The words a CSV cell may use for a boolean, in any case. */
export const TRUE_WORDS: readonly string[] = ["true", "yes", "y", "1", "on"];
export const FALSE_WORDS: readonly string[] = ["false", "no", "n", "0", "off"];
/** `true, yes, y, 1, on; false, no, n, 0, off`: how the error message and the docs list them. */
export const BOOLEAN_WORDS = `${TRUE_WORDS.join(", ")}; ${FALSE_WORDS.join(", ")}`;

/** A CSV cell that cannot become its field's type; the message goes to the report. */
export class CellProblem {
  constructor(readonly message: string) {}
}

export interface FieldRule {
  /** The field as the schema states it; its messages are the ones users see. */
  readonly schema: z.ZodMiniType;
  /** The schema's rule written out, for the fast path: true exactly when the schema accepts the value. */
  readonly accepts: (value: never) => boolean;
  /** A CSV cell (trimmed, never empty) to the value the schema checks. */
  readonly fromCell: (cell: string) => unknown;
  /** False when `fromCell` returns the cell as it is. */
  readonly convertsCells: boolean;
  /** A JSON value to the value the schema checks. */
  readonly fromJson: (value: unknown) => unknown;
}

const same = <T>(value: T): T => value;

function rule<S extends z.ZodMiniType, T>(
  schema: S,
  accepts: (value: T) => boolean,
  convert: { fromCell?: (cell: string) => T | CellProblem; fromJson?: (value: unknown) => unknown } = {},
): { schema: S } & FieldRule {
  return {
    schema,
    accepts,
    fromCell: convert.fromCell ?? same,
    convertsCells: convert.fromCell !== undefined,
    fromJson: convert.fromJson ?? same,
  };
}

const text = (max: number) =>
  z.string().check(
    z.trim(),
    z.minLength(1, "must not be empty"),
    z.maxLength(max, `must be at most ${max} characters`),
    z.refine((value: string) => !CONTROL_CHARS.test(value), "must not contain control characters"),
  );
const isText = (max: number) => (value: string) => value.length <= max && !CONTROL_CHARS.test(value);

const keyText = text(MAX_KEY_LENGTH).check(
  z.refine((value: string) => !KEY_FORBIDDEN.test(value), "must not contain '/', '?', '#' or '%'"),
);
const isKey = (value: string) => isText(MAX_KEY_LENGTH)(value) && !KEY_FORBIDDEN.test(value);

// z.number() already refuses NaN and Infinity (an invalid_type issue): there is no finite check.
const amount = z.number().check(z.nonnegative("must not be negative"));
const isAmount = (value: number) => Number.isFinite(value) && value >= 0;
const numberFromCell = (cell: string) =>
  NUMBER_TEXT.test(cell) ? Number(cell) : new CellProblem(`'${cell.slice(0, 40)}' is not a number`);

function booleanFromCell(cell: string): boolean | CellProblem {
  const word = cell.toLowerCase();
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  return new CellProblem(`'${cell.slice(0, 40)}' is not a yes/no word (${BOOLEAN_WORDS})`);
}

const upperCase = (value: unknown) => (typeof value === "string" ? value.toUpperCase() : value);

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

/** The typed fields, in the order a job's JSON lists them; any other column is kept as a string attribute. */
export const FIELD_RULES = {
  id: rule(keyText, isKey),
  city: rule(keyText, isKey),
  title: rule(z.optional(text(MAX_NAME_LENGTH)), isText(MAX_NAME_LENGTH)),
  company: rule(z.optional(text(MAX_NAME_LENGTH)), isText(MAX_NAME_LENGTH)),
  contract_type: rule(z.optional(text(MAX_CONTRACT_TYPE_LENGTH)), isText(MAX_CONTRACT_TYPE_LENGTH)),
  salary_min: rule(z.optional(amount), isAmount, { fromCell: numberFromCell }),
  salary_max: rule(z.optional(amount), isAmount, { fromCell: numberFromCell }),
  currency: rule(
    z.optional(z.string().check(z.regex(CURRENCY, "must be a three-letter ISO 4217 code such as EUR"))),
    (value: string) => CURRENCY.test(value),
    { fromCell: (cell) => cell.toUpperCase(), fromJson: upperCase },
  ),
  remote: rule(z.optional(z.boolean()), () => true, { fromCell: booleanFromCell }),
  posted_at: rule(
    z.optional(
      z
        .string()
        .check(
          z.regex(ISO_DATE, { message: "must be an ISO 8601 date such as 2026-11-22 or 2026-11-22T09:30:00Z", abort: true }),
          z.refine(isCalendarDate, "must be a real calendar date"),
        ),
    ),
    (value: string) => ISO_DATE.test(value) && isCalendarDate(value),
  ),
  url: rule(
    z.optional(
      z
        .string()
        .check(
          z.maxLength(MAX_URL_LENGTH, `must be at most ${MAX_URL_LENGTH} characters`),
          z.refine(isHttpUrl, "must be an http or https URL"),
        ),
    ),
    (value: string) => value.length <= MAX_URL_LENGTH && isHttpUrl(value),
  ),
  description: rule(z.optional(text(MAX_FIELD_LENGTH)), isText(MAX_FIELD_LENGTH)),
};

export type KnownField = keyof typeof FIELD_RULES;
/** Column names with a type. */
export const KNOWN_FIELDS = Object.keys(FIELD_RULES) as KnownField[];
export const REQUIRED_FIELDS = ["id", "city"] as const satisfies readonly KnownField[];

/** The one rule between fields: a salary range does not run backwards. */
export function salaryOrderProblem(min: unknown, max: unknown): string | undefined {
  return typeof min === "number" && typeof max === "number" && min > max ? "must be greater than or equal to salary_min" : undefined;
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

/** Why a value cannot be an extra attribute, or undefined when it can. */
export function extraValueProblem(value: unknown): string | undefined {
  if (typeof value !== "string") return "unknown fields must be strings";
  if (value.length > MAX_FIELD_LENGTH) return `must be at most ${MAX_FIELD_LENGTH} characters`;
  if (CONTROL_CHARS.test(value)) return "must not contain control characters";
  return undefined;
}

/** Canonical column name: trimmed and lower-cased, so `City ` and `CITY` both mean `city`. */
export function normalizeFieldName(name: string): string {
  return name.trim().toLowerCase();
}
