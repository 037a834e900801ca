import { existsSync, readFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { parse as parseYaml } from "yaml";
import { CompiledCache, fingerprintOf } from "./compiled-cache";

/**
 * Loads a Pulumi program as the Pulumi CLI's Node.js language host does: the entry point from
 * `Pulumi.yaml`'s `main` or else `package.json`'s `exports`/`main` (else the directory itself),
 * TypeScript compiled to CommonJS with the program's own `tsconfig.json` and its own `typescript`
 * (ts-node's semantics, which the CLI uses), JavaScript run as it is. Only the program's own files
 * go through this compiler: the sandbox's TypeScript loader never touches them.
 */

interface ProjectFile {
  name?: string;
  main?: string;
  runtime?: string | { name?: string; options?: { typescript?: boolean; nodeargs?: string; packagemanager?: string } };
}

export interface ProgramShape {
  /** The file or directory the CLI would require. */
  entry: string;
  /** Whether the CLI would register ts-node (`runtime.options.typescript`, true unless false). */
  typescript: boolean;
  /** Runtime options the sandbox does not apply, named for the start-up listing. */
  ignoredOptions: string[];
}

export class ProgramLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProgramLoadError";
  }
}

export function programShape(programDir: string): ProgramShape {
  const projectFile = join(programDir, "Pulumi.yaml");
  if (!existsSync(projectFile)) throw new ProgramLoadError(`no Pulumi.yaml in ${programDir}: is this a Pulumi project directory?`);
  const project = (parseYaml(readFileSync(projectFile, "utf8")) ?? {}) as ProjectFile;
  const runtime = typeof project.runtime === "string" ? { name: project.runtime } : (project.runtime ?? {});
  if (runtime.name !== "nodejs") {
    throw new ProgramLoadError(`${projectFile}: runtime '${runtime.name ?? "(none)"}' is not run by the sandbox; it runs nodejs programs`);
  }
  const options = runtime.options ?? {};
  const ignoredOptions = options.nodeargs
    ? [`runtime.options.nodeargs '${options.nodeargs}' (the deployer runs without extra Node flags)`]
    : [];
  const packageJson = readPackageJson(programDir);
  if (packageJson.type === "module") {
    throw new ProgramLoadError(
      `${join(programDir, "package.json")} says "type": "module": ES module programs are not run by the sandbox yet; CommonJS programs (the default) are`,
    );
  }
  const entry = project.main ? resolve(programDir, project.main) : (packageEntry(programDir, packageJson) ?? programDir);
  return { entry, typescript: options.typescript !== false, ignoredOptions };
}

function readPackageJson(programDir: string): { main?: string; type?: string; exports?: unknown } {
  const file = join(programDir, "package.json");
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { main?: string; type?: string; exports?: unknown }) : {};
}

/** `exports` (a string, or `.`'s default/require/import), else `main`: the CLI's order. */
function packageEntry(programDir: string, packageJson: { main?: string; exports?: unknown }): string | undefined {
  const exported = packageJson.exports;
  let candidate: string | undefined;
  if (typeof exported === "string") candidate = exported;
  else if (exported && typeof exported === "object") {
    const main = (exported as Record<string, unknown>)["."];
    if (typeof main === "string") candidate = main;
    else if (main && typeof main === "object") {
      const conditions = main as Record<string, string | undefined>;
      candidate = conditions.default ?? conditions.require ?? conditions.import;
    }
  } else candidate = packageJson.main;
  if (!candidate) return undefined;
  const path = resolve(programDir, candidate);
  return existsSync(path) ? path : undefined;
}

type TypeScript = typeof import("typescript");
type CompileHandler = (module: Module & { _compile(code: string, file: string): unknown }, filename: string) => void;

/**
 * Compiles the program's `.ts` files as the CLI's ts-node does: its defaults (ES2020, source
 * maps; CommonJS output with `esModuleInterop`, which is what `nodenext` gives a CommonJS
 * package), overridden by the program's tsconfig. Transpile only: `pulumi up` also type-checks
 * unless the program opts out, so the sandbox says so at start. Outputs are kept in `cacheDir`:
 * TypeScript is loaded only when a file is not there.
 */
