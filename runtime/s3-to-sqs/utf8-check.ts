/**
 * Checks that a byte stream is UTF-8 text, chunk by chunk, and says where it stops being so.
 * Node's Buffer decoding (which csv-parse uses) replaces bad bytes with U+FFFD without a word, so a
 * Windows-1252 or UTF-16 export would be stored as garbage: here it rejects the file instead.
 */
export interface Utf8Problem {
  /** Offset in the stream of the byte where the text stops being UTF-8 (none: the whole file). */
  readonly offset?: number;
  readonly reason: string;
}

const SAVE_AS = "save it as CSV UTF-8";

export class Utf8Check {
  private readonly decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  /** The bytes of a character that the previous chunks started but did not finish. */
  private tail: Uint8Array = new Uint8Array(0);
  private seen: number;

  /**
   * `startOffset`: where in the file the stream starts (a record boundary, so a character
   * boundary), so that offsets are the file's; the UTF-16 check applies only at the file's start.
   */
  constructor(startOffset = 0) {
    this.seen = startOffset;
  }

  check(chunk: Uint8Array): Utf8Problem | undefined {
    if (this.seen === 0 && chunk.length >= 2 && isUtf16Bom(chunk[0], chunk[1])) {
      return { reason: `the file is UTF-16, not UTF-8; ${SAVE_AS}` };
    }
    // NUL is valid UTF-8 but never text: it is what a UTF-16 file without a BOM looks like.
    const nul = chunk.indexOf(0);
    if (nul >= 0) {
      return { offset: this.seen + nul, reason: `contains a NUL byte, so the file is not UTF-8 text (UTF-16 without a BOM?); ${SAVE_AS}` };
    }
    try {
      this.decoder.decode(chunk, { stream: true });
    } catch {
      const carried = concat(this.tail, chunk);
      return {
        offset: this.seen - this.tail.length + firstInvalidByte(carried),
        reason: `contains bytes that are not UTF-8 (was the file saved as Windows-1252 or Latin-1?); ${SAVE_AS}`,
      };
    }
    const carried = this.tail.length > 0 ? concat(this.tail, chunk) : chunk;
    this.tail = carried.slice(carried.length - incompleteTailLength(carried));
    this.seen += chunk.length;
    return undefined;
  }

  /** At the end of the stream: a character cut short is a problem too. */
  end(): Utf8Problem | undefined {
    try {
      this.decoder.decode();
      return undefined;
    } catch {
      return { offset: this.seen - this.tail.length, reason: `the file ends in the middle of a UTF-8 character; ${SAVE_AS}` };
    }
  }
}

function isUtf16Bom(first: number, second: number): boolean {
  return (first === 0xff && second === 0xfe) || (first === 0xfe && second === 0xff);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a, 0);
  joined.set(b, a.length);
  return joined;
}

/** How many trailing bytes start a character that needs more bytes than are there. */
function incompleteTailLength(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back];
    if ((byte & 0xc0) === 0x80) continue;
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? back : 0;
  }
  return 0;
}

/**
 * Offset of the byte at which `bytes` stops being UTF-8 (it is known not to be). A prefix that
 * holds a bad sequence always fails to decode and so does every longer one, so a binary search
 * over prefix lengths finds it with a few decodes; this only runs once, on a rejected file.
 */
function firstInvalidByte(bytes: Uint8Array): number {
  let good = 0;
  let bad = bytes.length;
  while (bad - good > 1) {
    const middle = (good + bad) >>> 1;
    try {
      new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes.subarray(0, middle), { stream: true });
      good = middle;
    } catch {
      bad = middle;
    }
  }
  return bad - 1;
}
