import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The lock's file in the state directory: the pid of the sandbox using it. */
export const stateLockFile = "sandbox.pid";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * One sandbox per state directory: two would share dynalite's LevelDB files and overwrite each
 * other's outputs.json. A stale lock (its process is gone) is taken over. Returns the release.
 */
export function lockStateDir(stateDir: string): () => void {
  const file = join(stateDir, stateLockFile);
  try {
    const holder = Number(readFileSync(file, "utf8"));
    if (holder && alive(holder)) {
      throw new Error(
        `another sandbox (pid ${holder}) is running with ${stateDir}: stop it first (Ctrl+C in its terminal, or kill ${holder})`,
      );
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(file, String(process.pid));
  return () => rmSync(file, { force: true });
}
