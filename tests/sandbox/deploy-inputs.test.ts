import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildSync, type BuildOptions } from "esbuild";
import { BundleCache } from "../../sandbox/program/bundle-cache";
import { sandboxStackConfig } from "../../sandbox/program/stack-config";
import { physicalName } from "../../sandbox/model/physical-names";

const dir = mkdtempSync(join(tmpdir(), "sandbox-deploy-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("what the sandbox gives the program", () => {
  it("a complete stack config: Pulumi.yaml defaults, then Pulumi.sandbox.yaml, then the sandbox's own values, then overrides", () => {
    writeFileSync(
      join(dir, "Pulumi.yaml"),
      "name: demo\nruntime: nodejs\nconfig:\n  greeting:\n    type: string\n    default: hello\n  retries:\n    type: integer\n    default: 3\n  token:\n    type: string\n    secret: true\n  salt:\n    type: string\n    secret: true\n",
    );
    writeFileSync(
      join(dir, "Pulumi.sandbox.yaml"),
      "config:\n  demo:retries: 5\n  aws:region: eu-west-3\n  demo:password:\n    secure: AAABAKx5\n",
    );
    const stack = sandboxStackConfig({
      programDir: dir,
      stateDir: join(dir, ".sandbox"),
      stack: "sandbox",
      overrides: { greeting: "bonjour", salt: "given" },
    });
    expect(stack.project).toBe("demo");
    expect(stack.config).toMatchObject({
      "demo:greeting": "bonjour",
      "demo:retries": "5",
      "demo:salt": "given",
      "aws:region": "us-east-1",
      "aws:allowedAccountIds": '["000000000000"]',
    });
    // The sandbox restates none of a program's keys: only what Pulumi.yaml and the stack file name.
    expect(Object.keys(stack.config).sort()).toEqual([
      "aws:allowedAccountIds",
      "aws:region",
      "demo:greeting",
      "demo:password",
      "demo:retries",
      "demo:salt",
      "demo:token",
    ]);
    expect(stack.secretKeys.sort()).toEqual(["demo:password", "demo:salt", "demo:token"]);
    // A secret the sandbox cannot decrypt, or one declared without a value, is generated; a given one is not.
    expect(Object.keys(stack.generatedSecrets)).toEqual(["demo:password", "demo:token"]);
    expect(stack.generatedSecrets["demo:password"]).toMatch(/^sbx_[\w-]{32}$/);
    expect(stack.config["demo:password"]).toBe(stack.generatedSecrets["demo:password"]);
    expect(stack.generatedSecrets["demo:token"]).not.toBe(stack.generatedSecrets["demo:password"]);
    // The generated values survive a restart.
    expect(sandboxStackConfig({ programDir: dir, stateDir: join(dir, ".sandbox"), stack: "sandbox" }).generatedSecrets).toMatchObject(
      stack.generatedSecrets,
    );
  });

  it("physical names as Pulumi autonames them, stable across runs so table data persists", () => {
    const name = physicalName({}, "sandbox", "aws:dynamodb/table:Table", "jobs");
    expect(name).toMatch(/^jobs-[0-9a-f]{7}$/);
    expect(physicalName({}, "sandbox", "aws:dynamodb/table:Table", "jobs")).toBe(name);
    expect(physicalName({ name: "fixed" }, "sandbox", "aws:dynamodb/table:Table", "jobs")).toBe("fixed");
    expect(physicalName({ namePrefix: "/aws/lambda/api-" }, "sandbox", "aws:cloudwatch/logGroup:LogGroup", "api-logs")).toMatch(
      /^\/aws\/lambda\/api-[0-9a-f]{7}$/,
    );
  });

  it("reuses a bundle while its inputs are unchanged, and rebuilds when one changes", () => {
    writeFileSync(join(dir, "entry.ts"), 'import { word } from "./word";\nexport const handler = () => word;\n');
    writeFileSync(join(dir, "word.ts"), 'export const word = "one";\n');
    const options: BuildOptions = {
      absWorkingDir: dir,
      entryPoints: ["./entry.ts"],
      bundle: true,
      write: false,
      format: "cjs",
      metafile: true,
    };
    const cache = new BundleCache(join(dir, "bundles"));
    expect(cache.lookup(options)).toBeUndefined();
    const built = buildSync(options);
    cache.store(options, built);
    const hit = cache.lookup(options);
    expect(hit?.result.outputFiles?.[0].text).toBe(built.outputFiles?.[0].text);
    expect(Object.keys(hit?.result.metafile?.inputs ?? {})).toEqual(Object.keys(built.metafile?.inputs ?? {}));
    expect(hit?.inputs.sort()).toEqual([join(dir, "entry.ts"), join(dir, "word.ts")]);
    writeFileSync(join(dir, "word.ts"), 'export const word = "two";\n');
    expect(cache.lookup(options)).toBeUndefined();
  });
});
