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
    .filter((file) => /\.(ts|mjs)$/.test(file) && !file.split(path.sep).includes("types"))
    .map((file) => path.join(folder, file));
}

/**
 * The sandbox's unit of layering: a folder of sandbox/ (each service under services/ its own), or
 * the root files that compose them.
 */
function sandboxFolderOf(file: string): string {
  const parts = path.relative("sandbox", file).split(path.sep);
  // services/<service>/ each; the registry beside them (services/*.ts) is the folder "services".
  if (parts[0] === "services") return parts.length > 2 ? parts.slice(0, 2).join("/") : "services";
  return parts.length > 1 ? parts[0] : "(root)";
}

/** Folder -> the folders its files import (type-only imports included). */
function sandboxFolderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles("sandbox")) {
    const from = sandboxFolderOf(file);
    for (const imported of importsOf(file).filter((specifier) => specifier.startsWith("sandbox"))) {
      const absolute = path.join(PROJECT_ROOT, imported);
      const target = fs.existsSync(absolute) && fs.statSync(absolute).isDirectory() ? path.join(imported, "index.ts") : `${imported}.ts`;
      const to = sandboxFolderOf(target);
      if (to === from) continue;
      graph.set(from, (graph.get(from) ?? new Set()).add(to));
    }
  }
  return graph;
}

/** Every cycle of the graph, each as the path that closes it. */
function cyclesOf(graph: Map<string, Set<string>>): string[] {
  const cycles: string[] = [];
  const visit = (node: string, trail: string[]) => {
    for (const next of graph.get(node) ?? []) {
      if (trail.includes(next)) cycles.push([...trail.slice(trail.indexOf(next)), next].join(" -> "));
      else visit(next, [...trail, next]);
    }
  };
  for (const node of graph.keys()) visit(node, [node]);
  return [...new Set(cycles)];
}

/** Every module specifier a file imports, requires or dynamically imports, resolved when relative. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8");
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)["']([^"']+)["']/g)].map((m) => m[1]);
  return specifiers.map((specifier) => (specifier.startsWith(".") ? path.normalize(path.join(path.dirname(file), specifier)) : specifier));
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

  it("the sandbox's folders import each other one way only: no cycle, services below the root that composes them", () => {
    const graph = sandboxFolderGraph();
    expect([...graph.keys()].filter((folder) => folder.startsWith("services/")).sort()).toEqual([
      "services/apigateway",
      "services/cloudwatch",
      "services/dynamodb",
      "services/events",
      "services/iam",
      "services/lambda",
      "services/s3",
      "services/sns",
      "services/sqs",
    ]);
    expect(cyclesOf(graph)).toEqual([]);
    for (const [folder, imported] of graph) {
      if (folder.startsWith("services/"))
        expect(
          [...imported].filter((to) => to === "(root)" || to === "cli" || to === "reload"),
          folder,
        ).toEqual([]);
    }
  });

  it("finds a cycle when there is one (so the check above means something)", () => {
    const graph = new Map([
      ["a", new Set(["b"])],
      ["b", new Set(["c"])],
      ["c", new Set(["a"])],
    ]);
    expect(cyclesOf(graph)).toContain("a -> b -> c -> a");
  });

  it("index.ts only reads config and composes components", () => {
    expect(importsOf("index.ts").every((imported) => imported === "config" || imported.startsWith("components/"))).toBe(true);
  });

  it.each(HANDLER_ENTRIES)("the %s bundle holds runtime code and npm packages only", (entry) => {
    const { code, inputs } = bundle(entry);
    const own = inputs.filter((input) => !input.startsWith("node_modules/"));
    expect(
      own.every((input) => input.startsWith("runtime/")),
      own.join(", "),
    ).toBe(true);
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
