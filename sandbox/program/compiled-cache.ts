import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { contentHash } from "../shared/file-fingerprint";
import { writeWhole } from "../shared/write-whole";

/** An output no run has used for this long is removed when the compiler is next set up. */
const UNUSED_OUTPUT_MS = 7 * 24 * 3600 * 1000;

/**
 * The program's modules as its TypeScript compiled them, kept between runs of the program: each
 * run is a new process, and compiling a program's files (its `typescript` loaded, then each file
 * transpiled) costs more than running it under mocks. An output is found by the file's name and
 * text and by the compiler's setup: its identity (version, tsconfig path), the options it
 * compiles with, and every file that setup was read from, as it read them. The setup is trusted
 * while those files are as they were, so a run whose files are all known compiles nothing and does
 * not load TypeScript at all.
 */
export class CompiledCache {
  private setupKey: string | undefined;

  constructor(
    private readonly dir: string,
    private readonly identity: string,
  ) {
    mkdirSync(dir, { recursive: true });
    this.setupKey = this.knownSetup();
  }

  private get setupFile(): string {
    return join(this.dir, `setup-${hash(this.identity).slice(0, 24)}.json`);
  }

  /** The key of the setup recorded last, if its files still read the same. */
  private knownSetup(): string | undefined {
    try {
      const recorded = JSON.parse(readFileSync(this.setupFile, "utf8")) as { key: string; files: Record<string, string> };
      return Object.entries(recorded.files).every(([file, fingerprint]) => fingerprintOf(file) === fingerprint) ? recorded.key : undefined;
    } catch {
      return undefined;
    }
  }

  /** Whether outputs can be looked up before the compiler is set up. */
  get ready(): boolean {
    return this.setupKey !== undefined;
  }

  /**
   * Records the compiler's setup: the options it compiles with and the files they were read from
   * (file -> fingerprint; a file looked for and not found is "absent").
   */
  setUp(options: unknown, files: Record<string, string>): void {
    const key = hash(JSON.stringify({ identity: this.identity, options, files }));
    this.setupKey = key;
    writeWhole(this.setupFile, JSON.stringify({ key, files }));
    this.removeUnused();
  }

  private outputFile(filename: string, source: string): string {
    return join(this.dir, `${hash(`${this.setupKey}\u0000${filename}\u0000${source}`).slice(0, 32)}.js`);
  }

  lookup(filename: string, source: string): string | undefined {
    if (!this.setupKey) return undefined;
    const file = this.outputFile(filename, source);
    try {
      const output = readFileSync(file, "utf8");
      // Its time says when a run last used it.
      const now = new Date();
      utimesSync(file, now, now);
      return output;
    } catch {
      return undefined;
    }
  }

  store(filename: string, source: string, output: string): void {
    if (!this.setupKey) return;
    try {
      writeWhole(this.outputFile(filename, source), output);
    } catch {
      // A cache that cannot be written costs the next run a compile, nothing else.
    }
  }

  /** Outputs of files since changed, or of an older setup, are left behind: removed once unused for a week. */
  private removeUnused(): void {
    const cutoff = Date.now() - UNUSED_OUTPUT_MS;
    for (const name of readdirSync(this.dir)) {
      if (!name.endsWith(".js")) continue;
      const file = join(this.dir, name);
      try {
        if (statSync(file).mtimeMs < cutoff) rmSync(file, { force: true });
      } catch {
        // Removed by another run meanwhile.
      }
    }
  }
}

const hash = (text: string) => createHash("sha256").update(text).digest("hex");

/** A file of the setup as it is now: its bytes' hash, or "absent". */
export const fingerprintOf = (file: string): string => contentHash(file) ?? "absent";
