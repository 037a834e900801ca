import { createHash } from "node:crypto";

/** API Gateway ids are 10 lower-case alphanumerics; integrations, routes and authorizers 7. */
export function gatewayId(length: number, ...parts: string[]): string {
  const digest = createHash("sha256").update(parts.join("\u0000")).digest();
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  return [...digest.subarray(0, length)].map((byte) => alphabet[byte % alphabet.length]).join("");
}
