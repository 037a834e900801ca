import { CsvError, parse } from "csv-parse";
import { countLineBreaks, LineBreaks } from "./line-breaks";
import { Utf8Check } from "./utf8-check";

/** One CSV record as the file holds it: raw cells and the physical line it starts on. */
export interface CsvRecord {
  readonly line: number;
  readonly fields: string[];
  /** Where the file goes on after this record: a later part of the file can start reading there. */
  readonly next: FilePosition;
}

/** A record boundary in a file: the byte offset where the next record (or blank line) starts, and its line. */
export interface FilePosition {
  readonly offset: number;
  readonly line: number;
}

/** The start of a file. */
export const FILE_START: FilePosition = { offset: 0, line: 1 };

/** A problem that makes the whole file unreadable; its message is the report's `reason`. */
export class CsvFileError extends Error {}

export interface CsvRecordOptions {
  /**
   * Longest record, in characters. Bounds memory, and stops an unterminated quote from
   * swallowing the rest of a big file into one field.
   */
  readonly maxRecordSize: number;
  /**
   * Where in the file `body` starts: the file's start (the default), or a record boundary that a
   * record's `next` gave (a ranged read). Lines and offsets stay those of the whole file.
   */
  readonly start?: FilePosition;
}

interface RecordInfo {
  readonly bytes: number;
  readonly empty_lines: number;
}

/**
 * Streams the records of a CSV file (RFC 4180, UTF-8 with an optional BOM; CRLF, LF or CR line
 * ends, even mixed). Blank lines and records whose cells are all empty are skipped.
 *
 * When the bytes are not UTF-8 or the CSV structure breaks, every record before the problem is
 * yielded and then a CsvFileError names the line, whatever the network's chunk sizes were.
 * One chunk is read only after the records of the previous one have been taken, so the
 * consumer's pace drives the download.
 */
export async function* csvRecords(body: AsyncIterable<Uint8Array>, options: CsvRecordOptions): AsyncGenerator<CsvRecord> {
  const start = options.start ?? FILE_START;
  const breaks = new LineBreaks(start);
  const utf8 = new Utf8Check(start.offset);
  const ready: CsvRecord[] = [];
  let lastEnd = start.offset;
  let lastEmptyLines = 0;
  let parseError: unknown;

  const parser = parse({
    // A byte order mark can only open the file; in a later part those bytes would be data.
    bom: start.offset === 0,
    trim: true,
    record_delimiter: ["\r\n", "\n", "\r"],
    // Field counts are checked per row by the caller, which rejects that row with a reason.
    relax_column_count: true,
    // A quote inside an unquoted value (`5" screen`) is unambiguous; keep it as text.
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_empty_values: true,
    max_record_size: options.maxRecordSize,
    // Called synchronously, in file order, while a chunk is parsed: the record is taken here
    // (returning null keeps it out of the stream) so that none is lost if a later one fails.
    on_record(fields: string[], info: RecordInfo) {
      // info.bytes is just past the record's line end: the record ends on the line of that
      // byte and starts as many lines earlier as its quoted fields hold line breaks.
      const end = start.offset + info.bytes;
      const endLine = breaks.lineAt(end - 1);
      const line = endLine - fields.reduce((sum, field) => sum + countLineBreaks(field), 0);
      ready.push({ line, fields, next: { offset: end, line: endLine + 1 } });
      lastEnd = end;
      lastEmptyLines = info.empty_lines;
      return null;
    },
  });
  parser.on("error", (error) => {
    parseError ??= error;
  });
  const parsed = new Promise<void>((resolve) => parser.once("close", resolve));
  parser.resume();
  const write = (chunk: Buffer) => new Promise<void>((resolve) => parser.write(chunk, () => resolve()));
  const fail = (problem: { offset?: number; reason: string }) =>
    new CsvFileError(problem.offset === undefined ? problem.reason : `line ${breaks.peekLineAt(problem.offset)}: ${problem.reason}`);

  try {
    let offset = start.offset;
    for await (const bytes of body) {
      const chunk = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      breaks.scan(chunk);
      const problem = utf8.check(chunk);
      // The text before a bad byte is still parsed, so the rows above it are handled the same
      // way whichever chunk the bad byte arrived in.
      await write(problem?.offset === undefined ? chunk : chunk.subarray(0, Math.max(0, problem.offset - offset)));
      yield* ready.splice(0);
      if (problem) throw fail(problem);
      if (parseError) break;
      offset += chunk.length;
    }
    if (!parseError) {
      const problem = utf8.end();
      if (problem) throw fail(problem);
      parser.end();
    }
    await parsed;
    yield* ready.splice(0);
    if (parseError instanceof CsvError) {
      throw describeCsvError(parseError, breaks.peekLineAt(lastEnd), lastEmptyLines, options.maxRecordSize);
    }
    if (parseError) throw parseError;
  } finally {
    parser.destroy();
  }
}

/**
 * A csv-parse error in words a spreadsheet user can act on, at the line where the failing
 * record starts: the line after the last good record, past any blank lines (csv-parse's own
 * line count is off after a CRLF inside quotes).
 */
function describeCsvError(error: CsvError, lineAfterLastRecord: number, emptyLinesBefore: number, maxRecordSize: number): CsvFileError {
  const emptyLines = (error as CsvError & { empty_lines?: number }).empty_lines ?? emptyLinesBefore;
  const line = lineAfterLastRecord + Math.max(0, emptyLines - emptyLinesBefore);
  switch (error.code) {
    case "CSV_QUOTE_NOT_CLOSED":
      return new CsvFileError(`line ${line}: a quoted field opened in this record is never closed`);
    case "CSV_MAX_RECORD_SIZE":
      return new CsvFileError(`line ${line}: the record is longer than ${maxRecordSize} characters (is a quote left open?)`);
    case "CSV_INVALID_CLOSING_QUOTE":
    case "CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE":
      return new CsvFileError(`line ${line}: a closing quote is followed by other characters (write a quote inside a quoted field as "")`);
    default:
      return new CsvFileError(`line ${line}: ${error.message}`);
  }
}
