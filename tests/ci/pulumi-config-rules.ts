import * as fs from "node:fs";
import { parse as parseYaml } from "yaml";

/**
 * The checks the Pulumi CLI makes of a stack's config against the project's declared keys before
 * `up`, `preview`, `refresh` and `destroy` run anything (its workspace package, `mergeConfig` and
 * `validateStackConfigValue`), restated so that CI paths can be checked offline:
 * - a key declared in the project's namespace, with neither `default` nor `value`, must be set;
 * - a missing key with a default gets the default, as a plaintext value;
 * - a key declared `secret: true` must then hold an encrypted (`secure:`) value, default or not;
 * - a value must be of the declared type.
 */

interface DeclaredKey {
  type?: "string" | "integer" | "boolean" | "array";
  default?: unknown;
  value?: unknown;
  secret?: boolean;
}

export interface ProjectFile {
  name: string;
  config?: Record<string, DeclaredKey>;
}

/** A stack file's `config:` block: plain values, or `{ secure: "..." }` for encrypted ones. */
export type StackConfig = Record<string, unknown>;

export function readProject(file: string): ProjectFile {
  return parseYaml(fs.readFileSync(file, "utf8")) as ProjectFile;
}

export function readStackConfig(file: string): StackConfig {
  return ((parseYaml(fs.readFileSync(file, "utf8")) as { config?: StackConfig } | null)?.config ?? {}) as StackConfig;
}

const qualified = (project: string, key: string) => (key.includes(":") ? key : `${project}:${key}`);
const isSecure = (value: unknown) => typeof value === "object" && value !== null && "secure" in value;

function formatKeys(keys: string[]): string {
  const sorted = [...keys].sort();
  if (sorted.length === 1) return `'${sorted[0]}'`;
  return `${sorted
    .slice(0, -1)
    .map((key) => `'${key}'`)
    .join(", ")} and '${sorted[sorted.length - 1]}'`;
}

function ofType(type: DeclaredKey["type"], value: unknown): boolean {
  switch (type) {
    case "integer":
      return Number.isInteger(typeof value === "string" ? Number(value) : value);
    case "boolean":
      return value === true || value === false || value === "true" || value === "false";
    case "array":
      return Array.isArray(value);
    default:
      return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
  }
}

/** The CLI's error for this stack config, or undefined when the CLI would go on. */
export function cliConfigError(stack: string, project: ProjectFile, stackConfig: StackConfig): string | undefined {
  const merged: StackConfig = { ...stackConfig };
  const missing: string[] = [];
  const declared = Object.entries(project.config ?? {}).sort(([left], [right]) => left.localeCompare(right));
  for (const [name, spec] of declared) {
    const key = qualified(project.name, name);
    if (key in merged) continue;
    const inProjectNamespace = key.startsWith(`${project.name}:`);
    if (spec.default === undefined && spec.value === undefined) {
      if (inProjectNamespace) missing.push(name);
      continue;
    }
    merged[key] = spec.default ?? spec.value;
  }
  if (missing.length > 0) {
    return `Stack '${stack}' is missing configuration value${missing.length > 1 ? "s" : ""} ${formatKeys(missing)}`;
  }
  for (const [name, spec] of declared) {
    const key = qualified(project.name, name);
    if (!(key in merged) || spec.type === undefined) continue;
    const value = merged[key];
    if (spec.secret && !isSecure(value)) return `Stack '${stack}' with configuration key '${name}' must be encrypted as it's secret`;
    if (!isSecure(value) && !ofType(spec.type, value))
      return `Stack '${stack}' with configuration key '${name}' must be of type '${spec.type}'`;
  }
  return undefined;
}