export function registerProgramTypeScript(programDir: string, cacheDir: string): void {
  const typescriptPackage = resolveTypeScript(programDir, "typescript/package.json");
  const configFile = join(programDir, process.env.PULUMI_NODEJS_TSCONFIG_PATH ?? "tsconfig.json");
  const version = (JSON.parse(readFileSync(typescriptPackage, "utf8")) as { version: string }).version;
  const cache = new CompiledCache(cacheDir, JSON.stringify({ typescript: typescriptPackage, version, configFile }));
  let compiler: { ts: TypeScript; options: import("typescript").CompilerOptions } | undefined;
  const compilerNow = () => {
    if (!compiler) {
      const ts = createRequire(typescriptPackage)("typescript") as TypeScript;
      const { options, files } = compilerOptions(ts, configFile);
      // This file's own rules are part of the setup: a sandbox that compiles otherwise compiles again.
      files[__filename] = fingerprintOf(__filename);
      cache.setUp(options, files);
      compiler = { ts, options };
    }
    return compiler;
  };
  // A setup not known to be good is read now, as ts-node reads it when it registers: a tsconfig
  // it refuses stops the program before its first module.
  if (!cache.ready) compilerNow();
  const extensions = (Module as unknown as { _extensions: Record<string, CompileHandler> })._extensions;
  const previous = extensions[".ts"];
  const ownFile = (file: string) => {
    const inside = relative(programDir, file);
    return !inside.startsWith("..") && !isAbsolute(inside) && !inside.split(sep).includes("node_modules");
  };
  const compile: CompileHandler = (module, filename) => {
    if (!ownFile(filename)) {
      if (previous) return previous(module, filename);
      throw new ProgramLoadError(`${filename}: TypeScript outside the program (in node_modules) is not compiled, as ts-node does not`);
    }
    const source = readFileSync(filename, "utf8");
    const known = cache.lookup(filename, source);
    if (known !== undefined) return module._compile(known, filename);
    const { ts, options } = compilerNow();
    const output = ts.transpileModule(source, { compilerOptions: options, fileName: filename, reportDiagnostics: true });
    const syntaxErrors = (output.diagnostics ?? []).filter((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error);
    if (syntaxErrors.length > 0) {
      throw new ProgramLoadError(
        ts.formatDiagnostics(syntaxErrors, {
          getCanonicalFileName: (name) => name,
          getCurrentDirectory: () => programDir,
          getNewLine: () => "\n",
        }),
      );
    }
    cache.store(filename, source, output.outputText);
    module._compile(output.outputText, filename);
  };
  // Enumerable, so that require() tries `.ts` when it resolves `./config` (a scoped loader such as
  // the sandbox's own keeps its `.ts` entry hidden from resolution).
  Object.defineProperty(extensions, ".ts", { value: compile, enumerable: true, writable: true, configurable: true });
}

/** In the program's own `typescript`, as the CLI's ts-node takes it; else in the sandbox's. */
function resolveTypeScript(programDir: string, request: string): string {
  try {
    return createRequire(join(programDir, "package.json")).resolve(request);
  } catch {
    return createRequire(__filename).resolve(request);
  }
}

/**
 * The options, and every file they were read from or looked for (the tsconfig, those it extends,
 * the paths tried to find them), each with its fingerprint as it was read.
 */
function compilerOptions(
  ts: TypeScript,
  configFile: string,
): { options: import("typescript").CompilerOptions; files: Record<string, string> } {
  const defaults = { target: ts.ScriptTarget.ES2020, sourceMap: false, inlineSourceMap: true, esModuleInterop: true };
  const files: Record<string, string> = {};
  const host = {
    ...ts.sys,
    fileExists: (file: string) => {
      const exists = ts.sys.fileExists(file);
      if (!exists) files[file] = "absent";
      return exists;
    },
    readFile: (file: string) => {
      files[file] = fingerprintOf(file);
      return ts.sys.readFile(file);
    },
  };
  if (!host.fileExists(configFile)) return { options: { ...defaults, module: ts.ModuleKind.CommonJS }, files };
  const read = ts.readConfigFile(configFile, host.readFile);
  if (read.error) throw new ProgramLoadError(ts.flattenDiagnosticMessageText(read.error.messageText, "\n"));
  const parsed = ts.parseJsonConfigFileContent(read.config, host, dirname(configFile));
  const own = parsed.options;
  // A CommonJS package compiled under node16/nodenext is CommonJS with esModuleInterop: say it so
  // to transpileModule, which cannot look up the package's "type" itself.
  const nodeNext = own.module === undefined || own.module === ts.ModuleKind.Node16 || own.module === ts.ModuleKind.NodeNext;
  const options = {
    ...defaults,
    ...own,
    ...(nodeNext ? { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, esModuleInterop: true } : {}),
    noEmit: false,
    declaration: false,
    sourceMap: false,
    inlineSourceMap: true,
    // Each module runs from its own .ts path, so its map must name the file beside it: with an
    // outDir (Pulumi's templates set "bin") the map's sources would be `../index.ts`, and stacks
    // would name a file one folder up that does not exist.
    outDir: undefined,
    outFile: undefined,
    rootDir: undefined,
    sourceRoot: undefined,
    mapRoot: undefined,
  };
  return { options, files };
}

/** The program's module, as the language host requires it. */
export function requireProgram(programDir: string, entry: string): Record<string, unknown> {
  return createRequire(join(programDir, "package.json"))(entry) as Record<string, unknown>;
}
