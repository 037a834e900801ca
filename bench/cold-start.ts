import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as esbuild from "esbuild";
import { bundle, HANDLER_BUILD_OPTIONS, PROJECT_ROOT, SOURCE_MAP_FILE, SOURCE_MAP_NODE_OPTIONS } from "../components/bundle";
import { quietEnv, runJsonChild } from "./child";
import { handlerEnvironment, HANDLERS } from "./handler-env";
import { fmt, progress, yesNo, type Figure } from "./report";
import { median } from "./stats";
import type { BenchContext } from "./context";

const JOB_API_MAX_BYTES = 300 * 1024;

/**
 * Module init in a fresh process: the time `require` of the handler file takes, which is what a
 * Lambda cold start adds to Node's own start. Also the bytes of every module file it loaded.
 */
const PROBE = `
const t = performance.now();
require(process.argv[1]);
const ms = performance.now() - t;
const fs = require("node:fs");
const bytes = Object.keys(require.cache).reduce((sum, file) => sum + fs.statSync(file).size, 0);
process.stdout.write(JSON.stringify({ ms, bytes, files: Object.keys(require.cache).length }) + "\\n");
`;

interface Probe {
  ms: number;
  bytes: number;
  files: number;
}

/**
 * Goal 3. Each production bundle (components/bundle.ts, byte for byte what is deployed) against
 * the same handler built by esbuild with every npm package left external, so that it loads
 * runtime/ code compiled but the SDK, zod and csv-parse from node_modules as Node resolves them
 * (their CommonJS builds): "imported unbundled from node_modules", without tsx's transpiling.
 */
export async function coldStart(ctx: BenchContext): Promise<Figure[]> {
  const reps = ctx.sizes.coldStartReps;
  const dir = join(ctx.work, "cold-start");
  const figures: Figure[] = [];
  for (const handler of HANDLERS) {
    const bundled = join(dir, handler.name, "index.js");
    const unbundled = join(dir, `${handler.name}-external`, "index.js");
    mkdirSync(join(dir, handler.name), { recursive: true });
    mkdirSync(join(dir, `${handler.name}-external`), { recursive: true });
    const production = bundle(handler.entry);
    writeFileSync(bundled, production.code);
    const external = esbuild.buildSync({
      absWorkingDir: PROJECT_ROOT,
      entryPoints: [`./${handler.entry}`],
      bundle: true,
      write: false,
      platform: "node",
      format: "cjs",
      target: "node22",
      packages: "external",
      logLevel: "silent",
    });
    writeFileSync(unbundled, external.outputFiles[0].text);
    const env = { ...quietEnv, ...handlerEnvironment(handler.contract), NODE_PATH: join(PROJECT_ROOT, "node_modules") };

    // The deployed archive: the bundle and its source map beside it.
    writeFileSync(join(dir, handler.name, SOURCE_MAP_FILE), production.sourceMap);

    const fast: Probe[] = [];
    const slow: Probe[] = [];
    const mapped: Probe[] = [];
    // Alternated, so that a slow moment of the machine hits every side alike.
    for (let rep = 0; rep < reps; rep++) {
      fast.push(await runJsonChild<Probe>(["-e", PROBE, bundled], { env, timeoutMs: 30_000 }));
      slow.push(await runJsonChild<Probe>(["-e", PROBE, unbundled], { env, timeoutMs: 30_000 }));
      mapped.push(
        await runJsonChild<Probe>(["-e", PROBE, bundled], { env: { ...env, NODE_OPTIONS: SOURCE_MAP_NODE_OPTIONS }, timeoutMs: 30_000 }),
      );
    }
    const value = median(fast.map((probe) => probe.ms));
    const baseline = median(slow.map((probe) => probe.ms));
    const size = Buffer.byteLength(production.code);
    progress(
      `cold start ${handler.name}: ${fmt.ms(value)} bundled (${fmt.kb(size)}) vs ${fmt.ms(baseline)} from node_modules ` +
        `(${slow[0].files} files, ${fmt.kb(slow[0].bytes)}); largest inputs: ${largestInputs(handler.entry)}`,
    );
    // A handler that imports no npm package loads the same code either way: nothing to gain.
    const usesPackages = production.inputs.some((input) => input.includes("node_modules/"));
    figures.push({
      figure: `cold start ${handler.name}: module init`,
      value: fmt.ms(value),
      baseline: `${fmt.ms(baseline)} unbundled`,
      ratio: fmt.ratio(baseline / value),
      goal: usesPackages ? ">= 3x faster" : "- (no npm imports)",
      met: usesPackages ? yesNo(baseline / value >= 3) : "-",
    });
    // What the deployed functions pay for stack traces at runtime/ lines: Node reads the map at load.
    const withMap = median(mapped.map((probe) => probe.ms));
    progress(
      `cold start ${handler.name}: ${fmt.ms(withMap)} with ${SOURCE_MAP_NODE_OPTIONS} (${fmt.kb(Buffer.byteLength(production.sourceMap))} map) vs ${fmt.ms(value)} without`,
    );
    figures.push({
      figure: `cold start ${handler.name}: module init with its source map`,
      value: `${fmt.ms(withMap)} (${fmt.kb(Buffer.byteLength(production.sourceMap))} map)`,
      baseline: `${fmt.ms(value)} without ${SOURCE_MAP_NODE_OPTIONS}`,
      ratio: fmt.ratio(withMap / value),
      goal: "listed",
      met: "-",
    });
    const isApi = handler.name === "job-api";
    figures.push({
      figure: `bundle size ${handler.name}`,
      value: fmt.kb(size),
      baseline: `${fmt.kb(slow[0].bytes)} loaded unbundled`,
      ratio: fmt.ratio(slow[0].bytes / size),
      goal: isApi ? "<= 300 KB" : "listed",
      met: isApi ? yesNo(size <= JOB_API_MAX_BYTES) : "-",
    });
  }
  figures.push(sdkClients());
  figures.push(await zodAlone(dir, reps));
  return figures;
}

