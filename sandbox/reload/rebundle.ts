import * as esbuild from "esbuild";
import type { Deployment } from "../model/recorded";
import type { Wiring } from "../wiring";
import { codeHashOf } from "../model/function-spec";

interface Rebuildable {
  context: esbuild.BuildContext;
  /** Which function's which archive file this bundle became. */
  targets: Array<{ functionName: string; file: string }>;
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
          if (text === recipe.output) targets.push({ functionName: fn.name, file });
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
        const text = result.outputFiles?.[0]?.text;
        if (text === undefined) return;
        for (const target of build.targets) {
          const fn = wiring.functions.get(target.functionName);
          if (!fn || fn.spec.files[target.file] === text) continue;
          const files = { ...fn.spec.files, [target.file]: text };
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
