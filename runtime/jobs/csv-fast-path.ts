import {
  CellProblem,
  extraNameProblem,
  extraValueProblem,
  FIELD_RULES,
  type FieldRule,
  KNOWN_FIELDS,
  normalizeFieldName,
  REQUIRED_FIELDS,
  salaryOrderProblem,
} from "./fields";

const RULES: readonly FieldRule[] = KNOWN_FIELDS.map((name) => FIELD_RULES[name]);
const INVALID = Symbol("invalid");
const NONE: unknown[] = RULES.map(() => undefined);
/** Each field's `fromCell` then `accepts`, as one call: the cell's value, or INVALID. */
const VALUE_OF = RULES.map((rule): ((cell: string) => unknown) => {
  const accepts = rule.accepts as (value: unknown) => boolean;
  if (!rule.convertsCells) return (cell) => (accepts(cell) ? cell : INVALID);
  return (cell) => {
    const value = rule.fromCell(cell);
    return value instanceof CellProblem || !accepts(value) ? INVALID : value;
  };
});
const INDEX = new Map<string, number>(KNOWN_FIELDS.map((name, index) => [name, index]));
const REQUIRED = REQUIRED_FIELDS.map((name) => INDEX.get(name)!);
const SALARY_MIN = INDEX.get("salary_min")!;
const SALARY_MAX = INDEX.get("salary_max")!;

/**
 * Running the schema costs several times what csv-parse spends on a row, so s3-to-sqs takes
 * this path first: each field's `fromCell` and `accepts` (the schema's rule written out) on the
 * trimmed, non-empty cells. It accepts only what the schema accepts and builds the same object in
 * the same key order (extra attributes first, then the typed fields in schema order), since the
 * job's JSON is the queue message. Anything else (a bad cell, a name given twice, a key missing)
 * returns undefined, and the schema then runs and words every error.
 */
export function validCsvJob(record: Record<string, string | undefined>): Record<string, string | number | boolean> | undefined {
  const typed = NONE.slice();
  let extraNames: string[] | undefined;
  let extraValues: string[] | undefined;
  for (const rawName of Object.keys(record)) {
    const name = normalizeFieldName(rawName);
    const cell = (record[rawName] ?? "").trim();
    if (cell === "") continue;
    const index = INDEX.get(name);
    if (index !== undefined) {
      if (typed[index] !== undefined) return undefined;
      const value = VALUE_OF[index](cell);
      if (value === INVALID) return undefined;
      typed[index] = value;
      continue;
    }
    if (extraNameProblem(name) !== undefined || extraValueProblem(cell) !== undefined) return undefined;
    if (extraNames === undefined || extraValues === undefined) {
      extraNames = [];
      extraValues = [];
    } else if (extraNames.includes(name)) {
      return undefined;
    }
    extraNames.push(name);
    extraValues.push(cell);
  }
  if (REQUIRED.some((index) => typed[index] === undefined)) return undefined;
  if (salaryOrderProblem(typed[SALARY_MIN], typed[SALARY_MAX]) !== undefined) return undefined;
  const job: Record<string, string | number | boolean> = {};
  if (extraNames !== undefined && extraValues !== undefined) {
    for (let i = 0; i < extraNames.length; i++) job[extraNames[i]] = extraValues[i];
  }
  for (let i = 0; i < RULES.length; i++) {
    if (typed[i] !== undefined) job[KNOWN_FIELDS[i]] = typed[i] as string | number | boolean;
  }
  return job;
}
