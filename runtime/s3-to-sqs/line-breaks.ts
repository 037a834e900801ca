const LF = 0x0a;
const CR = 0x0d;

/**
 * Physical line numbers of byte offsets in a stream, counted from the raw bytes: CRLF, LF and a
 * lone CR each end one line. csv-parse's own `info.lines` cannot be used for this: it counts the
 * CR and the LF of a CRLF inside a quoted field as two lines. Scanning bytes is safe because 0x0A
 * and 0x0D never occur inside a multi-byte UTF-8 sequence.
 *
 * Only the breaks that a later query can still need are kept, so memory is bounded by what the
 * parser has been given but has not yet turned into records.
 */
export class LineBreaks {
  /** Offset of the last byte of each break not yet passed by a query (the LF of a CRLF). */
  private readonly pending: number[] = [];
  private head = 0;
  private passed: number;
  private seen: number;
  private lastWasCR = false;

  /**
   * A stream that starts at byte `offset` of a file, on physical line `line` (a later part of a
   * file read from a checkpoint): offsets and lines stay those of the whole file.
   */
  constructor(start: { offset: number; line: number } = { offset: 0, line: 1 }) {
    this.seen = start.offset;
    this.passed = start.line - 1;
  }

  /** Records the breaks of the next chunk of the stream. */
  scan(chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte === LF) {
        // The CR before it already counted this break: it now ends here, on the LF.
        if (!this.lastWasCR) this.pending.push(this.seen + i);
        else if (this.pending.length > this.head) this.pending[this.pending.length - 1] = this.seen + i;
      } else if (byte === CR) {
        this.pending.push(this.seen + i);
      }
      this.lastWasCR = byte === CR;
    }
    this.seen += chunk.length;
  }

  /**
   * The line (1-based) that holds the byte at `offset`. Queries must not go backwards: the
   * breaks before a queried offset are forgotten.
   */
  lineAt(offset: number): number {
    while (this.head < this.pending.length && this.pending[this.head] < offset) {
      this.head++;
      this.passed++;
    }
    if (this.head > 4096) {
      this.pending.splice(0, this.head);
      this.head = 0;
    }
    return this.passed + 1;
  }

  /** Like lineAt, without forgetting anything: for an error message at any point. */
  peekLineAt(offset: number): number {
    let line = this.passed + 1;
    for (let i = this.head; i < this.pending.length && this.pending[i] < offset; i++) line++;
    return line;
  }
}

/** How many line breaks a parsed field value holds (a quoted field may span lines). */
export function countLineBreaks(value: string): number {
  let count = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === LF) count++;
    else if (code === CR && value.charCodeAt(i + 1) !== LF) count++;
  }
  return count;
}
