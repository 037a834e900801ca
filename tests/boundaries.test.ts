import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { bundle, PROJECT_ROOT } from "../components/bundle";

/**
 * The one-way imports: runtime/ (Lambda code) never reaches Pulumi, components or the sandbox;
 * components reference handler entries but import only the handlers' environment contracts and
 * the API's route table (plain data); index.ts only composes.
 */

const HANDLER_ENTRIES = [
  "runtime/s3-to-sqs/index.ts",
  "runtime/sqs-to-dynamo/index.ts",
  "runtime/job-api/index.ts",
  "runtime/authorizer/index.ts",
];

function sourceFiles(folder: string): string[] {
  const absolute = path.join(PROJECT_ROOT, folder);
  if (!fs.existsSync(absolute)) return [];
  return fs
    .readdirSync(absolute, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .map((file) => path.join(folder, file));
}

/** Every module specifier a file imports, requires or dynamically imports, resolved when relative. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8");
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)["']([^"']+)["']/g)].map((m) => m[1]);
  return specifiers.map((specifier) =>
    specifier.startsWith(".") ? path.normalize(path.join(path.dirname(file), specifier)) : specifier,
  );
}

describe("import boundaries", () => {
  it("runtime/ never imports Pulumi, components or the sandbox", () => {
    const files = sourceFiles("runtime");
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      for (const imported of importsOf(file)) {
        expect(imported, `${file} imports ${imported}`).not.toMatch(/^@pulumi\/|^components(\/|$)|^sandbox(\/|$)|^config$|^index$/);
      }
    }
  });

  it("components/ import only the handlers' environment contracts and route table from runtime/", () => {
    const files = sourceFiles("components");
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) {
      for (const imported of importsOf(file).filter((specifier) => specifier.startsWith("runtime"))) {
        expect(imported, `${file} imports ${imported}`).toMatch(/^runtime\/(env|[a-z0-9-]+\/(env|routes))$/);
      }
      for (const imported of importsOf(file)) {
        expect(imported, `${file} imports ${imported}`).not.toMatch(/^sandbox(\/|$)/);
      }
    }
  });

  it("index.ts only reads config and composes components", () => {
    expect(importsOf("index.ts").every((imported) => imported === "config" || imported.startsWith("components/"))).toBe(true);
  });

  it.each(HANDLER_ENTRIES)("the %s bundle holds runtime code and npm packages only", (entry) => {
    const { code, inputs } = bundle(entry);
    const own = inputs.filter((input) => !input.startsWith("node_modules/"));
    expect(own.every((input) => input.startsWith("runtime/")), own.join(", ")).toBe(true);
    expect(inputs.filter((input) => input.includes("@pulumi/"))).toEqual([]);
    expect(code).not.toContain("@pulumi/");
  });

  it("bundles deterministically: the same sources give byte-identical code", async () => {
    const first = bundle("runtime/job-api/index.ts").code;
    const { clearBundleCache } = await import("../components/bundle");
    clearBundleCache();
    expect(bundle("runtime/job-api/index.ts").code).toBe(first);
  });
});
