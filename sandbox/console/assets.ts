import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { build } from "esbuild";

const pageDir = join(__dirname, "page");

const staticFiles: Record<string, { file: string; contentType: string }> = {
  "index.html": { file: "index.html", contentType: "text/html; charset=utf-8" },
  "app.css": { file: "app.css", contentType: "text/css; charset=utf-8" },
};

let script: Promise<Buffer> | undefined;

/** The page's script, bundled once per sandbox by the project's esbuild: nothing is fetched from elsewhere. */
function bundledScript(): Promise<Buffer> {
  script ??= build({
    entryPoints: [join(pageDir, "main.ts")],
    bundle: true,
    write: false,
    format: "iife",
    target: "es2022",
    minify: true,
    logLevel: "silent",
  }).then((result) => Buffer.from(result.outputFiles[0].contents));
  // A failed build is tried again on the next request (after the file is fixed).
  script.catch(() => (script = undefined));
  return script;
}

export async function pageAsset(path: string): Promise<{ body: Buffer; contentType: string } | undefined> {
  if (path === "app.js") return { body: await bundledScript(), contentType: "text/javascript; charset=utf-8" };
  const known = staticFiles[path];
  if (!known) return undefined;
  return { body: await readFile(join(pageDir, known.file)), contentType: known.contentType };
}
