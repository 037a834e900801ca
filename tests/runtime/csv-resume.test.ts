import { describe, expect, it } from "vitest";
import { type CsvRecord, csvRecords, CsvFileError } from "../../runtime/s3-to-sqs/csv-records";

const OPTIONS = { maxRecordSize: 65_536 };

/** The bytes in chunks of `size`, as a network read would hand them over. */
async function* chunked(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function records(bytes: Buffer, chunk: number, start?: CsvRecord["next"]): Promise<{ records: CsvRecord[]; error?: string }> {
  const out: CsvRecord[] = [];
  try {
    for await (const record of csvRecords(chunked(bytes.subarray(start?.offset ?? 0), chunk), { ...OPTIONS, start })) out.push(record);
  } catch (error) {
    if (error instanceof CsvFileError) return { records: out, error: error.message };
    throw error;
  }
  return { records: out };
}

/**
 * A later part of a file reads from a record boundary with a ranged GET: from every boundary, the
 * records it reads, their physical lines and the next boundaries must be exactly those a single
 * pass gives, whatever the chunk sizes, line ends, quoted line breaks, blank lines or BOM.
 */
describe("csvRecords from a record boundary", () => {
  const file = Buffer.from(
    "\uFEFFid,city,description\r\n" +
      'a-1,Paris,"two\r\nlines"\r\n' +
      "\r\n\n" +
      "a-2,Lyon,plain\n" +
      'a-3,Nice,"ends with a quote ""x"""\r' +
      "a-4,Caen,é ü 東京\n" +
      ",,\n" +
      'a-5,Metz,"three\nquoted\nlines"\n' +
      "a-6,Pau,last without a line end",
  );

  it("gives the single pass's records, lines and boundaries from every boundary, in any chunk size", async () => {
    const whole = await records(file, 1 << 16);
    expect(whole.records.map(({ line, fields }) => [line, fields[0]])).toEqual([
      [1, "id"],
      [2, "a-1"],
      [6, "a-2"],
      [7, "a-3"],
      [8, "a-4"],
      [10, "a-5"],
      [13, "a-6"],
    ]);
    // Each boundary is where the bytes after a record's line end start.
    for (const record of whole.records.slice(0, -1)) expect([0x0a, 0x0d]).toContain(file[record.next.offset - 1]);
    expect(whole.records.at(-1)!.next.offset).toBe(file.length);
    for (const chunk of [1, 2, 3, 7, 64]) {
      for (const [index, record] of whole.records.entries()) {
        const rest = await records(file, chunk, record.next);
        expect(rest.records, `chunks of ${chunk} from line ${record.next.line}`).toEqual(whole.records.slice(index + 1));
      }
    }
  });

  it("names the file's own line in an error met after a boundary", async () => {
    const broken = Buffer.from('id,city\nb-1,Paris\nb-2,Lyon\n\nb-3,"never closed\nb-4,Nice\n');
    const whole = await records(broken, 5);
    expect(whole.error).toBe("line 5: a quoted field opened in this record is never closed");
    const rest = await records(broken, 5, whole.records[1].next);
    expect(rest.records.map((record) => record.line)).toEqual([3]);
    expect(rest.error).toBe(whole.error);
  });

  it("names the file's own line for bytes that are not UTF-8 after a boundary", async () => {
    const latin1 = Buffer.concat([Buffer.from("id,city\nc-1,Paris\nc-2,"), Buffer.from([0xe9]), Buffer.from("vry\n")]);
    const whole = await records(latin1, 4);
    const rest = await records(latin1, 4, whole.records[1].next);
    expect(rest.error).toBe(whole.error);
    expect(rest.error).toMatch(/^line 3: contains bytes that are not UTF-8/);
  });
});
