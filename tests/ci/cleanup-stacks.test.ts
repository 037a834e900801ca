import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  commandsFor,
  normalizePullRequestState,
  parseStackList,
  planCleanup,
  renderPlan,
  reviewNumbers,
  type PullRequestState,
} from "../../scripts/lib/cleanup-plan";

const ROOT = path.resolve(__dirname, "../..");
const FIXTURE = fs.readFileSync(path.join(__dirname, "fixtures", "stack-ls.json"), "utf8");
const NOW = new Date("2026-03-02T12:00:00.000Z");
const DAY = 24 * 60 * 60 * 1000;

const PULL_REQUESTS = new Map<number, PullRequestState>([
  [12, "open"],
  [13, "merged"],
  [14, "closed"],
  [15, "closed"],
  [16, "closed"],
  // 17: the lookup failed, so it is absent.
]);

describe("cleanup selection", () => {
  const decisions = planCleanup(parseStackList(FIXTURE), PULL_REQUESTS, { now: NOW, idleDays: 14 });
  const actionOf = (stack: string) => decisions.find((decision) => decision.stack === stack)?.action;

  it("destroys and removes review stacks whose pull request is merged or closed, even empty ones", () => {
    expect(actionOf("pr-13")).toBe("destroy-and-remove");
    expect(actionOf("pr-14")).toBe("destroy-and-remove");
    expect(actionOf("acme/job-offers/pr-16")).toBe("destroy-and-remove");
  });

  it("keeps review stacks of open pull requests and of pull requests it could not look up", () => {
    expect(actionOf("pr-12")).toBe("keep");
    expect(actionOf("pr-17")).toBe("keep");
    expect(decisions.find((decision) => decision.stack === "pr-17")?.reason).toContain("unknown");
  });

  it("destroys personal stacks idle for longer than the limit, and only their resources", () => {
    expect(actionOf("bob")).toBe("destroy");
    expect(actionOf("frank")).toBe("destroy");
    expect(decisions.find((decision) => decision.stack === "bob")?.reason).toBe("personal stack idle for 51 days (limit 14)");
  });

  it("keeps recent, empty, never-updated and busy personal stacks", () => {
    expect(actionOf("alice")).toBe("keep");
    expect(actionOf("carol")).toBe("keep");
    expect(actionOf("dave")).toBe("keep");
    expect(actionOf("erin")).toBe("keep");
  });

  it("never touches shared stacks, however old", () => {
    expect(actionOf("dev")).toBe("keep");
    expect(actionOf("staging")).toBe("keep");
    expect(actionOf("prod")).toBe("keep");
  });

  it("leaves a stack alone while an update runs, even when its pull request is closed", () => {
    expect(actionOf("pr-15")).toBe("keep");
  });

  it("selects exactly the expected stacks from the fixture", () => {
    expect(decisions.filter((decision) => decision.action !== "keep").map((decision) => decision.stack)).toEqual([
      "pr-13",
      "pr-14",
      "acme/job-offers/pr-16",
      "bob",
      "frank",
    ]);
  });

  it("counts idle time strictly past the limit", () => {
    const at = (ms: number) => [{ name: "gina", lastUpdate: new Date(NOW.getTime() - ms).toISOString(), resourceCount: 3 }];
    const options = { now: NOW, idleDays: 14 };
    expect(planCleanup(at(14 * DAY), new Map(), options)[0].action).toBe("keep");
    expect(planCleanup(at(14 * DAY + 60_000), new Map(), options)[0].action).toBe("destroy");
    expect(planCleanup(at(14 * DAY + 60_000), new Map(), { now: NOW, idleDays: 30 })[0].action).toBe("keep");
  });

  it("keeps a stack whose last update is not a date", () => {
    const [decision] = planCleanup([{ name: "hank", lastUpdate: "yesterday", resourceCount: 3 }], new Map(), {
      now: NOW,
      idleDays: 14,
    });
    expect(decision.action).toBe("keep");
  });

  it("refuses a limit that would select everything", () => {
    expect(() => planCleanup([], new Map(), { now: NOW, idleDays: 0 })).toThrow(/positive/);
  });

  it("asks only about review stacks", () => {
    expect(reviewNumbers(parseStackList(FIXTURE))).toEqual([12, 13, 14, 15, 16, 17]);
  });

  it("reads GitHub's and GitLab's pull request states", () => {
    expect(normalizePullRequestState("OPEN\n")).toBe("open");
    expect(normalizePullRequestState("opened")).toBe("open");
    expect(normalizePullRequestState("MERGED")).toBe("merged");
    expect(normalizePullRequestState("locked")).toBe("closed");
    expect(normalizePullRequestState("")).toBe("unknown");
  });

  it("rejects output that is not a stack list", () => {
    expect(() => parseStackList('{"name":"dev"}')).toThrow(/pulumi stack ls --json/);
    expect(() => parseStackList("[{}]")).toThrow(/pulumi stack ls --json/);
  });

  it("removes review stacks after destroying them, and keeps personal stacks", () => {
    expect(commandsFor({ stack: "pr-13", kind: "review", action: "destroy-and-remove", reason: "" })).toEqual([
      ["destroy", "--yes", "--non-interactive", "--skip-preview", "--stack", "pr-13"],
      ["stack", "rm", "--yes", "--non-interactive", "pr-13"],
    ]);
    expect(commandsFor({ stack: "bob", kind: "personal", action: "destroy", reason: "" })).toEqual([
      ["destroy", "--yes", "--non-interactive", "--skip-preview", "--stack", "bob"],
    ]);
    expect(commandsFor({ stack: "alice", kind: "personal", action: "keep", reason: "" })).toEqual([]);
  });

  it("says in the report when nothing was changed", () => {
    expect(renderPlan(decisions, true)).toMatch(/^Dry run: 5 of 15 stacks would be cleaned up; nothing was changed\./);
    expect(renderPlan(decisions, false)).toMatch(/^5 of 15 stacks to clean up\./);
    expect(renderPlan(decisions, true)).toContain("| bob | personal | destroy | personal stack idle for 51 days (limit 14) |");
  });
});

