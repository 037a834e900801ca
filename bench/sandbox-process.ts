import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "../components/bundle";
import { detachedGroups, quietEnv } from "./child";
import { processGroup, type ProcessMemory } from "./sandbox-memory";

export interface RunningSandbox {
  outputs: Record<string, string>;
  /** From spawning the sandbox's CLI to `.sandbox/outputs.json` being written (its "ready"). */
  readyMs: number;
  /** From spawning the sandbox's CLI to the first 200 from `GET /v1/health`. */
  firstAnswerMs: number;
  /** What the sandbox's banner says ("Sandbox ready in 2.7 s"): its part, without Node's own start. */
  ownReadyMs?: number;
  log: string;
  /** The sandbox's whole process tree (the sandbox, its deployer, its functions' execution environments) and each one's memory. */
  processes(): ProcessMemory[];
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What `npm start -- --port 0 --aws-port 0 --no-watch` runs, started with Node as Architect's CLI is
 * (npm's own start, about 0.3 s here, is left out on both sides), in the checkout, with its
 * state (outputs.json, the on-disk table) in `stateDir` through SANDBOX_STATE_DIR, so that a
 * developer's own `.sandbox/` is neither touched nor locked. It runs in its own process group so
 * that stop() ends the sandbox, its deployer and its functions together (and nothing else).
 */
export async function startSandboxProcess(stateDir: string, logName: string, timeoutMs = 60_000): Promise<RunningSandbox> {
  mkdirSync(stateDir, { recursive: true });
  const outputsFile = join(stateDir, "outputs.json");
  const log = join(stateDir, `${logName}.log`);
  const fd = openSync(log, "w");
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [join(PROJECT_ROOT, "sandbox", "cli", "start.mjs"), "--port", "0", "--aws-port", "0", "--no-watch"],
    {
      cwd: PROJECT_ROOT,
      // The program's bundles cached in the state's folder too: the first start finds none, as after `npm ci`.
      env: { ...quietEnv, SANDBOX_STATE_DIR: stateDir, SANDBOX_BUNDLE_CACHE_DIR: join(stateDir, "bundle-cache") },
      detached: true,
      stdio: ["ignore", fd, fd],
    },
  );
  closeSync(fd);
  detachedGroups.add(child.pid!);
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      detachedGroups.delete(child.pid!);
      resolve();
    }),
  );
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      return;
    }
    const killed = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
    if (!killed) process.kill(-child.pid!, "SIGKILL");
  };
  try {
    const deadline = Date.now() + timeoutMs;
    const before = existsSync(outputsFile) ? readFileSync(outputsFile, "utf8") : "";
    let readyMs = 0;
    // 5 ms polls: the figure is a second or so, the poll adds at most 0.5% to it.
    while (Date.now() < deadline && child.exitCode === null) {
      if (existsSync(outputsFile) && readFileSync(outputsFile, "utf8") !== before) {
        readyMs = performance.now() - started;
        break;
      }
      await sleep(5);
    }
    if (!readyMs) {
      const why = child.exitCode === null ? `was not ready within ${timeoutMs / 1000} s` : `exited (${child.exitCode}) before it was ready`;
      throw new Error(`the sandbox ${why}: ${readFileSync(log, "utf8").trim().split("\n").slice(0, 3).join(" / ").slice(0, 300)}`);
    }
    const outputs = JSON.parse(readFileSync(outputsFile, "utf8")) as Record<string, string>;
    let firstAnswerMs = 0;
    while (Date.now() < deadline) {
      const ok = await fetch(`${outputs.apiUrl}/v1/health`).then(
        (response) => response.ok,
        () => false,
      );
      if (ok) {
        firstAnswerMs = performance.now() - started;
        break;
      }
      await sleep(5);
    }
    if (!firstAnswerMs) throw new Error(`GET ${outputs.apiUrl}/v1/health did not answer 200 within ${timeoutMs / 1000} s`);
    const banner = /Sandbox ready in ([\d.]+) s/.exec(readFileSync(log, "utf8"));
    // Its own process group (spawned detached): every process it started, and nothing else.
    const processes = () => processGroup(child.pid!);
    return { outputs, readyMs, firstAnswerMs, ownReadyMs: banner ? Number(banner[1]) * 1000 : undefined, log, processes, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
