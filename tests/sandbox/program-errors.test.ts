import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startSandbox } from "../../sandbox/sandbox";
import { memoryReporter } from "../../sandbox/shared/log";
import { fixtureProgram } from "../support/sandbox-harness";
import { brokenHandler } from "../support/broken-handler";

/**
 * A program that cannot deploy because one of its files does not compile, or a handler it bundles
 * does not build, stops the start with the compiler's or esbuild's own message (file, line,
 * column), not with the stack of the sandbox's loader or of esbuild's insides.
 */
describe("a program whose files do not compile", () => {
  const program = fixtureProgram("program");
  const stateDir = mkdtempSync(join(tmpdir(), "sandbox-program-errors-"));
  afterAll(() => {
    program.remove();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const startError = async () => {
    const error = await startSandbox({ programDir: program.dir, stateDir, port: 0, awsPort: 0, reporter: memoryReporter() }).then(
      () => new Error("the sandbox started"),
      (failure: Error) => failure,
    );
    return error.message;
  };

  it("names the handler's line and column with esbuild's message when its bundle does not build", { timeout: 30_000 }, async () => {
    const handler = join(program.dir, "runtime", "hello.ts");
    const good = readFileSync(handler, "utf8");
    const { broken, message } = brokenHandler(good);
    writeFileSync(handler, broken);
    try {
      expect(await startError()).toBe(`the program's esbuild build failed:\n${message}`);
    } finally {
      writeFileSync(handler, good);
    }
  });

  it("names the program file's line and column with TypeScript's message when it does not compile", { timeout: 30_000 }, async () => {
    const index = join(program.dir, "index.ts");
    const good = readFileSync(index, "utf8");
    writeFileSync(index, `${good}\nexport const broken = ;\n`);
    try {
      expect(await startError()).toBe(`index.ts(${good.split("\n").length + 1},23): error TS1109: Expression expected.`);
    } finally {
      writeFileSync(index, good);
    }
  });
});
