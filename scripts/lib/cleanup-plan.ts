import { reviewNumberOf, shortStackName, stackKindOf, type StackKind } from "../../stack-kinds";

/**
 * Which stacks the scheduled cleanup destroys. Pure: the stack list, the state of each review
 * stack's pull request and the clock come in as arguments, so fixtures decide every case.
 */

/** One entry of `pulumi stack ls --json`. */
export interface StackSummary {
  name: string;
  current?: boolean;
  lastUpdate?: string;
  updateInProgress?: boolean;
  resourceCount?: number;
  url?: string;
}

/** GitHub says OPEN/CLOSED/MERGED, GitLab opened/closed/merged/locked; both are mapped to these. */
export type PullRequestState = "open" | "closed" | "merged" | "unknown";

export type CleanupAction =
  /** Review stack of a finished pull request: nothing of it should remain. */
  | "destroy-and-remove"
  /** Idle personal stack: its resources go, the stack stays so that its owner can `pulumi up` again. */
  | "destroy"
  | "keep";

export interface CleanupDecision {
  stack: string;
  kind: StackKind;
  action: CleanupAction;
  reason: string;
}

export interface CleanupOptions {
  now: Date;
  idleDays: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function parseStackList(json: string): StackSummary[] {
  const value: unknown = JSON.parse(json);
  if (!Array.isArray(value) || !value.every((entry) => typeof entry?.name === "string")) {
    throw new Error("expected the output of `pulumi stack ls --json`: an array of objects with a name");
  }
  return value as StackSummary[];
}

/** The pull requests whose state the plan needs. */
export function reviewNumbers(stacks: readonly StackSummary[]): number[] {
  return stacks.map((stack) => reviewNumberOf(shortStackName(stack.name))).filter((number): number is number => number !== undefined);
}

export function normalizePullRequestState(raw: string | undefined): PullRequestState {
  switch ((raw ?? "").trim().toLowerCase()) {
    case "open":
    case "opened":
      return "open";
    case "closed":
    case "locked":
      return "closed";
    case "merged":
      return "merged";
    default:
      return "unknown";
  }
}

export function planCleanup(
  stacks: readonly StackSummary[],
  pullRequests: ReadonlyMap<number, PullRequestState>,
  options: CleanupOptions,
): CleanupDecision[] {
  if (!(options.idleDays > 0)) throw new Error(`idle days must be a positive number, got ${options.idleDays}`);
  return stacks.map((stack) => decide(stack, pullRequests, options));
}

function decide(
  stack: StackSummary,
  pullRequests: ReadonlyMap<number, PullRequestState>,
  { now, idleDays }: CleanupOptions,
): CleanupDecision {
  const short = shortStackName(stack.name);
  const kind = stackKindOf(short);
  const keep = (reason: string): CleanupDecision => ({ stack: stack.name, kind, action: "keep", reason });

  if (kind === "shared") return keep("shared stack: only its workflow changes it");
  // Destroying under a running update would fight it for the lock and leave both half done.
  if (stack.updateInProgress) return keep("an update is in progress");

  if (kind === "review") {
    const number = reviewNumberOf(short) as number;
    const state = pullRequests.get(number) ?? "unknown";
    if (state === "closed" || state === "merged") {
      return { stack: stack.name, kind, action: "destroy-and-remove", reason: `pull request #${number} is ${state}` };
    }
    if (state === "open") return keep(`pull request #${number} is open`);
    return keep(`state of pull request #${number} unknown: kept to be safe`);
  }

  if (stack.resourceCount === 0) return keep("personal stack without resources: nothing to destroy");
  if (!stack.lastUpdate) return keep("personal stack never updated: its age is unknown");
  const updated = Date.parse(stack.lastUpdate);
  if (Number.isNaN(updated)) return keep(`last update '${stack.lastUpdate}' is not a date: kept to be safe`);
  const idleMs = now.getTime() - updated;
  const idle = Math.floor(idleMs / DAY_MS);
  if (idleMs > idleDays * DAY_MS) {
    return { stack: stack.name, kind, action: "destroy", reason: `personal stack idle for ${idle} days (limit ${idleDays})` };
  }
  return keep(`personal stack updated ${idle} days ago (limit ${idleDays})`);
}

/** The Pulumi commands that carry out one decision, in order. */
export function commandsFor(decision: CleanupDecision): string[][] {
  const destroy = ["destroy", "--yes", "--non-interactive", "--skip-preview", "--stack", decision.stack];
  switch (decision.action) {
    case "destroy-and-remove":
      return [destroy, ["stack", "rm", "--yes", "--non-interactive", decision.stack]];
    case "destroy":
      return [destroy];
    case "keep":
      return [];
  }
}

/** A Markdown table for the job summary and the log. */
export function renderPlan(decisions: readonly CleanupDecision[], dryRun: boolean): string {
  const acting = decisions.filter((decision) => decision.action !== "keep");
  const lines = [
    dryRun
      ? `Dry run: ${acting.length} of ${decisions.length} stacks would be cleaned up; nothing was changed.`
      : `${acting.length} of ${decisions.length} stacks to clean up.`,
    "",
    "| stack | kind | action | why |",
    "| --- | --- | --- | --- |",
    ...decisions.map((decision) => `| ${decision.stack} | ${decision.kind} | ${decision.action} | ${decision.reason} |`),
  ];
  return lines.join("\n");
}
