import { dirname, relative, sep } from "node:path";
import { watch } from "chokidar";
import type { Sandbox } from "../sandbox";
import type { Deployment } from "../model/recorded";
import type { Wiring } from "../wiring";
import { buildErrorText } from "../shared/build-errors";
import type { Reporter } from "../shared/log";
import { Rebundler } from "./rebundle";

export interface Watcher {
  close(): void;
  /** Settles when the reactions to changes seen so far are done (tests wait on it). */
  idle(): Promise<void>;
}

/**
 * What each file means, from the last deployment itself: an input of one of the program's bundles
 * ("function": rebuild and swap, then redeploy), or a module the program loaded or one of its
 * project files ("program": redeploy). Nothing here restates a program's layout.
 */
function filesOf(deployment: Deployment): Map<string, "function" | "program"> {
  const files = new Map<string, "function" | "program">();
  for (const file of deployment.programFiles) files.set(file, "program");
  for (const bundle of deployment.bundles)
    for (const input of bundle.inputs) if (!input.split(sep).includes("node_modules")) files.set(input, "function");
  return files;
}

/**
 * Files a function's archive takes from the program's folder as they are (a FileArchive's folder,
 * a FileAsset): each linked path, file or folder, with the functions that take it. Packages in
 * node_modules are left out, as they are for bundles.
 */
function linkedCodeOf(wiring: Wiring, programDir: string): Map<string, Set<string>> {
  const linked = new Map<string, Set<string>>();
  for (const fn of wiring.functions.values()) {
    for (const source of Object.values(fn.spec.links)) {
      const inside = relative(programDir, source);
      if (inside.startsWith("..") || inside.split(sep).includes("node_modules")) continue;
      linked.set(source, (linked.get(source) ?? new Set()).add(fn.name));
    }
  }
  return linked;
}

/** The functions whose linked code holds this path (the path itself, or a folder above it). */
function linkedFunctionsOf(linked: Map<string, Set<string>>, path: string): Set<string> {
  const names = new Set<string>();
  for (const [source, functions] of linked) {
    if (path === source || (path.startsWith(`${source}${sep}`) && !relative(source, path).split(sep).includes("node_modules")))
      functions.forEach((name) => names.add(name));
  }
  return names;
}

/** The folders to descend into to reach these files. */
function foldersOf(files: Iterable<string>, programDir: string): Set<string> {
  const folders = new Set<string>([programDir]);
  for (const file of files) {
    for (let folder = dirname(file); folder.startsWith(programDir) && !folders.has(folder); folder = dirname(folder)) folders.add(folder);
  }
  return folders;
}

/**
 * Hot reload: a change to an input of the program's bundles rebuilds them and swaps the execution environments of
 * the functions whose code changed (messages in flight stay in their queues; running invocations
 * finish on the old code); then, as for any change to the program or its components, the
 * deployment runs again and the sandbox takes whatever else changed.
 */
export function watchForChanges(sandbox: Sandbox, reporter: Reporter, options: { debounceMs?: number } = {}): Watcher {
  const rebundler = new Rebundler();
  let ready = rebundler.prepare(sandbox.deployment, sandbox.wiring).catch(() => undefined);
  let pending = { function: false, program: false };
  let files = filesOf(sandbox.deployment);
  let linked = linkedCodeOf(sandbox.wiring, sandbox.programDir);
  let folders = foldersOf([...files.keys(), ...linked.keys()], sandbox.programDir);
  /** Functions whose linked files were saved: they take them in new environments, no redeploy needed. */
  let relinked = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const react = async () => {
    const changes = pending;
    pending = { function: false, program: false };
    const reloaded = [...relinked];
    relinked = new Set();
    if (reloaded.length > 0) {
      const started = performance.now();
      const names = reloaded.flatMap((name) => {
        const fn = sandbox.wiring.functions.get(name);
        if (!fn) return [];
        try {
          fn.reload();
          return [fn.spec.logicalName];
        } catch (error) {
          // A folder removed for a moment (a build that empties dist/, a checkout): the next save brings it back.
          reporter.warn(`hot reload: ${fn.spec.logicalName} keeps its running code: ${(error as Error).message}`);
          return [];
        }
      });
      if (names.length > 0) reporter.info(`hot reload: ${names.join(", ")} swapped in ${Math.round(performance.now() - started)} ms`);
    }
    if (!changes.function && !changes.program) return;
    if (changes.function) {
      await ready;
      const started = performance.now();
      try {
        const swapped = await rebundler.rebuild(sandbox.wiring);
        if (swapped.length > 0) reporter.info(`hot reload: ${swapped.join(", ")} swapped in ${Math.round(performance.now() - started)} ms`);
      } catch (error) {
        reporter.warn(
          `hot reload: the bundle does not build, keeping the running code:\n${buildErrorText(error) ?? (error as Error).message}`,
        );
        return;
      }
    }
    const started = performance.now();
    try {
      const outputsBefore = JSON.stringify(sandbox.outputs);
      const { swapped, rewired } = await sandbox.redeploy();
      const what =
        [
          rewired ? "triggers rewired" : swapped.length > 0 ? `${swapped.join(", ")} updated` : undefined,
          JSON.stringify(sandbox.outputs) !== outputsBefore ? "outputs updated" : undefined,
        ]
          .filter((part) => part !== undefined)
          .join(", ") || "no other change";
      reporter.info(`redeployed in ${Math.round(performance.now() - started)} ms: ${what}`);
      follow();
    } catch (error) {
      reporter.warn(`redeploy failed, the previous deployment keeps running:\n${(error as Error).message}`);
    }
  };

  /** After a new deployment: the program may now load other files or bundle other inputs; watch those too. */
  const follow = () => {
    ready = rebundler.prepare(sandbox.deployment, sandbox.wiring).catch(() => undefined);
    files = filesOf(sandbox.deployment);
    linked = linkedCodeOf(sandbox.wiring, sandbox.programDir);
    folders = foldersOf([...files.keys(), ...linked.keys()], sandbox.programDir);
    watcher.add([...files.keys(), ...linked.keys()]);
  };
  // A start from the recorded deployment may be replaced by the real run's result.
  void sandbox.confirmation?.then(follow);

  const changed = (kind: "function" | "program" | undefined, functions: Set<string>) => {
    if (kind) pending[kind] = true;
    functions.forEach((name) => relinked.add(name));
    clearTimeout(timer);
    timer = setTimeout(() => {
      // One failed reaction must not stop the ones after it.
      running = running.then(react).catch((error: unknown) => reporter.warn(`hot reload failed: ${(error as Error)?.message ?? error}`));
    }, options.debounceMs ?? 100);
  };

  // chokidar rather than fs.watch: Node 20's recursive fs.watch stops reporting a file once it
  // has been replaced by a rename (editors' atomic saves, `sed -i`, `git checkout`, `git stash`).
  const watcher = watch(sandbox.programDir, {
    ignoreInitial: true,
    // The state directory is the sandbox's own writing, even inside a folder a function takes whole.
    ignored: (path) =>
      path === sandbox.stateDir ||
      path.startsWith(`${sandbox.stateDir}${sep}`) ||
      (!files.has(path) && !folders.has(path) && linkedFunctionsOf(linked, path).size === 0),
  });
  const watching = new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
  watcher.on("all", (_event, path) => {
    const kind = files.get(path);
    const functions = linkedFunctionsOf(linked, path);
    if (kind || functions.size > 0) changed(kind, functions);
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
