/**
 * Argument checks of a component, run before it creates anything: every failed check is listed in
 * one error that names the component, the value and what to use instead.
 */
export function validate(component: string, checks: ReadonlyArray<readonly [boolean, string]>): void {
  const failures = checks.filter(([ok]) => !ok).map(([, message]) => `  - ${message}`);
  if (failures.length > 0) throw new Error(`${component}: invalid arguments:\n${failures.join("\n")}`);
}

export function isIntegerIn(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/** `*`, or an origin as browsers send it: scheme, host and an optional port, nothing after. */
export function isCorsOrigin(origin: string): boolean {
  return origin === "*" || /^https?:\/\/[^/\s:]+(:\d{1,5})?$/.test(origin);
}
