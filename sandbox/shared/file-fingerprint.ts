import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { sep } from "node:path";

/** The SHA-256 of a file's bytes; undefined when it cannot be read. */
export function contentHash(file: string): string | undefined {
  try {
    return createHash("sha256").update(readFileSync(file)).digest("hex");
  } catch {
    return undefined;
  }
}

/**
 * What tells whether a file changed: an installed package's files by size and time (an install
 * rewrites them, and reading them all would cost what a cache saves), every other file by its
 * content. Undefined when it cannot be read.
 */
export function fileFingerprint(file: string): string | undefined {
  if (!file.split(sep).includes("node_modules")) return contentHash(file);
  try {
    const stat = statSync(file);
    return `${stat.size}:${stat.mtimeMs}`;
  } catch {
    return undefined;
  }
}
