import { DEFAULT_FAULT_SEED, FaultPlan, type FaultTargetFunction } from "./plan";
import { FaultRuleError } from "./rules";

/** `--faults "<rules>" [--seed <n>]` as a plan; neither flag means no faults at all. */
export function faultPlanFromFlags(rules: string | undefined, seed: string | undefined): FaultPlan | undefined {
  if (seed !== undefined && !/^\d{1,9}$/.test(seed)) throw new FaultRuleError(`--seed takes a whole number, not '${seed}'`);
  if (rules === undefined) {
    if (seed !== undefined) throw new FaultRuleError("--seed needs --faults: it seeds the faults' coin flips");
    return undefined;
  }
  return new FaultPlan(rules, seed === undefined ? DEFAULT_FAULT_SEED : Number(seed));
}

/** What start prints once the program is deployed: the plan, and any rule that names no function. */
export function faultPlanText(plan: FaultPlan, functions: readonly FaultTargetFunction[]): string {
  const unknown = plan.unknownTargets(functions).map((problem) => `  ! ${problem}`);
  return [plan.describe(), ...unknown].join("\n");
}
