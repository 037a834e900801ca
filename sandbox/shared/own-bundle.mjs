/* global process */
// The sandbox's own TypeScript, bundled by esbuild into one CommonJS file kept beside its packages
// (node_modules/.cache, where build tools keep theirs: the bundle's `require` and `import()` of
// packages resolve from there). `npm ci` builds it (postinstall runs this file); a start builds it
// again only when one of the files it was made from changed since. A start loads one file instead
// of compiling and resolving each module through tsx's hooks. Packages stay outside the bundle,
// loaded by Node from node_modules as usual.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import module, { createRequire } from "node:module";
import { dirname, extname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const cacheDirOf = (root) => join(root, "node_modules", ".cache", "sandbox-own");

/** Each process's entry: `npm start`'s sandbox, and a deployer (the program's runner). */
export const ownBundles = {
  start: `export { Deployer } from "./sandbox/program/deployer"; export { run } from "./sandbox/cli/run";`,
  deployer: `import "./sandbox/program/runner";`,
};

/**
 * Node 22.1+ keeps V8's compiled code of every module it loads from then on (the packages above
 * all), beside the bundles; Node 20 has no such cache and loads as before. (Function environments
 * keep one of their own, in the sandbox's state.)
 */
export function keepCompiledCode(root = projectRoot) {
  module.enableCompileCache?.(join(cacheDirOf(root), "compiled"));
}

/** Size and time: a save, a checkout or a new esbuild changes them; reading every file would cost what the cache saves. */
function stamp(file) {
  try {
    const stats = statSync(file);
    return `${stats.size}:${stats.mtimeMs}`;
  } catch {
    return "absent";
  }
}

/**
 * Each module sees its own `__dirname` and `__filename` (a plain JavaScript module its own
 * `import.meta.url`), as it did unbundled: the sandbox finds its bootstrap, the deployer's entry
 * and the console's page beside their sources.
 */
const ownPaths = {
  name: "own-paths",
  setup(build) {
    build.onLoad({ filter: /\.mjs$/ }, (args) => ({
      contents: readFileSync(args.path, "utf8").replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href)),
      loader: "js",
    }));
    // On the file's first line, so that every line keeps its number in stack traces.
    build.onLoad({ filter: /\.(ts|mts|cts)$/ }, (args) => ({
      contents: `const __dirname = ${JSON.stringify(dirname(args.path))}, __filename = ${JSON.stringify(args.path)}; ${readFileSync(args.path, "utf8")}`,
      loader: "ts",
    }));
  },
};

async function build(root, name, source, keyFile) {
  const esbuild = require("esbuild");
  const cacheDir = cacheDirOf(root);
  const result = await esbuild.build({
    stdin: { contents: source, resolveDir: root, loader: "ts", sourcefile: `${name}.ts` },
    absWorkingDir: root,
    // Not written there (its name is its content's hash), but the source map's paths are relative to it.
    outfile: join(cacheDir, `${name}.cjs`),
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    packages: "external",
    sourcemap: "inline",
    sourcesContent: false,
    metafile: true,
    write: false,
    logLevel: "silent",
    plugins: [ownPaths],
  });
  const code = result.outputFiles[0].text;
  // Named by its content: a key never points at a bundle written after it, whatever other starts do meanwhile.
  const bundle = `${name}-${createHash("sha256").update(code).digest("hex").slice(0, 16)}.cjs`;
  const inputs = Object.fromEntries(
    [...Object.keys(result.metafile.inputs).filter((input) => input !== "<stdin>"), require.resolve("esbuild/package.json")].map(
      (input) => [input, stamp(resolve(root, input))],
    ),
  );
  mkdirSync(cacheDir, { recursive: true });
  for (const [file, text] of [
    [join(cacheDir, bundle), code],
    [keyFile, JSON.stringify({ source, bundle, inputs })],
  ]) {
    writeFileSync(`${file}.${process.pid}.tmp`, text);
    renameSync(`${file}.${process.pid}.tmp`, file);
  }
  // Builds this one replaced, once they are an hour old: another start may still be loading one.
  for (const entry of readdirSync(cacheDir)) {
    const path = join(cacheDir, entry);
    if (entry.startsWith(`${name}-`) && entry !== bundle && extname(entry) === ".cjs" && Date.now() - statSync(path).mtimeMs > 3_600_000)
      rmSync(path, { force: true });
  }
  return join(cacheDir, bundle);
}

/** The bundle of `source`, built first when any file it was made from changed since. */
async function bundleOf(name, source, root) {
  const keyFile = join(cacheDirOf(root), `${name}.json`);
  let key;
  try {
    key = JSON.parse(readFileSync(keyFile, "utf8"));
  } catch {
    key = undefined;
  }
  const fresh =
    key?.source === source &&
    existsSync(join(cacheDirOf(root), key.bundle)) &&
    Object.entries(key.inputs).every(([input, print]) => stamp(resolve(root, input)) === print);
  return fresh ? join(cacheDirOf(root), key.bundle) : build(root, name, source, keyFile);
}

/**
 * Loads `source` (TypeScript importing the sandbox's modules by paths from `root`, the project's;
 * one of `ownBundles` unless told) from its bundle.
 */
export async function loadOwnBundle(name, source = ownBundles[name], root = projectRoot) {
  const bundle = await bundleOf(name, source, root);
  // Stack traces at the sandbox's sources, as tsx gave them.
  process.setSourceMapsEnabled(true);
  return require(bundle);
}

// `node sandbox/shared/own-bundle.mjs` (npm's postinstall): every bundle built before the first start.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const [name, source] of Object.entries(ownBundles)) await bundleOf(name, source, projectRoot);
}
