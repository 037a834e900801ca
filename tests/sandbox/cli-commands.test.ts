import { execFile, spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { stripVTControlCharacters } from "node:util";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/sandbox-harness";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** A command as `npm run <name>` runs it (`tsx <file>`), with the sandbox state in `stateDir`. */
function run(file: string, args: string[], stateDir?: string): Promise<Run> {
  const entry = file.endsWith(".mjs") ? [join(repoRoot, file)] : ["--import", "tsx", join(repoRoot, file)];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...entry, ...args],
      { cwd: repoRoot, env: { ...process.env, ...(stateDir ? { SANDBOX_STATE_DIR: stateDir } : {}) } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const usages: Record<string, string> = {
  "sandbox/cli/start.mjs":
    "usage: npm start -- [--program <dir>] [--port 3000] [--aws-port 4566] [--fresh] [--no-watch] [--config key=value ...] [--faults '<rules>' [--seed <n>]]",
  "sandbox/cli/upload.ts":
    "usage: npm run upload -- <file.csv> [--wait] [--timeout <seconds>] [--bucket <name>] [--key <key>] [--program <dir>]",
  "sandbox/cli/invoke.ts":
    "usage: npm run invoke -- <function> (--event <file.json> | --sample s3|sqs|http|sns|schedule|dynamodb [--method GET] [--path /v1/health]) [--program <dir>]",
  "scripts/dlq.ts": "usage: npm run dlq -- list | show <message id> | redrive  [--stack <name>] [--program <dir>]",
  "sandbox/cli/fire.ts": "usage: npm run fire -- <rule> [--program <dir>]",
  "scripts/reconcile.ts":
    "usage: npm run reconcile -- <file.csv> [--key <object key>] [--bucket <name>] [--table <name>] [--stack <name>] [--program <dir>] [--verbose]",
  "bench/run.ts": "usage: npm run bench -- [--quick] [--json <file>] [--keep]",
};

describe("the sandbox's commands, as a newcomer types them", () => {
  let staleState: string;
  let deadEndpoint: string;

  beforeAll(async () => {
    // outputs.json of a sandbox that was killed: its port no longer answers.
    const server = createServer().listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    deadEndpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await new Promise((resolve) => server.close(resolve));
    staleState = mkdtempSync(join(tmpdir(), "stale-sandbox-"));
    writeFileSync(
      join(staleState, "outputs.json"),
      JSON.stringify({
        awsEndpoint: deadEndpoint,
        region: "us-east-1",
        secrets: { "job-offers:apiToken": "t".repeat(32) },
        bucketName: "jobs-bucket",
        uploadPrefix: "job_offers/",
        queueUrl: `${deadEndpoint}/000000000000/jobs`,
        deadLetterQueueUrl: `${deadEndpoint}/000000000000/jobs-dlq`,
        tableName: "jobs",
        apiFunctionName: "api-handler",
      }),
    );
  });
  afterAll(() => rmSync(staleState, { recursive: true, force: true }));

  it("--help prints the usage and exits 0, on every command; npm start's says what each flag does", async () => {
    const runs = await Promise.all(Object.keys(usages).map((file) => run(file, ["--help"])));
    const [start, ...others] = runs.map((result) => ({ code: result.code, stdout: result.stdout }));
    expect(others).toEqual(
      Object.values(usages)
        .slice(1)
        .map((usage) => ({ code: 0, stdout: `${usage}\n` })),
    );
    expect(start.code).toBe(0);
    expect(start.stdout.split("\n").slice(0, 3)).toEqual([
      usages["sandbox/cli/start.mjs"],
      "",
      "  --program <dir>      the Pulumi project to run (its Pulumi.yaml); this directory by default",
    ]);
    // Every flag of the usage line, explained once.
    const flags = [...usages["sandbox/cli/start.mjs"].matchAll(/\[(--[a-z-]+)/g)].map((match) => match[1]);
    expect(flags).toHaveLength(8);
    for (const flag of flags) expect(start.stdout.match(new RegExp(`^  ${flag} `, "gm")), flag).toHaveLength(1);
  });

  it("a mistyped flag of npm start prints the usage and exits 2, nothing else (the deployer it started ends quietly)", async () => {
    const result = await run("sandbox/cli/start.mjs", ["--bogus"]);
    expect(result).toEqual({ code: 2, stdout: "", stderr: `Unknown option '--bogus'\n${usages["sandbox/cli/start.mjs"]}\n` });
  });

  it("a mistyped flag or a missing argument prints what is wrong and the usage, and exits 2; a missing file is named", async () => {
    const runs = await Promise.all([
      run("sandbox/cli/upload.ts", ["fixtures/jobs.csv", "--wiat"]),
      run("scripts/dlq.ts", ["lsit"]),
      run("sandbox/cli/upload.ts", ["fixtures/jbos.csv"]),
      run("sandbox/cli/upload.ts", ["fixtures/jobs.csv", "--timeout", "60"]),
      run("sandbox/cli/upload.ts", ["fixtures/jobs.csv", "--wait", "--timeout", "abc"]),
    ]);
    expect(runs).toEqual([
      { code: 2, stdout: "", stderr: `Unknown option '--wiat'\n${usages["sandbox/cli/upload.ts"]}\n` },
      { code: 2, stdout: "", stderr: `error: no command 'lsit'\n${usages["scripts/dlq.ts"]}\n` },
      // Not a usage error: the file named is not there.
      { code: 1, stdout: "", stderr: "error: fixtures/jbos.csv: no such file\n" },
      {
        code: 2,
        stdout: "",
        stderr: `error: --timeout goes with --wait: without it the upload does not wait\n${usages["sandbox/cli/upload.ts"]}\n`,
      },
      {
        code: 2,
        stdout: "",
        stderr: `error: --timeout takes a number of seconds above 0, not 'abc'\n${usages["sandbox/cli/upload.ts"]}\n`,
      },
    ]);
  });

  it("against a sandbox that is gone (a stale outputs.json), every command says so in one sentence", async () => {
    const said = `error: the sandbox at ${deadEndpoint} does not answer: is \`npm start\` running?\n`;
    const [upload, invokeSample, invokeEvent, dlq, reconcile] = await Promise.all([
      run("sandbox/cli/upload.ts", [join(repoRoot, "fixtures", "jobs.csv"), "--wait"], staleState),
      run("sandbox/cli/invoke.ts", ["apiFunctionName", "--sample", "http"], staleState),
      run("sandbox/cli/invoke.ts", ["apiFunctionName", "--event", join(repoRoot, "package.json")], staleState),
      run("scripts/dlq.ts", ["list"], staleState),
      run("scripts/reconcile.ts", [join(repoRoot, "fixtures", "jobs.csv")], staleState),
    ]);
    for (const result of [upload, invokeSample, invokeEvent, dlq]) expect(result).toEqual({ code: 1, stdout: "", stderr: said });
    // reconcile keeps its own exit codes: 2 when it cannot look.
    expect(reconcile).toEqual({ code: 2, stdout: "", stderr: said });
  });

  it("Ctrl+D at a stack:new prompt ends it with one sentence and exit 1, writing nothing", async () => {
    const project = mkdtempSync(join(tmpdir(), "stack-new-eof-"));
    copyFileSync(join(repoRoot, "Pulumi.yaml"), join(project, "Pulumi.yaml"));
    try {
      // `script` gives the command a terminal, where stack:new asks; Ctrl+D is sent once it asks.
      const child = spawn(
        "script",
        ["-qec", `${join(repoRoot, "node_modules", ".bin", "tsx")} ${join(repoRoot, "scripts", "stack-new.ts")}`, "/dev/null"],
        { cwd: project },
      );
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString("utf8");
        if (output.includes("stack name: ")) child.stdin.write("\x04");
      });
      const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
      // What the terminal shows, without readline's cursor movements.
      const text = stripVTControlCharacters(output).replace(/\r/g, "");
      expect(text).toBe("stack name: \nstack:new: no stack name given (input ended): nothing was written\n");
      expect(code).toBe(1);
      expect(readdirSync(project)).toEqual(["Pulumi.yaml"]);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});
