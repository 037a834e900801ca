import { extraNameProblem, KNOWN_FIELDS, normalizeFieldName, REQUIRED_FIELDS } from "../jobs/fields";
import { CsvFileError } from "./csv-records";

const KNOWN = new Set<string>(KNOWN_FIELDS);

/**
 * The column names of a file, from its header row: trimmed and lower-cased, so that `City ` and
 * `CITY` both mean `city`. A header that would make every row wrong (a required column missing, a
 * name given twice, a name that cannot be stored) rejects the file once instead of every row.
 * Unnamed columns are allowed (spreadsheets add them) as long as their cells stay empty; a row
 * that fills one is rejected by rowRecord.
 */
export function readHeader(fields: readonly string[]): string[] {
  const excelSeparator = /^sep=(.?)$/i.exec(fields.join(",").trim());
  if (excelSeparator) throw new CsvFileError(excelSeparatorProblem(excelSeparator[1] || "\t"));
  const names = fields.map(normalizeFieldName);
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const name of names) {
    if (name === "") continue;
    if (seen.has(name)) duplicates.add(name);
    seen.add(name);
  }
  if (duplicates.size > 0) {
    throw new CsvFileError(`header: column(s) ${[...duplicates].join(", ")} appear more than once`);
  }
  const missing = REQUIRED_FIELDS.filter((name) => !seen.has(name));
  if (missing.length > 0) {
    const separator = otherSeparator(names, missing);
    throw new CsvFileError(
      separator
        ? `header: missing required column(s) ${missing.join(", ")}: the header looks ${separator}-separated; ` +
            `export the file with commas between columns (CSV UTF-8)`
        : `header: missing required column(s) ${missing.join(", ")} (the first line must name the columns, e.g. id,city,title)`,
    );
  }
  for (const name of names) {
    const problem = name === "" || KNOWN.has(name) ? undefined : extraNameProblem(name);
    if (problem) throw new CsvFileError(`header: ${problem}`);
  }
  return names;
}

const OTHER_SEPARATORS = [
  [";", "semicolon"],
  ["\t", "tab"],
] as const;

/**
 * Spreadsheets in many locales export with semicolons: the whole header then reads as one column
 * and "missing id, city" alone would not tell the user what to change.
 */
function otherSeparator(names: readonly string[], missing: readonly string[]): string | undefined {
  for (const [separator, word] of OTHER_SEPARATORS) {
    const split = new Set(names.flatMap((name) => name.split(separator).map(normalizeFieldName)));
    if (missing.every((name) => split.has(name))) return word;
  }
  return undefined;
}

/**
 * Excel writes a first line `sep=;` to name its separator: read as a header it would only give
 * "missing id, city", which does not tell the user that the file uses another separator.
 */
function excelSeparatorProblem(separator: string): string {
  if (separator === ",") {
    return `header: the first line is Excel's "sep=," line, not the column names: delete that line (the first line must name the columns, e.g. id,city,title)`;
  }
  const word = OTHER_SEPARATORS.find(([candidate]) => candidate === separator)?.[1] ?? `"${separator}"`;
  return `header: the first line is Excel's "sep=${separator === "\t" ? "\\t" : separator}" line: the file is ${word}-separated; export the file with commas between columns (CSV UTF-8)`;
}

export type RowRecord = { ok: true; record: Record<string, string> } | { ok: false; reasons: string[] };

/**
 * A data row as `jobFromCsvRecord` takes it: column name -> cell. A row with more or fewer cells
 * than the header is rejected, never shifted into other columns. The object has no prototype so
 * that no column name can reach Object.prototype.
 */
export function rowRecord(columns: readonly string[], fields: readonly string[]): RowRecord {
  if (fields.length !== columns.length) {
    return {
      ok: false,
      reasons: [
        `the row has ${fields.length} fields but the header has ${columns.length} ` + `(quote values that contain commas: "Paris, France")`,
      ],
    };
  }
  const record: Record<string, string> = Object.create(null);
  const reasons: string[] = [];
  columns.forEach((name, index) => {
    const value = fields[index];
    if (name !== "") record[name] = value;
    else if (value.trim() !== "") reasons.push(`column ${index + 1} has no name in the header but holds '${value.slice(0, 40)}'`);
  });
  return reasons.length > 0 ? { ok: false, reasons } : { ok: true, record };
}
