import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { writeWhole } from "./write-whole";

/** `.sandbox/outputs.json`: the stack outputs as `pulumi stack output --json` shows them, plus how to reach the sandbox. */
export interface SandboxOutputs extends Record<string, unknown> {
  awsEndpoint: string;
  region: string;
  /** The sandbox's console in the browser. */
  consoleUrl: string;
  /** Secrets the sandbox generated for the stack's config (qualified key to value): clients need them. */
  secrets: Record<string, string>;
}

export const outputsFile = (stateDir: string) => join(stateDir, "outputs.json");

export function writeOutputs(stateDir: string, outputs: SandboxOutputs): string {
  const file = outputsFile(stateDir);
  mkdirSync(dirname(file), { recursive: true });
  writeWhole(file, `${JSON.stringify(outputs, null, 2)}\n`, 0o600);
  return file;
}

export function readOutputs(stateDir: string): SandboxOutputs {
  try {
    return JSON.parse(readFileSync(outputsFile(stateDir), "utf8")) as SandboxOutputs;
  } catch {
    throw new Error(`no running sandbox found (${outputsFile(stateDir)} is missing): start one with \`npm start\``);
  }
}
