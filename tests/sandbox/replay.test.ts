import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../sandbox/sandbox";
import { memoryReporter } from "../../sandbox/shared/log";
import { fixtureProgram } from "../support/sandbox-harness";

/**
 * A restart with nothing changed serves the recorded deployment at once (on new ports here, so
 * its URLs move with them) and a real run confirms it in the background; a changed program file
 * makes the start run the program.
 */
describe("a restart with unchanged inputs", () => {
  const program = fixtureProgram("javascript-quick-api");
  const stateDir = mkdtempSync(join(tmpdir(), "sandbox-replay-"));
  afterAll(() => {
    program.remove();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const start = async () => {
    const reporter = memoryReporter();
    const sandbox = await startSandbox({ programDir: program.dir, stateDir, port: 0, awsPort: 0, reporter });
    return { sandbox, reporter };
  };
  const hello = async (sandbox: Sandbox) => (await (await fetch(`${String(sandbox.outputs.quickUrl)}/hello`)).json()) as { route: string };
  const replayLine =
    "Started from the recorded deployment (nothing it depends on changed since the last start); the program runs in the background to confirm it.";

  // Three starts, two of them with a deployment confirming in the background.
  it(
    "is ready from the recorded deployment, and the program's run in the background swaps in what differs",
    { timeout: 120_000 },
    async () => {
      const first = await start();
      expect(first.sandbox.confirmation).toBeUndefined();
      expect(first.reporter.lines).not.toContain(replayLine);
      const firstUrl = String(first.sandbox.outputs.quickUrl);
      await first.sandbox.stop();

      // A record that no longer matches what the program deploys (its inputs unchanged): the start
      // serves it, the confirming run replaces it.
      const record = join(stateDir, "deployment.json");
      writeFileSync(record, readFileSync(record, "utf8").replace("route: event.routeKey", "route: 'recorded ' + event.routeKey"));
      const second = await start();
      try {
        expect(second.reporter.lines).toContain(replayLine);
        expect(String(second.sandbox.outputs.quickUrl)).not.toBe(firstUrl);
        expect(await hello(second.sandbox)).toEqual({ route: "recorded GET /hello", path: "/hello", stage: "$default" });
        await second.sandbox.confirmation;
        expect(second.reporter.lines.filter((line) => line.includes("differs from the recorded one"))).toEqual([
          "! The program's deployment differs from the recorded one: applied (hello updated, " +
            /\d+\.\d s/.exec(second.reporter.lines.join("\n"))![0] +
            ").",
        ]);
        expect(await hello(second.sandbox)).toEqual({ route: "GET /hello", path: "/hello", stage: "$default" });
      } finally {
        await second.sandbox.stop();
      }

      const third = await start();
      try {
        expect(third.reporter.lines).toContain(replayLine);
        expect(await hello(third.sandbox)).toEqual({ route: "GET /hello", path: "/hello", stage: "$default" });
        await third.sandbox.confirmation;
        expect(
          third.reporter.lines.some((line) => /^The program's deployment confirmed the recorded one \(\d+\.\d s\)\.$/.test(line)),
        ).toBe(true);
      } finally {
        await third.sandbox.stop();
      }
    },
  );

  it("starts from nothing with --fresh, and says what it removed", { timeout: 60_000 }, async () => {
    const reporter = memoryReporter();
    const sandbox = await startSandbox({ programDir: program.dir, stateDir, port: 0, awsPort: 0, reporter, fresh: true });
    try {
      expect(sandbox.confirmation).toBeUndefined();
      expect(reporter.lines).not.toContain(replayLine);
      expect(reporter.lines[0]).toBe(
        `--fresh: removed ${stateDir}: the tables' items, the recorded deployment, and the config values the sandbox generated (secrets: new ones are generated now).`,
      );
    } finally {
      await sandbox.stop();
    }
  });

  it("runs the program when one of its files changed since", { timeout: 60_000 }, async () => {
    const file = join(program.dir, "index.js");
    writeFileSync(file, readFileSync(file, "utf8").replace("route: event.routeKey", "route: 'changed ' + event.routeKey"));
    const { sandbox, reporter } = await start();
    try {
      expect(sandbox.confirmation).toBeUndefined();
      expect(reporter.lines).not.toContain(replayLine);
      expect(await hello(sandbox)).toEqual({ route: "changed GET /hello", path: "/hello", stage: "$default" });
    } finally {
      await sandbox.stop();
    }
  });
});
