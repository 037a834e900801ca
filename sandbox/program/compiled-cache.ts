import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The program's modules as its TypeScript compiled them, kept between runs of the program: each
 * run is a new process, and compiling a program's files (its `typescript` loaded, then each file
 * transpiled) costs more than running it under mocks. An output is found by the file's name and
 * text and by the compiler's setup (its version and the options its tsconfig files gave); that
 * setup is trusted while those files are as they were, so a run whose files are all known
 * compiles nothing and does not load TypeScript at all.
 */
export class CompiledCache {
  private setupKey: string | undefined;

  constructor(
    private readonly dir: string,
    /** What the setup depends on besides its files: the compiler's version, the tsconfig's path. */
    private readonly setupIdentity: string,
  ) {
    mkdirSync(dir, { recursive: true });
    this.setupKey = this.knownSetup();
  }

  private get setupFile(): string {
    return join(this.dir, `setup-${hash(this.setupIdentity).slice(0, 24)}.json`);
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

  /** Records the compiler's setup: the options it compiles with and the files they were read from. */
  setUp(options: unknown, files: string[]): void {
    const key = hash(JSON.stringify({ identity: this.setupIdentity, options }));
    this.setupKey = key;
    write(this.setupFile, JSON.stringify({ key, files: Object.fromEntries(files.map((file) => [file, fingerprintOf(file)])) }));
  }

  private outputFile(filename: string, source: string): string {
    return join(this.dir, `${hash(`${this.setupKey}\u0000${filename}\u0000${source}`).slice(0, 32)}.js`);
  }

  lookup(filename: string, source: string): string | undefined {
    if (!this.setupKey) return undefined;
    try {
      return readFileSync(this.outputFile(filename, source), "utf8");
    } catch {
      return undefined;
    }
  }

  store(filename: string, source: string, output: string): void {
    if (!this.setupKey) return;
    try {
      write(this.outputFile(filename, source), output);
    } catch {
      // A cache that cannot be written costs the next run a compile, nothing else.
    }
  }
}

const hash = (text: string) => createHash("sha256").update(text).digest("hex");

function fingerprintOf(file: string): string {
  try {
    return hash(readFileSync(file, "utf8"));
  } catch {
    return "absent";
  }
}

/** Written whole, then renamed: another run reading meanwhile finds the old file or the new one. */
function write(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}
