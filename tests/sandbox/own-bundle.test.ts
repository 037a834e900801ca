import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/sandbox-harness";

/**
 * What `npm start` loads the sandbox's own code through, tried on a project of one module. Each
 * load is a Node process of its own, as each start is (and free of the test runner's own stack
 * trace handling).
 */
describe("the sandbox's own code, bundled once", () => {
  const root = mkdtempSync(join(tmpdir(), "own-bundle-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const probe = join(root, "lib", "probe.ts");
  const cacheDir = join(root, "node_modules", ".cache", "sandbox-own");

  const writeProbe = (version: number) =>
    writeFileSync(
      probe,
      [
        `export const version: number = ${version};`,
        `export const where = () => ({ dir: __dirname, file: __filename });`,
        `export function fail(): never {`,
        `  throw new Error("from the probe");`,
        `}`,
      ].join("\n"),
    );
  /** What a start would see of the module. */
  const load = () => {
    const script = `
      const { loadOwnBundle } = await import(${JSON.stringify(pathToFileURL(join(repoRoot, "sandbox", "shared", "own-bundle.mjs")).href)});
      const probe = await loadOwnBundle("probe", 'export * from "./lib/probe";', ${JSON.stringify(root)});
      let stack = "";
      try { probe.fail(); } catch (error) { stack = error.stack.split("\\n")[1].trim(); }
      console.log(JSON.stringify({ version: probe.version, where: probe.where(), stack }));`;
    return JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" })) as {
      version: number;
      where: { dir: string; file: string };
      stack: string;
    };
  };
  const bundles = () => readdirSync(cacheDir).filter((file) => file.endsWith(".cjs"));

  it("keeps each module's own paths and stack lines, and is built again only when a file it was made from changed", () => {
    mkdirSync(join(root, "lib"));
    writeProbe(1);
    expect(load()).toEqual({
      version: 1,
      where: { dir: join(root, "lib"), file: probe },
      stack: `at Object.fail (${probe}:4:9)`,
    });
    const [built] = bundles();
    const builtAt = statSync(join(cacheDir, built)).mtimeMs;

    expect(load().version).toBe(1);
    expect(bundles()).toEqual([built]);
    expect(statSync(join(cacheDir, built)).mtimeMs).toBe(builtAt);

    writeProbe(22);
    expect(load().version).toBe(22);
    expect(bundles()).toHaveLength(2);
  });
});
