import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/sandbox-harness";

/**
 * Each run of a program is a new deployer process: its TypeScript is compiled once, then each run
 * finds the outputs of files that did not change, and one whose files all did not loads no
 * TypeScript at all. A changed file, or a changed tsconfig, is compiled again.
 */
describe("the program's TypeScript, compiled once across runs", () => {
  const dir = mkdtempSync(join(tmpdir(), "program-compile-"));
  const program = join(dir, "program");
  const cache = join(dir, "cache");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const write = (file: string, text: string) => writeFileSync(join(program, file), text);
  execFileSync("mkdir", ["-p", program]);
  write("Pulumi.yaml", "name: compiled\nruntime: nodejs\n");
  write("package.json", "{}");
  write("tsconfig.json", JSON.stringify({ compilerOptions: { target: "es2020", strict: true } }));
  write(
    "index.ts",
    `import { greeting } from "./greeting";\nexport const text = greeting("run");\nexport const source = String(function () { const kept = 1; return kept; });\n`,
  );
  write("greeting.ts", `export const greeting = (name: string): string => \`hello \${name}\`;\n`);

  /** One run, as a deployer does it: compile hooks registered, then the program required (unless `registerOnly`). */
  function run(registerOnly = false): { outputs: Record<string, string>; typescriptLoaded: boolean } {
    const script = `
      const { registerProgramTypeScript, requireProgram } = require(${JSON.stringify(join(repoRoot, "sandbox", "program", "program-loader.ts"))});
      registerProgramTypeScript(${JSON.stringify(program)}, ${JSON.stringify(cache)});
      const outputs = ${registerOnly} ? {} : requireProgram(${JSON.stringify(program)}, ${JSON.stringify(join(program, "index.ts"))});
      const typescriptLoaded = Object.keys(require.cache).some((file) => /[\\\\/]typescript[\\\\/]lib[\\\\/]typescript\\.js$/.test(file));
      process.stdout.write(JSON.stringify({ outputs: { ...outputs }, typescriptLoaded }));
    `;
    // tsx for the sandbox's own modules; the program's files go through the hook under test.
    const stdout = execFileSync(process.execPath, [join(repoRoot, "node_modules", "tsx", "dist", "cli.mjs"), "-e", script], {
      cwd: program,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    return JSON.parse(stdout);
  }

  it("compiles on the first run, and loads no TypeScript on a run whose files did not change", () => {
    const first = run();
    expect(first).toEqual({ outputs: { text: "hello run", source: expect.stringContaining("const kept = 1") }, typescriptLoaded: true });
    const second = run();
    expect(second).toEqual({ ...first, typescriptLoaded: false });
  });

  it("compiles a changed file again, and every file after a change to the tsconfig", () => {
    write("greeting.ts", `export const greeting = (name: string): string => \`hi \${name}\`;\n`);
    expect(run()).toMatchObject({ outputs: { text: "hi run" }, typescriptLoaded: true });
    expect(run()).toMatchObject({ outputs: { text: "hi run" }, typescriptLoaded: false });

    write("tsconfig.json", JSON.stringify({ compilerOptions: { target: "es5", strict: true } }));
    const es5 = run();
    expect(es5).toMatchObject({ outputs: { text: "hi run", source: expect.stringContaining("var kept = 1") }, typescriptLoaded: true });
    expect(run()).toEqual({ ...es5, typescriptLoaded: false });
    // One setup record and, for each file, an output per version of it or of the setup.
    expect(readdirSync(cache).filter((file) => file.endsWith(".js"))).toHaveLength(5);
  });

  it("compiles every file again when a tsconfig it extends changes", () => {
    write("base.json", JSON.stringify({ compilerOptions: { target: "es5" } }));
    write("tsconfig.json", JSON.stringify({ extends: "./base.json", compilerOptions: { strict: true } }));
    expect(run()).toMatchObject({ outputs: { source: expect.stringContaining("var kept = 1") }, typescriptLoaded: true });
    expect(run()).toMatchObject({ typescriptLoaded: false });
    write("base.json", JSON.stringify({ compilerOptions: { target: "es2020" } }));
    expect(run()).toMatchObject({ outputs: { source: expect.stringContaining("const kept = 1") }, typescriptLoaded: true });
  });

  it("refuses a tsconfig that is not JSON as the compiler registers, before any module of the program, as ts-node does", () => {
    write("tsconfig.json", "{ 'compilerOptions': { 'target': 'es5' } }");
    expect(() => run(true)).toThrow(/Property keys must be doublequoted|String literal with double quotes expected/);
  });
});

/**
 * A program's tsconfig from Pulumi's templates sets `outDir: "bin"` and source maps: the stack of
 * an error names the program's own file and line, not a file one folder up.
 */
describe("the stack of an error in a program compiled with an outDir", () => {
  const program = mkdtempSync(join(tmpdir(), "program-out-dir-"));
  afterAll(() => rmSync(program, { recursive: true, force: true }));
  writeFileSync(join(program, "package.json"), "{}");
  writeFileSync(join(program, "tsconfig.json"), JSON.stringify({ compilerOptions: { outDir: "bin", sourceMap: true, target: "es2020" } }));
  writeFileSync(join(program, "index.ts"), `const runtime: string = "nodejs12.x";\nthrow new Error(\`refused \${runtime}\`);\n`);

  it("names the file and line of the program's source", () => {
    const script = `
      const { registerProgramTypeScript, requireProgram } = require(${JSON.stringify(join(repoRoot, "sandbox", "program", "program-loader.ts"))});
      registerProgramTypeScript(${JSON.stringify(program)}, ${JSON.stringify(join(program, "cache"))});
      try { requireProgram(${JSON.stringify(program)}, ${JSON.stringify(join(program, "index.ts"))}); } catch (error) { process.stdout.write(error.stack); }
    `;
    const stack = execFileSync(
      process.execPath,
      ["--enable-source-maps", join(repoRoot, "node_modules", "tsx", "dist", "cli.mjs"), "-e", script],
      { cwd: program, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
    expect(stack.split("\n").slice(0, 2)).toEqual([
      "Error: refused nodejs12.x",
      `    at Object.<anonymous> (${join(program, "index.ts")}:2:7)`,
    ]);
  });
});
