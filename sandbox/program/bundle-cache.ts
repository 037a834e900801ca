import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import type { BuildOptions, BuildResult, Metafile, OutputFile } from "esbuild";
import { fileFingerprint } from "../shared/file-fingerprint";
import { writeWhole } from "../shared/write-whole";

interface Entry {
  /** Input file -> fingerprint: content hash for sources, size and mtime for node_modules. */
  inputs: Record<string, string>;
  outputs: Array<{ path: string; text: string }>;
  /** Kept when the program asked for it (it may read the inputs, as the program's bundling does). */
  metafile?: Metafile;
}

function outputFile(path: string, text: string): OutputFile {
  const contents = Buffer.from(text, "utf8");
  return { path, contents, text, hash: createHash("sha256").update(contents).digest("hex").slice(0, 8) };
}

/**
 * Where a program's builds are cached: beside its packages (`node_modules/.cache`, where build
 * tools keep theirs), so a start with fresh state (`--fresh`) or another sandbox of the same
 * program bundles nothing that did not change; in the sandbox's state for a program without
 * a node_modules folder; in `SANDBOX_BUNDLE_CACHE_DIR` when it is set (the bench's first start finds none there).
 */
export function bundleCacheDirFor(programDir: string, stateDir: string): string {
  if (process.env.SANDBOX_BUNDLE_CACHE_DIR) return process.env.SANDBOX_BUNDLE_CACHE_DIR;
  const packages = join(programDir, "node_modules");
  return existsSync(packages) ? join(packages, ".cache", "sandbox-bundles") : join(stateDir, "bundles");
}

/**
 * A build cache for the program's esbuild bundles, keyed by the exact build options and checked
 * against every input file the last build read: an unchanged handler is not bundled again on the
 * next start (the output is byte-identical, so nothing downstream can tell), which is most of a
 * deployment's time.
 */
export class BundleCache {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  private fileOf(options: BuildOptions): string {
    return join(this.dir, `${createHash("sha256").update(JSON.stringify(options)).digest("hex").slice(0, 24)}.json`);
  }

  /** The cached result and the files its build read, if every one of them is as it was. */
  lookup(options: BuildOptions): { result: BuildResult; inputs: string[] } | undefined {
    let entry: Entry;
    try {
      entry = JSON.parse(readFileSync(this.fileOf(options), "utf8")) as Entry;
    } catch {
      return undefined;
    }
    for (const [path, print] of Object.entries(entry.inputs)) {
      if (fileFingerprint(path) !== print) return undefined;
    }
    const result = {
      errors: [],
      warnings: [],
      outputFiles: entry.outputs.map((output) => outputFile(output.path, output.text)),
      metafile: options.metafile ? entry.metafile : undefined,
      mangleCache: undefined,
    } as BuildResult;
    return { result, inputs: Object.keys(entry.inputs) };
  }

  store(options: BuildOptions, result: BuildResult & { metafile?: Metafile }): void {
    if (!result.metafile || !result.outputFiles) return;
    const base = options.absWorkingDir ?? process.cwd();
    const inputs: Record<string, string> = {};
    for (const input of Object.keys(result.metafile.inputs)) {
      // Virtual inputs (e.g. `<stdin>`, plugin namespaces) cannot be checked: such a build is not cached.
      if (input.includes(":") && !isAbsolute(input)) return;
      const path = isAbsolute(input) ? input : join(base, input);
      const print = fileFingerprint(path);
      if (!print) return;
      inputs[path] = print;
    }
    const entry: Entry = {
      inputs,
      outputs: result.outputFiles.map((file) => ({ path: file.path, text: file.text })),
      ...(options.metafile ? { metafile: result.metafile } : {}),
    };
    writeWhole(this.fileOf(options), JSON.stringify(entry));
  }
}
