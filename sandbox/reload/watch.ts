import { relative, sep } from "node:path";
import { watch } from "chokidar";
import { formatMessagesSync, type Message } from "esbuild";
import type { Sandbox } from "../sandbox";
import type { Reporter } from "../shared/log";
import { Rebundler } from "./rebundle";

export interface Watcher {
  close(): void;
  /** Settles when the reactions to changes seen so far are done (tests wait on it). */
  idle(): Promise<void>;
}

/** Files of the program itself: a change reruns the deployment. */
const programFiles = /^(index\.ts|config\.ts|Pulumi\.ya?ml|Pulumi\.sandbox\.ya?ml)$/;

/** What a path under the program's folder means for the sandbox, if anything. */
function kindOf(path: string): "runtime" | "program" | "folder" | undefined {
  if (path === "") return "folder";
  const [top, ...rest] = path.split(sep);
  if (top === "runtime") return "runtime";
  if (top === "components") return "program";
  if (rest.length === 0 && programFiles.test(top)) return "program";
  return undefined;
}

/** esbuild's own messages (file:line:column, the line, a hint), as `esbuild` prints them. */
function buildErrorText(error: unknown): string {
  const errors = (error as { errors?: Message[] }).errors;
  if (!errors?.length) return (error as Error).message;
  return formatMessagesSync(errors, { kind: "error", color: false }).join("").trimEnd();
}

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
        reporter.warn(`hot reload: the bundle does not build, keeping the running code:\n${buildErrorText(error)}`);
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

  // chokidar rather than fs.watch: Node 20's recursive fs.watch stops reporting a file once it
  // has been replaced by a rename (editors' atomic saves, `sed -i`, `git checkout`, `git stash`).
  const watcher = watch(sandbox.programDir, {
    ignoreInitial: true,
    ignored: (path) => kindOf(relative(sandbox.programDir, path)) === undefined,
  });
  const watching = new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
  watcher.on("all", (_event, path) => {
    const kind = kindOf(relative(sandbox.programDir, path));
    if (kind === "runtime" || kind === "program") changed(kind);
  });
  return {
    close() {
      clearTimeout(timer);
      void watcher.close();
      void rebundler.dispose();
    },
    async idle() {
      await watching;
      await ready;
      await new Promise((resolve) => setTimeout(resolve, (options.debounceMs ?? 100) + 20));
      await running;
    },
  };
}
