import { isFunctionRule, parseFaultRules, type FaultRule } from "./rules";

/** Seed used when `--seed` is not given: runs are reproducible by default, and the plan prints it. */
export const DEFAULT_FAULT_SEED = 1;

/** mulberry32: small, fast, and good enough to decide coin flips reproducibly. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface ActiveRule extends FaultRule {
  readonly random: () => number;
  hits: number;
  calls: number;
}

export type InvocationFault = "error" | "crash" | "timeout";
const INVOCATION_FAULT_ORDER: readonly InvocationFault[] = ["error", "crash", "timeout"];

/** A function as the rules name it. */
export interface FaultTargetFunction {
  readonly name: string;
  readonly logicalName: string;
}

/**
 * The faults of one sandbox run. Every rule draws from its own generator, seeded from the run's
 * seed and the rule's position, so one rule's traffic never shifts another's decisions and the
 * same seed gives the same sequence of hits. Rules can be replaced while the sandbox runs (tests
 * remove a fault, then watch the system recover).
 */
export class FaultPlan {
  private active: ActiveRule[] = [];

  constructor(
    rules: FaultRule[] | string = [],
    readonly seed = DEFAULT_FAULT_SEED,
  ) {
    this.replace(rules);
  }

  replace(rules: FaultRule[] | string): void {
    const parsed = typeof rules === "string" ? parseFaultRules(rules) : rules;
    this.active = parsed.map((rule, index) => ({ ...rule, random: seededRandom(this.seed * 1_000_003 + index), hits: 0, calls: 0 }));
  }

  get rules(): FaultRule[] {
    return this.active.map(({ target, kind, rate }) => ({ target, kind, rate }));
  }

  get empty(): boolean {
    return this.active.length === 0;
  }

  /** What `npm start` prints: every rule, and the seed that reproduces the run. */
  describe(): string {
    if (this.active.length === 0) return "Faults: none";
    const lines = this.active.map((rule) => `  ${rule.target}:${rule.kind}=${rule.rate}  ${explain(rule)}`);
    return [`Faults (seed ${this.seed}; the same seed and traffic give the same faults):`, ...lines].join("\n");
  }

  /** Rules naming a function that is not among these: a typo would otherwise inject nothing. */
  unknownTargets(functions: readonly FaultTargetFunction[]): string[] {
    return this.active
      .filter((rule) => isFunctionRule(rule) && !functions.some((fn) => matches(rule, fn)))
      .map(
        (rule) =>
          `fault rule ${rule.target}:${rule.kind} names no function of the program (${functions.map((fn) => fn.logicalName).join(", ")})`,
      );
  }

  /** The fault for one invocation of `fn`: the earliest wins when several hit (an error, then a crash, then a timeout). */
  invocationFault(fn: FaultTargetFunction): InvocationFault | undefined {
    let fault: InvocationFault | undefined;
    for (const rule of this.active) {
      if (!isFunctionRule(rule) || !matches(rule, fn)) continue;
      const kind = rule.kind as InvocationFault;
      if (this.draw(rule) && (fault === undefined || INVOCATION_FAULT_ORDER.indexOf(kind) < INVOCATION_FAULT_ORDER.indexOf(fault)))
        fault = kind;
    }
    return fault;
  }

  /** Whether this DynamoDB call is throttled. */
  throttlesDynamo(): ActiveRule | undefined {
    const rule = this.active.find((candidate) => candidate.kind === "throttle");
    return rule && this.draw(rule) ? rule : undefined;
  }

  /** Which entries of one SendMessageBatch fail (by position). */
  failedSendEntries(count: number): { rule?: FaultRule; failed: boolean[] } {
    const rule = this.active.find((candidate) => candidate.kind === "send-fail");
    if (!rule) return { failed: Array<boolean>(count).fill(false) };
    return { rule, failed: Array.from({ length: count }, () => this.draw(rule)) };
  }

  /** How often each rule has been hit so far, for the log and for tests. */
  stats(): Array<FaultRule & { hits: number; calls: number }> {
    return this.active.map(({ target, kind, rate, hits, calls }) => ({ target, kind, rate, hits, calls }));
  }

  private draw(rule: ActiveRule): boolean {
    rule.calls++;
    const hit = rule.rate > 0 && rule.random() < rule.rate;
    if (hit) rule.hits++;
    return hit;
  }
}

function matches(rule: FaultRule, fn: FaultTargetFunction): boolean {
  return rule.target === fn.name || rule.target === fn.logicalName;
}

function explain(rule: FaultRule): string {
  const percent = `${+(rule.rate * 100).toFixed(2)}%`;
  switch (rule.kind) {
    case "error":
      return `${percent} of invocations fail before the handler runs`;
    case "timeout":
      return `${percent} of invocations run past their timeout`;
    case "crash":
      return `${percent} of invocations end with the runtime dying a third of the way through their timeout, or as the handler returns if that comes first: what the handler did so far stays done`;
    case "throttle":
      return `${percent} of DynamoDB item calls answer ProvisionedThroughputExceededException`;
    case "send-fail":
      return `${percent} of SendMessageBatch entries come back in Failed`;
  }
}
