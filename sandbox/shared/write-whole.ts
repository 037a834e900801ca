import { renameSync, writeFileSync } from "node:fs";

/**
 * Writes a file whole: to a file of its own first, then renamed over it, so that a reader (another
 * sandbox, a command, the next run) finds the old text or the new one, never half of one.
 */
export function writeWhole(file: string, text: string, mode?: number): void {
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, text, mode === undefined ? undefined : { mode });
  renameSync(partial, file);
}
