/**
 * A deployer process: runs the Pulumi program once under the sandbox's mocks and reports what it
 * declared. A process per deployment gives every run a clean Pulumi runtime and a fresh module
 * cache (the program's own bundling runs again), which is what hot reload relies on. The parent
 * starts it ahead of time so the costly imports are done before a deployment is asked for.
 */
import { join } from "node:path";
import type * as PulumiModule from "@pulumi/pulumi";
import Module, { createRequire } from "node:module";
import type { BuildOptions, BuildResult } from "esbuild";
import type { BundleRecipe, Deployment, DeployRequest } from "./recorded";
import { BundleCache } from "./bundle-cache";

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
      const result = cached ?? esbuild.buildSync(replayable ? { ...options, metafile: true } : options);
      if (replayable) remember(options, result, !cached);
      return result;
    },
    async build(options: BuildOptions) {
      const replayable = isReplayable(options);
      const cached = replayable ? cache?.lookup(options) : undefined;
      const result = cached ?? (await esbuild.build(replayable ? { ...options, metafile: true } : options));
      if (replayable) remember(options, result, !cached);
      return result;
    },
  };
};

/** Only self-contained builds can be cached and replayed in another process. */
function isReplayable(options: BuildOptions): boolean {
  return !options.plugins?.length && options.write === false;
}

function remember(options: BuildOptions, result: BuildResult, fresh: boolean) {
  if (result.outputFiles?.length !== 1) return;
  if (fresh) cache?.store(options, result);
  bundles.push({ options: JSON.parse(JSON.stringify(options)), output: result.outputFiles[0].text });
}

// The program's own copy of Pulumi: the mocks must be set on the instance the program uses.
const fromProgram = createRequire(join(process.cwd(), "index.ts"));
const warm = Promise.all([
  Promise.resolve(fromProgram("@pulumi/pulumi") as typeof PulumiModule),
  import("./provision"),
  import("./mocks"),
]);

type RunInStack = (init: () => Promise<Record<string, unknown>>) => Promise<unknown>;

async function resolveOutput(pulumi: typeof PulumiModule, value: unknown): Promise<unknown> {
  const output = pulumi.output(value) as PulumiModule.Output<unknown>;
  return new Promise((resolve) => output.apply((resolved: unknown) => (resolve(resolved), resolved)));
}

async function deploy(request: DeployRequest): Promise<Deployment> {
  const [pulumi, { Provisioner }, { sandboxMocks }] = await warm;
  cache = new BundleCache(request.bundleCacheDir);
  const provisioner = new Provisioner(request.awsEndpoint);
  const { mocks, recorded } = sandboxMocks({ stack: request.stack, apiOrigin: request.apiOrigin, provisioner });
  await pulumi.runtime.setMocks(mocks, request.project, request.stack, false);
  pulumi.runtime.setAllConfig(request.config, request.secretKeys);
  let exports: Record<string, unknown> = {};
  let failure: unknown;
  // As the CLI's language host does: the program runs inside a root stack resource.
  await (pulumi.runtime as unknown as { runInPulumiStack: RunInStack }).runInPulumiStack(async () => {
    try {
      const program = (await import(join(request.programDir, "index.ts"))) as Record<string, unknown>;
      exports = Object.fromEntries(Object.entries(program).filter(([key]) => key !== "default" && key !== "__esModule"));
    } catch (error) {
      failure = error;
    }
    return exports;
  });
  if (failure) throw failure;
  const outputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(exports)) outputs[key] = await resolveOutput(pulumi, value);
  await pulumi.runtime.disconnect();
  provisioner.destroy();
  return { project: request.project, stack: request.stack, resources: recorded, outputs, notes: provisioner.notes, bundles };
}

process.on("message", (message: { type: string; request: DeployRequest }) => {
  if (message.type !== "deploy") return;
  deploy(message.request).then(
    (deployment) => process.send!({ type: "deployed", deployment }, () => process.exit(0)),
    (error: unknown) => {
      // A RunError (the program's own config guard) carries the whole story in its message. Checked
      // by its brand, not through the program's Pulumi, which may be what failed to load.
      const detail = (error as { __pulumiRunError?: boolean })?.__pulumiRunError
        ? `${(error as Error).message}\n(in the sandbox, set stack config with \`npm start -- --config key=value\` or in Pulumi.sandbox.yaml)`
        : ((error as Error)?.stack ?? String(error));
      process.send!({ type: "failed", message: detail }, () => process.exit(1));
    },
  );
});
// A program without Pulumi fails its deployment with that message, not this process at start.
// The launcher may be gone already (a mistyped flag): then there is nobody to tell.
warm.then(
  () => {
    if (process.connected) process.send!({ type: "ready" });
  },
  () => undefined,
);
process.on("disconnect", () => process.exit(0));
