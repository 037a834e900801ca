import { createHash } from "node:crypto";
import { isBucketType } from "./resource-index";

/**
 * Pulumi autonames a resource `<logical>-<7 random hex>` and keeps the name in its state. The
 * sandbox has no state file, so the suffix is derived from the stack, type and logical name: the
 * same program gets the same table on every start, which is what makes table data persist.
 */
export function stableSuffix(...parts: string[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 7);
}

/** Types whose input makes them FIFO; Pulumi's autonaming then adds the `.fifo` suffix AWS requires of the name. */
const fifoInputOf: Partial<Record<string, string>> = { "aws:sqs/queue:Queue": "fifoQueue" };

export function physicalName(inputs: Record<string, unknown>, stack: string, type: string, logicalName: string, nameKey = "name"): string {
  const given = inputs[nameKey];
  if (typeof given === "string" && given) return given;
  const prefix = inputs[`${nameKey}Prefix`];
  const suffix = stableSuffix(stack, type, logicalName);
  const fifoInput = fifoInputOf[type];
  const fifo = fifoInput !== undefined && inputs[fifoInput] === true ? ".fifo" : "";
  if (typeof prefix === "string") return `${prefix}${suffix}${fifo}`;
  const base = isBucketType(type) ? logicalName.toLowerCase().replace(/[^a-z0-9.-]/g, "-") : logicalName;
  return `${base}-${suffix}${fifo}`;
}
