/**
 * Scheduled cleanup of review and personal stacks (the CI "cleanup" jobs run it).
 *
 *   tsx scripts/cleanup-stacks.ts [--idle-days 14] [--execute] [--stacks-json <file>] [--forge github|gitlab]
 *
 * Without --execute it only prints what it would destroy. The decisions are made by
 * lib/cleanup-plan.ts; this file only gathers facts (stack list, pull request states) and runs
 * the resulting `pulumi` commands.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import {
  commandsFor,
  normalizePullRequestState,
  parseStackList,
  planCleanup,
  renderPlan,
  reviewNumbers,
  type PullRequestState,
} from "./lib/cleanup-plan";

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: readonly string[], capture: boolean): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: capture ? ["ignore", "pipe", "pipe"] : "inherit" });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk) => (stdout += chunk));
    child.stderr?.on("data", (chunk) => (stderr += chunk));
    child.on("error", (error) => resolve({ code: 127, stdout, stderr: `${stderr}${error.message}` }));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

async function githubState(number: number): Promise<PullRequestState> {
  const result = await run("gh", ["pr", "view", String(number), "--json", "state", "--jq", ".state"], true);
  if (result.code !== 0) {
    console.error(`gh pr view ${number} failed: ${result.stderr.trim()}`);
    return "unknown";
  }
  return normalizePullRequestState(result.stdout);
}

async function gitlabState(number: number): Promise<PullRequestState> {
  const api = process.env.CI_API_V4_URL;
  const project = process.env.CI_PROJECT_ID;
  if (!api || !project) {
    console.error("CI_API_V4_URL and CI_PROJECT_ID are needed to ask GitLab about merge requests");
    return "unknown";
  }
  // A project access token reads merge requests everywhere; the job token only where the project allows it.
  const headers: Record<string, string> = process.env.GITLAB_API_TOKEN
    ? { "PRIVATE-TOKEN": process.env.GITLAB_API_TOKEN }
    : { "JOB-TOKEN": process.env.CI_JOB_TOKEN ?? "" };
  try {
    const response = await fetch(`${api}/projects/${encodeURIComponent(project)}/merge_requests/${number}`, { headers });
    if (!response.ok) {
      console.error(`GitLab answered ${response.status} for merge request !${number}`);
      return "unknown";
    }
    return normalizePullRequestState(((await response.json()) as { state?: string }).state);
  } catch (error) {
    console.error(`cannot reach GitLab for merge request !${number}: ${(error as Error).message}`);
    return "unknown";
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      "idle-days": { type: "string", default: "14" },
      execute: { type: "boolean", default: false },
      "stacks-json": { type: "string" },
      forge: { type: "string", default: process.env.GITLAB_CI ? "gitlab" : "github" },
    },
  });
  const idleDays = Number(values["idle-days"]);
  if (!Number.isInteger(idleDays) || idleDays < 1) {
    console.error(`--idle-days must be a whole number of days, at least 1 (got '${values["idle-days"]}')`);
    return 2;
  }
  if (values.forge !== "github" && values.forge !== "gitlab") {
    console.error(`--forge must be github or gitlab (got '${values.forge}')`);
    return 2;
  }
  const dryRun = !values.execute;

  let listing: string;
  if (values["stacks-json"]) {
    listing = fs.readFileSync(values["stacks-json"], "utf8");
  } else {
    const result = await run("pulumi", ["stack", "ls", "--json", "--non-interactive"], true);
    if (result.code !== 0) {
      console.error(`pulumi stack ls failed: ${result.stderr.trim()}`);
      return 1;
    }
    listing = result.stdout;
  }
  const stacks = parseStackList(listing);

  const stateOf = values.forge === "gitlab" ? gitlabState : githubState;
  const pullRequests = new Map<number, PullRequestState>();
  for (const number of reviewNumbers(stacks)) pullRequests.set(number, await stateOf(number));

  const decisions = planCleanup(stacks, pullRequests, { now: new Date(), idleDays });
  const report = renderPlan(decisions, dryRun);
  console.log(report);
  if (process.env.GITHUB_STEP_SUMMARY) fs.appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${report}\n`);
  if (dryRun) return 0;

  const failed: string[] = [];
  for (const decision of decisions) {
    for (const args of commandsFor(decision)) {
      console.log(`$ pulumi ${args.join(" ")}`);
      const result = await run("pulumi", args, false);
      if (result.code !== 0) {
        // One stuck stack (another account, a lock) must not spare the others.
        failed.push(decision.stack);
        break;
      }
    }
  }
  if (failed.length > 0) {
    console.error(`cleanup failed for: ${failed.join(", ")}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (error: Error) => {
    console.error(error.message);
    process.exitCode = 1;
  },
);
