import * as esbuild from "esbuild";
import type { Deployment } from "../model/recorded";
import type { Wiring } from "../wiring";
import { codeHashOf } from "../model/function-spec";

interface Rebuildable {
  context: esbuild.BuildContext;
  /** Which function's which archive file each output of this build became (a bundle, its source map). */
  targets: Array<{ functionName: string; file: string; output: string }>;
}

/**
 * Replays the program's own esbuild builds (same options, same entry points) incrementally, so a
 * change under runtime/ reaches the affected functions in well under a second. The full
 * redeployment that follows confirms the result and applies anything else that changed.
 */
export class Rebundler {
  private builds: Rebuildable[] = [];

  async prepare(deployment: Deployment, wiring: Wiring): Promise<void> {
    await this.dispose();
    for (const recipe of deployment.bundles ?? []) {
      const targets: Rebuildable["targets"] = [];
      for (const fn of wiring.functions.values()) {
        for (const [file, text] of Object.entries(fn.spec.files)) {
          for (const [output, built] of Object.entries(recipe.outputs))
            if (text === built) targets.push({ functionName: fn.name, file, output });
        }
      }
      if (targets.length === 0) continue;
      const context = await esbuild.context({ ...recipe.options, write: false });
      // A first build fills esbuild's cache: later rebuilds only redo what changed. A file saved
      // broken meanwhile fails it; the context is kept, so the next save is rebuilt and reported.
      await context.rebuild().catch(() => undefined);
      this.builds.push({ context, targets });
    }
  }

  /** Rebuilds every bundle; returns the logical names of the functions whose code changed. */
  async rebuild(wiring: Wiring): Promise<string[]> {
    const swapped: string[] = [];
    await Promise.all(
      this.builds.map(async (build) => {
        const result = await build.context.rebuild();
        const outputs = new Map((result.outputFiles ?? []).map((file) => [file.path, file.text]));
        // A function's files change together (a bundle and its map), in one swap.
        const changes = new Map<string, Record<string, string>>();
        for (const target of build.targets) {
          const text = outputs.get(target.output);
          const fn = wiring.functions.get(target.functionName);
          if (text === undefined || !fn || fn.spec.files[target.file] === text) continue;
          changes.set(fn.name, { ...changes.get(fn.name), [target.file]: text });
        }
        for (const [name, changed] of changes) {
          const fn = wiring.functions.get(name)!;
          const files = { ...fn.spec.files, ...changed };
          const codeHash = codeHashOf(files, fn.spec.links);
          if (fn.update({ ...fn.spec, files, codeHash })) swapped.push(fn.spec.logicalName);
        }
      }),
    );
    return swapped;
  }

  async dispose(): Promise<void> {
    await Promise.all(this.builds.map((build) => build.context.dispose()));
    this.builds = [];
  }
}
