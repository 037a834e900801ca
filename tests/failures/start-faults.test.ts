import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/sandbox-harness";

/** `npm start -- --faults ... --seed ...`: the plan printed on start, bad rules refused before anything runs. */
describe("npm start with --faults", () => {
  const stateDir = mkdtempSync(join(tmpdir(), "sandbox-faults-"));
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  function start(args: string[], until?: RegExp): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve) => {
      const child = spawn(
        process.execPath,
        [join(repoRoot, "sandbox", "cli", "start.mjs"), "--port", "0", "--aws-port", "0", "--no-watch", ...args],
        {
          cwd: repoRoot,
          env: { ...process.env, SANDBOX_STATE_DIR: stateDir },
        },
      );
      let output = "";
      const take = (chunk: Buffer) => {
        output += chunk.toString();
        if (until?.test(output)) child.kill("SIGTERM");
      };
      child.stdout.on("data", take);
      child.stderr.on("data", take);
      child.on("close", (code) => resolve({ code, output }));
    });
  }

  it("prints the plan with its seed once the sandbox is up, and names a rule that matches no function", async () => {
    const { output } = await start(
      ["--faults", "ingest-sqs-to-dynamo:error=0.3; dynamodb:throttle=0.2; no-such-fn:timeout=1", "--seed", "3"],
      /names no function[^\n]*\n/,
    );
    expect(output).toContain("Faults (seed 3; the same seed and traffic give the same faults):");
    expect(output).toContain("  ingest-sqs-to-dynamo:error=0.3  30% of invocations fail before the handler runs");
    expect(output).toContain("  dynamodb:throttle=0.2  20% of DynamoDB item calls answer ProvisionedThroughputExceededException");
    expect(output).toMatch(/! fault rule no-such-fn:timeout names no function of the program \(.*ingest-sqs-to-dynamo.*\)/);
  }, 60_000);

  it.each([
    [["--faults", "consumer=0.3"], /error: fault rule 'consumer=0.3' is not <target>:<kind>=<rate>/],
    [["--faults", "sqs:send-fail=2"], /the rate must be a number from 0 to 1, not '2'/],
    [["--seed", "4"], /--seed needs --faults/],
    [["--faults", "sqs:send-fail=0.1", "--seed", "x"], /--seed takes a whole number, not 'x'/],
  ])(
    "refuses %j",
    async (args, message) => {
      const { code, output } = await start(args);
      expect(code).toBe(1);
      expect(output).toMatch(message);
    },
    30_000,
  );
});