describe("cleanup-stacks, run as a command with stand-in pulumi and gh", () => {
  const run = promisify(execFile);
  const tsx = path.join(ROOT, "node_modules", ".bin", "tsx");
  const script = path.join(ROOT, "scripts", "cleanup-stacks.ts");
  let bin: string;
  let log: string;

  beforeEach(() => {
    bin = fs.mkdtempSync(path.join(os.tmpdir(), "cleanup-"));
    log = path.join(bin, "calls.log");
    const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();
    fs.writeFileSync(
      path.join(bin, "stacks.json"),
      JSON.stringify([
        { name: "dev", lastUpdate: ago(100), resourceCount: 60 },
        { name: "pr-5", lastUpdate: ago(1), resourceCount: 60 },
        { name: "pr-6", lastUpdate: ago(1), resourceCount: 60 },
        { name: "old", lastUpdate: ago(30), resourceCount: 60 },
        { name: "stuck", lastUpdate: ago(30), resourceCount: 60 },
      ]),
    );
    // pulumi: lists the stacks, records every other call, fails to destroy "stuck".
    fs.writeFileSync(
      path.join(bin, "pulumi"),
      `#!/bin/sh
echo "pulumi $*" >> "${log}"
if [ "$1 $2" = "stack ls" ]; then cat "${bin}/stacks.json"; exit 0; fi
case "$*" in *stuck*) echo "error: stack is locked" >&2; exit 255;; esac
exit 0
`,
      { mode: 0o755 },
    );
    fs.writeFileSync(
      path.join(bin, "gh"),
      `#!/bin/sh
echo "gh $*" >> "${log}"
case "$3" in 5) echo OPEN;; 6) echo MERGED;; *) exit 1;; esac
`,
      { mode: 0o755 },
    );
  });

  afterEach(() => {
    fs.rmSync(bin, { recursive: true, force: true });
  });

  const env = () => ({ ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}`, GITHUB_STEP_SUMMARY: "" });
  const calls = () => fs.readFileSync(log, "utf8").trim().split("\n");

  it("by default only lists what it would destroy", async () => {
    const { stdout } = await run(tsx, [script, "--forge", "github"], { env: env(), cwd: ROOT });
    expect(stdout).toContain("Dry run: 3 of 5 stacks would be cleaned up");
    expect(stdout).toContain("| pr-6 | review | destroy-and-remove | pull request #6 is merged |");
    expect(calls()).toEqual([
      "pulumi stack ls --json --non-interactive",
      "gh pr view 5 --json state --jq .state",
      "gh pr view 6 --json state --jq .state",
    ]);
  });

  it("with --execute destroys in order, goes on past a failure and reports it", async () => {
    const result = run(tsx, [script, "--forge", "github", "--idle-days", "7", "--execute"], { env: env(), cwd: ROOT });
    await expect(result).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining("cleanup failed for: stuck") });
    expect(calls().filter((call) => !call.startsWith("gh") && !call.includes("stack ls"))).toEqual([
      "pulumi destroy --yes --non-interactive --skip-preview --stack pr-6",
      "pulumi stack rm --yes --non-interactive pr-6",
      "pulumi destroy --yes --non-interactive --skip-preview --stack old",
      "pulumi destroy --yes --non-interactive --skip-preview --stack stuck",
    ]);
  });

  it("refuses a limit that is not a whole number of days", async () => {
    const result = run(tsx, [script, "--idle-days", "two"], { env: env(), cwd: ROOT });
    await expect(result).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining("--idle-days") });
  });
});
