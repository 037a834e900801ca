import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { bundle } from "../components/bundle";

/**
 * Process groups of the servers the bench started detached (the sandbox, Architect's): a Ctrl+C
 * of the bench ends them too instead of leaving them listening.
 */
export const detachedGroups = new Set<number>();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    for (const group of detachedGroups) {
      try {
        process.kill(-group, "SIGTERM");
      } catch {
        // Already gone.
      }
    }
    process.exit(130);
  });
}

/** The environment every measured child gets: the SDK's Node 20 notice is noise in a timing. */
export const quietEnv = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };

/**
 * Bundles a bench script exactly as the program bundles a handler (components/bundle.ts), so a
 * child measures production code, not tsx's on-the-fly transpiling.
 */
export function bundledScript(entry: string, dir: string): string {
  const file = join(dir, `${entry.replace(/\W/g, "-")}.js`);
  writeFileSync(file, bundle(entry).code);
  return file;
}

/**
 * Runs `node <args>` and returns the JSON its last stdout line holds. The child's stderr is
 * passed through (its progress), and a bound on its time keeps a hung child from hanging the run.
 */
export function runJsonChild<T>(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs: number; cwd?: string }): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: options.env ?? quietEnv, cwd: options.cwd, stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const last = stdout.trim().split("\n").pop() ?? "";
      if (code !== 0) return reject(new Error(`node ${args.join(" ")} exited with ${signal ?? code}: ${last.slice(0, 300)}`));
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`node ${args.join(" ")} printed no JSON result: ${last.slice(0, 300)}`));
      }
    });
  });
}
