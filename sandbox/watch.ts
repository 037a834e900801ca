import { existsSync, watch, type FSWatcher } from "node:fs";
import { join } from "node:path";
import type { Sandbox } from "./sandbox";
import type { Reporter } from "./log";
import { Rebundler } from "./rebundle";

export interface Watcher {
  close(): void;
  /** Settles when the reactions to changes seen so far are done (tests wait on it). */
  idle(): Promise<void>;
}

/** Files of the program itself: a change reruns the deployment. */
const programFiles = /^(index\.ts|config\.ts|Pulumi\.ya?ml|Pulumi\.sandbox\.ya?ml)$/;

/**
 * Hot reload: a change under runtime/ rebuilds the program's bundles and swaps the workers of the
 * functions whose code changed (messages in flight stay in their queues; running invocations
 * finish on the old code); then, as for any change to the program or its components, the
 * deployment runs again and the sandbox takes whatever else changed.
 */
export function watchForChanges(sandbox: Sandbox, reporter: Reporter, options: { debounceMs?: number } = {}): Watcher {
  const rebundler = new Rebundler();
  let ready = rebundler.prepare(sandbox.deployment, sandbox.wiring).catch(() => undefined);
  let pending = { runtime: false, program: false };
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const react = async () => {
    const changes = pending;
    pending = { runtime: false, program: false };
    if (changes.runtime) {
      await ready;
      const started = performance.now();
      try {
        const swapped = await rebundler.rebuild(sandbox.wiring);
        if (swapped.length > 0) reporter.info(`hot reload: ${swapped.join(", ")} swapped in ${Math.round(performance.now() - started)} ms`);
      } catch (error) {
        reporter.warn(`hot reload: the bundle does not build, keeping the running code (${(error as Error).message.split("\n")[0]})`);
        return;
      }
    }
    const started = performance.now();
    try {
      const { swapped, rewired } = await sandbox.redeploy();
      const what = rewired ? "triggers rewired" : swapped.length > 0 ? `${swapped.join(", ")} updated` : "no other change";
      reporter.info(`redeployed in ${Math.round(performance.now() - started)} ms: ${what}`);
      ready = rebundler.prepare(sandbox.deployment, sandbox.wiring).catch(() => undefined);
    } catch (error) {
      reporter.warn(`redeploy failed, the previous deployment keeps running:\n${(error as Error).message}`);
    }
  };

  const changed = (kind: "runtime" | "program") => {
    pending[kind] = true;
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(react);
    }, options.debounceMs ?? 100);
  };

  const folder = (name: string, kind: "runtime" | "program") => {
    const path = join(sandbox.programDir, name);
    return existsSync(path) ? [watch(path, { recursive: true }, () => changed(kind))] : [];
  };
  const watchers: FSWatcher[] = [
    ...folder("runtime", "runtime"),
    ...folder("components", "program"),
    watch(sandbox.programDir, (_event, file) => {
      if (file && programFiles.test(String(file))) changed("program");
    }),
  ];
  return {
    close() {
      clearTimeout(timer);
      watchers.forEach((watcher) => watcher.close());
      void rebundler.dispose();
    },
    async idle() {
      await new Promise((resolve) => setTimeout(resolve, (options.debounceMs ?? 100) + 20));
      await running;
    },
  };
}
