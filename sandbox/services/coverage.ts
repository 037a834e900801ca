import type { Coverage } from "../model/resource-type";
import type { RecordedResource } from "../model/recorded";
import { resourceTypes } from "./resource-types";

/** Inputs any type may carry that only AWS reads. */
const alwaysNoLocalEffect = ["name", "namePrefix", "tags", "tagsAll", "description", "region"];

export function coverageOf(resource: RecordedResource): Coverage | undefined {
  // A provider plugin's component stands for resources the sandbox never sees.
  if (resource.remote) return "not emulated";
  // Providers and components exist only in the program.
  if (!resource.custom || resource.type.startsWith("pulumi:providers:")) return undefined;
  return resourceTypes.get(resource.type)?.coverage ?? "not emulated";
}

/** Resource types grouped by coverage, each with how many the program declared. */
export function coverageReport(resources: RecordedResource[]): Map<Coverage, Map<string, number>> {
  const report = new Map<Coverage, Map<string, number>>();
  for (const resource of resources) {
    const coverage = coverageOf(resource);
    if (!coverage) continue;
    const byType = report.get(coverage) ?? new Map<string, number>();
    byType.set(resource.type, (byType.get(resource.type) ?? 0) + 1);
    report.set(coverage, byType);
  }
  return report;
}

/** Whether an input was set to something: absent, empty and false are the same as unset. */
function isSet(value: unknown): boolean {
  if (value === undefined || value === null || value === "" || value === false) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return true;
}

/**
 * Inputs of emulated resources that the sandbox does not honour, each with what that means here:
 * nothing the program asks for is dropped without a word.
 */
export function unhonouredInputs(resources: RecordedResource[]): string[] {
  const lines: string[] = [];
  for (const resource of resources) {
    const known = resourceTypes.get(resource.type);
    if (known?.coverage !== "emulated") continue;
    for (const [input, value] of Object.entries(resource.inputs)) {
      if (input.startsWith("__") || !isSet(value)) continue;
      if (alwaysNoLocalEffect.includes(input) || known.honoured?.includes(input) || known.noLocalEffect?.includes(input)) continue;
      const type = resource.type.replace(/^aws:/, "").replace(/:.*$/, "");
      lines.push(`${type} ${resource.name}: ${input} is not honoured: ${known.meaning?.[input] ?? "the sandbox ignores it"}`);
    }
  }
  return lines;
}
