import { integerProblem, type IntegerSetting } from "./setting-rules";

/**
 * Argument checks of a component, run before it creates anything: every failed check is listed in
 * one error that names the component, the value and what to use instead.
 */
export function validate(component: string, checks: ReadonlyArray<readonly [boolean, string]>): void {
  const failures = checks.filter(([ok]) => !ok).map(([, message]) => `  - ${message}`);
  if (failures.length > 0) throw new Error(`${component}: invalid arguments:\n${failures.join("\n")}`);
}

/** A check of an integer argument against its setting's limits: `memorySize 64 must be an integer from 128 to 10240 MB`. */
export function integerCheck(label: string, value: number, setting: IntegerSetting): readonly [boolean, string] {
  const problem = integerProblem(setting, value);
  return [problem === undefined, `${label} ${value} ${problem}`];
}
