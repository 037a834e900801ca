/**
 * A deployer process: runs the Pulumi program once under the sandbox's mocks and reports what it
 * declared. A process per deployment gives every run a clean Pulumi runtime and a fresh module
 * cache (the program's own bundling runs again), which is what hot reload relies on. The parent
 * starts it ahead of time so the costly imports are done before a deployment is asked for.
 */
import { existsSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import type * as PulumiModule from "@pulumi/pulumi";
import Module, { createRequire } from "node:module";
import type { BuildOptions, BuildResult } from "esbuild";
import type { BundleRecipe, Deployment, DeployRequest } from "../model/recorded";
import { BundleCache } from "./bundle-cache";
import { ProgramLoadError, programShape, registerProgramTypeScript, requireProgram } from "./program-loader";
import { runUnderMocks } from "./run-under-mocks";
import { Provisioner } from "./provision";
import { sandboxMocks } from "./mocks";

/**
 * The program bundles its handlers with esbuild while it runs. Recording each build (its options
 * and output) lets the sandbox rebuild exactly those bundles on a change under runtime/, and swap
 * the functions within a second, before the full redeployment confirms the rest.
 */
const bundles: BundleRecipe[] = [];
let cache: BundleCache | undefined;
const moduleLoader = Module as unknown as { _load(request: string, parent: unknown, isMain: boolean): unknown };
const originalLoad = moduleLoader._load;
moduleLoader._load = function (request, parent, isMain) {
  const loaded = originalLoad.call(this, request, parent, isMain);
  if (request !== "esbuild") return loaded;
  const esbuild = loaded as typeof import("esbuild");
  return {
    ...esbuild,
    buildSync(options: BuildOptions) {
      const replayable = isReplayable(options);
      const cached = replayable ? cache?.lookup(options) : undefined;
      const result = cached?.result ?? esbuild.buildSync(replayable ? { ...options, metafile: true } : options);
      if (replayable) remember(options, result, cached?.inputs);
      return result;
    },
    async build(options: BuildOptions) {
      const replayable = isReplayable(options);
      const cached = replayable ? cache?.lookup(options) : undefined;
      const result = cached?.result ?? (await esbuild.build(replayable ? { ...options, metafile: true } : options));
      if (replayable) remember(options, result, cached?.inputs);
      return result;
    },
  };
};

/** Only self-contained builds can be cached and replayed in another process. */
function isReplayable(options: BuildOptions): boolean {
  return !options.plugins?.length && options.write === false;
}

/** A build the program ran: stored unless it came from the cache (`cachedInputs`, the files it read). */
function remember(options: BuildOptions, result: BuildResult, cachedInputs: string[] | undefined) {
  if (!result.outputFiles?.length) return;
  if (!cachedInputs) cache?.store(options, result);
  const read = cachedInputs ?? (result.metafile ? Object.keys(result.metafile.inputs) : []);
  const inputs = read.map((input) => resolve(options.absWorkingDir ?? process.cwd(), input));
  bundles.push({
    options: JSON.parse(JSON.stringify(options)),
    outputs: Object.fromEntries(result.outputFiles.map((file) => [file.path, file.text])),
    inputs,
  });
}

/** Files of a project the CLI reads besides the program's modules. */
const projectFiles = ["Pulumi.yaml", "Pulumi.yml", "package.json", "tsconfig.json"];

/** The program's own files: every module it loaded from its folder (not its packages), and its project files. */
function programFilesOf(programDir: string, stack: string): string[] {
  const inside = (file: string) => file.startsWith(`${programDir}${sep}`) && !file.split(sep).includes("node_modules");
  const loaded = Object.keys(require.cache).filter(inside);
  const project = [...projectFiles, `Pulumi.${stack}.yaml`].map((name) => join(programDir, name)).filter((file) => existsSync(file));
  return [...new Set([...loaded, ...project])];
}

// The program's own copy of Pulumi: the mocks must be set on the instance the program uses.
const fromProgram = createRequire(join(process.cwd(), "package.json"));
const warm = (async () => fromProgram("@pulumi/pulumi") as typeof PulumiModule)();

async function deploy(request: DeployRequest): Promise<Deployment> {
  const pulumi = await warm;
  cache = new BundleCache(request.bundleCacheDir);
  const provisioner = new Provisioner(request.awsEndpoint);
  const { mocks, recorded, watchRemoteComponents } = sandboxMocks({ stack: request.stack, apiOrigin: request.apiOrigin, provisioner });
  const { outputs, error } = await runUnderMocks(pulumi, {
    project: request.project,
    stack: request.stack,
    mocks,
    config: request.config,
    secretKeys: request.secretKeys,
    beforeLoad: () => watchRemoteComponents(pulumi.runtime.getMonitor()),
    load() {
      const shape = programShape(request.programDir);
      if (shape.typescript) registerProgramTypeScript(request.programDir, join(request.bundleCacheDir, "compiled"));
      return requireProgram(request.programDir, shape.entry);
    },
    declared: () => recorded.length,
  });
  if (error) throw error;
  provisioner.destroy();
  return {
    project: request.project,
    stack: request.stack,
    resources: recorded,
    outputs,
    notes: provisioner.notes,
    bundles,
    programFiles: programFilesOf(request.programDir, request.stack),
  };
}

process.on("message", (message: { type: string; request: DeployRequest }) => {
  if (message.type !== "deploy") return;
  // A failure outside the program's own code path (a resource whose registration fails, an
  // apply that throws) fails the deployment with its message, as the CLI reports it.
  process.on("unhandledRejection", (error) => fail(error));
  deploy(message.request).then(
    (deployment) => process.send!({ type: "deployed", deployment }, () => process.exit(0)),
    (error: unknown) => fail(error),
  );
});

let failed = false;
function fail(error: unknown): void {
  if (failed) return;
  failed = true;
  // Wording the failure must not fail it: the launcher waits for this message.
  void failureText(error)
    .catch(() => (error as Error)?.stack ?? String(error))
    .then((detail) => process.send!({ type: "failed", message: detail }, () => process.exit(1)));
}

/**
 * What the user is told. A RunError (the program's own config guard) carries the whole story in
 * its message; so do a file that does not compile and a bundle that does not build, whose stack
 * would only show the loader's or esbuild's insides. Anything else keeps its stack.
 */
async function failureText(error: unknown): Promise<string> {
  // Checked by its brand, not through the program's Pulumi, which may be what failed to load.
  if ((error as { __pulumiRunError?: boolean })?.__pulumiRunError)
    return `${(error as Error).message}\n(in the sandbox, set stack config with \`npm start -- --config key=value\` or in Pulumi.sandbox.yaml)`;
  if (error instanceof ProgramLoadError) return error.message.trimEnd();
  // Loaded only now: a deployer that succeeds never needs esbuild's formatter.
  const built = (await import("../shared/build-errors")).buildErrorText(error);
  if (built) return `the program's esbuild build failed:\n${built}`;
  return (error as Error)?.stack ?? String(error);
}
// A program without Pulumi fails its deployment with that message, not this process at start.
// The launcher may be gone already (a mistyped flag): then there is nobody to tell.
warm.then(
  () => {
    if (process.connected) process.send!({ type: "ready" });
  },
  () => undefined,
);
process.on("disconnect", () => process.exit(0));
