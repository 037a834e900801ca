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

/**
 * An id AWS generates at creation and Pulumi keeps in its state (an event source mapping's UUID, a
 * subscription's ARN suffix), derived like `stableSuffix`: a stack deployed again keeps its ids, so
 * a restart's confirming run answers what the recorded deployment holds.
 */
export function stableUuid(...parts: string[]): string {
  const hex = createHash("sha256").update(parts.join("\u0000")).digest("hex");
  // RFC 9562's layout: version 8 (custom), variant 10.
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

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