/**
 * Each bundle carries only the SDK clients its own runtime/ sources import (a value import, not
 * `import type`): one handler's client must not ride along in another's bundle.
 */
function sdkClients(): Figure {
  const lines: string[] = [];
  let exact = true;
  for (const handler of HANDLERS) {
    const { inputs } = bundle(handler.entry);
    const bundled = new Set(inputs.flatMap((input) => /node_modules\/@aws-sdk\/(client-[^/]+)\//.exec(input)?.[1] ?? []));
    const imported = new Set(
      inputs
        .filter((input) => input.startsWith("runtime/"))
        .flatMap((input) =>
          [...readFileSync(join(PROJECT_ROOT, input), "utf8").matchAll(/^import (?!type )[^;]*from "@aws-sdk\/(client-[^"/]+)"/gm)].map(
            (match) => match[1],
          ),
        ),
    );
    exact &&= bundled.size === imported.size && [...bundled].every((client) => imported.has(client));
    lines.push(`${handler.name}: ${[...bundled].map((client) => client.replace("client-", "")).join("+") || "none"}`);
  }
  return {
    figure: "bundles: SDK clients per handler",
    value: lines.join("; "),
    baseline: "clients the handler's sources import",
    ratio: "-",
    goal: "only those",
    met: yesNo(exact),
  };
}

/**
 * Classic zod against zod/mini (which runtime/jobs/schema.ts uses), each bundled alone with the
 * production options: why the schema is written with zod/mini.
 */
async function zodAlone(dir: string, reps: number): Promise<Figure> {
  const build = (contents: string) =>
    esbuild
      .buildSync({
        ...HANDLER_BUILD_OPTIONS,
        stdin: { contents, resolveDir: PROJECT_ROOT, loader: "ts" },
      })
      // The bundle, not its source map.
      .outputFiles.find((file) => file.path.endsWith(".js"))!.text;
  const classic = join(dir, "zod.js");
  const mini = join(dir, "zod-mini.js");
  writeFileSync(
    classic,
    build('import { z } from "zod"; export const job = z.strictObject({ id: z.string().trim().min(1), salary: z.number().optional() });'),
  );
  writeFileSync(
    mini,
    build(
      'import { number, optional, strictObject, string, trim, minLength } from "zod/mini"; export const job = strictObject({ id: string().check(trim(), minLength(1)), salary: optional(number()) });',
    ),
  );
  const times = { classic: [] as number[], mini: [] as number[] };
  for (let rep = 0; rep < reps; rep++) {
    times.classic.push((await runJsonChild<Probe>(["-e", PROBE, classic], { timeoutMs: 30_000 })).ms);
    times.mini.push((await runJsonChild<Probe>(["-e", PROBE, mini], { timeoutMs: 30_000 })).ms);
  }
  const [classicMs, miniMs] = [median(times.classic), median(times.mini)];
  const size = (file: string) => fmt.kb(Buffer.byteLength(readFileSync(file)));
  progress(`cold start: classic zod: ${size(classic)}, ${fmt.ms(classicMs)} to init; zod/mini: ${size(mini)}, ${fmt.ms(miniMs)}`);
  return {
    figure: "cold start: classic zod alone (zod/mini is what the schema uses)",
    value: `${fmt.ms(classicMs)}, ${size(classic)}`,
    baseline: `${fmt.ms(miniMs)}, ${size(mini)} zod/mini`,
    ratio: fmt.ratio(classicMs / miniMs),
    goal: "-",
    met: "-",
  };
}

/** Which packages the bytes of a production bundle come from: the first thing to read when a size goal is missed. */
function largestInputs(entry: string): string {
  const bytes = new Map<string, number>();
  for (const [file, size] of Object.entries(bundle(entry).bytesByInput)) {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? file.split("/").slice(0, 2).join("/");
    bytes.set(name, (bytes.get(name) ?? 0) + size);
  }
  return [...bytes]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([name, size]) => `${name} ${fmt.kb(size)}`)
    .join(", ");
}
