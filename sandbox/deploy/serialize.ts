import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const signatureKey = "4dabf18193072939515e22adb298388d";
const secretSignature = "1b47061264138c4ac30d75fd1eb44270";

/**
 * Mocks receive inputs with Outputs resolved, but assets and archives still hold promises
 * (`AssetArchive.assets`, `StringAsset.text`). This turns them into plain data that can cross
 * to the sandbox process: an archive becomes `{ files: { "index.js": "<code>" } }`.
 */
export async function plain(value: unknown): Promise<unknown> {
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Promise) return plain(await value);
  if (Array.isArray(value)) return Promise.all(value.map(plain));
  const record = value as Record<string, unknown>;
  // A secret reaches mocks wrapped in Pulumi's wire sentinel; the sandbox needs the value itself
  // (e.g. an environment variable derived from the API token).
  if (record[signatureKey] === secretSignature) return plain(record.value);
  if ("assets" in record && record.assets instanceof Promise) {
    return { files: await archiveFiles((await record.assets) as Record<string, unknown>) };
  }
  if ("text" in record && record.text instanceof Promise) return { text: await record.text };
  if ("path" in record && record.path instanceof Promise) return { path: await record.path };
  if ("uri" in record && record.uri instanceof Promise) return { uri: await record.uri };
  const entries = await Promise.all(Object.entries(record).map(async ([key, item]) => [key, await plain(item)] as const));
  return Object.fromEntries(entries);
}

async function archiveFiles(assets: Record<string, unknown>): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const [name, asset] of Object.entries(assets)) {
    const resolved = (await plain(asset)) as { text?: string; path?: string; files?: Record<string, string> };
    if (resolved.files) {
      for (const [inner, text] of Object.entries(resolved.files)) files[join(name, inner)] = text;
    } else if (typeof resolved.text === "string") {
      files[name] = resolved.text;
    } else if (typeof resolved.path === "string") {
      Object.assign(files, readPath(resolved.path, name));
    } else {
      throw new Error(`archive entry ${name}: only StringAsset, FileAsset and archives of them can run in the sandbox`);
    }
  }
  return files;
}

function readPath(path: string, as: string): Record<string, string> {
  if (!statSync(path).isDirectory()) return { [as]: readFileSync(path, "utf8") };
  const files: Record<string, string> = {};
  for (const entry of readdirSync(path, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    files[join(as, relative(path, full))] = readFileSync(full, "utf8");
  }
  return files;
}
