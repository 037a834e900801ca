import { statSync } from "node:fs";
import { isAbsolute, join, normalize, resolve, sep } from "node:path";

const signatureKey = "4dabf18193072939515e22adb298388d";
const secretSignature = "1b47061264138c4ac30d75fd1eb44270";

/** A function's code as the sandbox carries it: text written out, and files or folders taken from disk. */
export interface ArchiveContents {
  /** Archive path -> contents, for assets made of text (StringAsset, the program's bundles). */
  files: Record<string, string>;
  /**
   * Archive path -> absolute path on disk, for FileAssets and FileArchives (a serialized callback's
   * `node_modules/<package>`): taken byte for byte from there, never read as text.
   */
  links: Record<string, string>;
}

/**
 * Mocks receive inputs with Outputs resolved, but assets and archives still hold promises
 * (`AssetArchive.assets`, `StringAsset.text`). This turns them into plain data that can cross
 * to the sandbox process: an archive becomes `{ files: { "index.js": "<code>" }, links: {...} }`.
 */
export async function plain(value: unknown): Promise<unknown> {
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Promise) return plain(await value);
  if (Array.isArray(value)) return Promise.all(value.map(plain));
  const record = value as Record<string, unknown>;
  if (record.__pulumiResource === true) return referenceOf(record);
  // A secret reaches mocks wrapped in Pulumi's wire sentinel; the sandbox needs the value itself
  // (e.g. an environment variable derived from the API token).
  if (record[signatureKey] === secretSignature) return plain(record.value);
  if ("assets" in record && record.assets instanceof Promise) {
    return archiveContents((await record.assets) as Record<string, unknown>);
  }
  if (record.__pulumiArchive === true && record.path instanceof Promise) return folderArchive(String(await record.path));
  if ("text" in record && record.text instanceof Promise) return { text: await record.text };
  if ("path" in record && record.path instanceof Promise) return { path: await record.path };
  if ("uri" in record && record.uri instanceof Promise) return { uri: await record.uri };
  const entries = await Promise.all(Object.entries(record).map(async ([key, item]) => [key, await plain(item)] as const));
  return Object.fromEntries(entries);
}

/**
 * A resource given as another's input (`role: lambdaRole`, `function: lambda`) reaches mocks as a
 * live resource object, whose Outputs and links back to the whole program must not be walked. The
 * provider receives a custom resource's ID in its place (a role's name, a function's name), and a
 * component's URN.
 */
async function referenceOf(resource: Record<string, unknown>): Promise<unknown> {
  const output = (resource.__pulumiCustomResource === true ? resource.id : resource.urn) as
    { apply?(callback: (value: unknown) => unknown): unknown } | undefined;
  if (typeof output?.apply !== "function") return undefined;
  return new Promise((resolve) => output.apply!((value) => (resolve(value), value)));
}

/**
 * A FileArchive (`code: new pulumi.asset.FileArchive("./app")`, or a package of a serialized
 * callback): its folder, whose files are taken as they are. A path that does not exist stops the
 * deployment, as it stops `pulumi up`; an archive file (.zip, .tar, .jar) is refused, saying so.
 */
function folderArchive(path: string): ArchiveContents {
  const folder = resolve(path);
  let isFolder: boolean;
  try {
    isFolder = statSync(folder).isDirectory();
  } catch {
    throw new Error(`couldn't read archive path '${folder}': no such file or directory`);
  }
  if (!isFolder) {
    throw new Error(
      `archive '${folder}' is a file: the sandbox runs a FileArchive of a folder and does not unpack .zip, .tar or .jar files; give the folder the archive is made from`,
    );
  }
  return { files: {}, links: { ".": folder } };
}

async function archiveContents(assets: Record<string, unknown>): Promise<ArchiveContents> {
  const contents: ArchiveContents = { files: {}, links: {} };
  for (const [name, asset] of Object.entries(assets)) {
    const entry = insideArchive(name);
    const resolved = (await plain(asset)) as { text?: string; path?: string } & Partial<ArchiveContents>;
    if (resolved.files || resolved.links) {
      for (const [inner, text] of Object.entries(resolved.files ?? {})) contents.files[join(entry, inner)] = text;
      for (const [inner, path] of Object.entries(resolved.links ?? {})) contents.links[join(entry, inner)] = path;
    } else if (typeof resolved.text === "string") {
      contents.files[entry] = resolved.text;
    } else if (typeof resolved.path === "string") {
      contents.links[entry] = resolve(resolved.path);
    } else {
      throw new Error(
        `archive entry ${name}: only StringAssets, FileAssets, FileArchives and AssetArchives of them can run in the sandbox`,
      );
    }
  }
  return contents;
}

/** An archive path, refused when it would land outside the function's root (`../x`, `/x`). */
function insideArchive(name: string): string {
  const entry = normalize(name);
  if (isAbsolute(entry) || entry === ".." || entry.startsWith(`..${sep}`)) {
    throw new Error(
      `archive entry '${name}' lies outside the function's root, where Lambda would not find it ` +
        `(a package outside the program's node_modules? install the program's dependencies in its own directory)`,
    );
  }
  return entry;
}
