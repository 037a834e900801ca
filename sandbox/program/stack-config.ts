import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { parse as parseYaml } from "yaml";
import { sandboxAccountId, sandboxRegion } from "../shared/constants";

interface ProjectFile {
  name: string;
  config?: Record<string, { default?: unknown; secret?: boolean } | string | number | boolean>;
}

export interface StackConfig {
  project: string;
  config: Record<string, string>;
  secretKeys: string[];
  /** The secrets the sandbox generated (qualified key to value), for outputs.json and the banner. */
  generatedSecrets: Record<string, string>;
}

const qualified = (project: string, key: string) => (key.includes(":") ? key : `${project}:${key}`);
const asConfigString = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

/**
 * A complete config for the sandbox's stack, built as the CLI would build it: the defaults
 * declared in Pulumi.yaml, then the stack's file `Pulumi.<stack>.yaml`, then what the sandbox fixes
 * (region, the local account), then overrides given to the sandbox (`--config`; tests use them).
 * A secret the sandbox holds no plaintext for (encrypted in the stack file, which needs the CLI's
 * key, or declared `secret: true` with no value) gets a random value generated for this sandbox and
 * kept in its state directory, so a restart does not invalidate what clients hold.
 */
export function sandboxStackConfig(options: {
  programDir: string;
  stateDir: string;
  stack: string;
  overrides?: Record<string, string>;
}): StackConfig {
  const project = parseYaml(readFileSync(join(options.programDir, "Pulumi.yaml"), "utf8")) as ProjectFile;
  const config: Record<string, string> = {};
  const secretKeys = new Set<string>();
  const toGenerate = new Set<string>();
  for (const [key, declared] of Object.entries(project.config ?? {})) {
    const spec = typeof declared === "object" && declared !== null ? declared : { default: declared };
    const name = qualified(project.name, key);
    if (spec.secret) secretKeys.add(name);
    if (spec.default !== undefined) config[name] = asConfigString(spec.default);
    else if (spec.secret) toGenerate.add(name);
  }
  const stackFile = join(options.programDir, `Pulumi.${options.stack}.yaml`);
  if (existsSync(stackFile)) {
    const stackConfig = (parseYaml(readFileSync(stackFile, "utf8")) as { config?: Record<string, unknown> } | null)?.config ?? {};
    for (const [key, value] of Object.entries(stackConfig)) {
      const name = qualified(project.name, key);
      if (value && typeof value === "object" && "secure" in value) {
        secretKeys.add(name);
        toGenerate.add(name);
        continue;
      }
      toGenerate.delete(name);
      config[name] = asConfigString(value);
    }
  }
  Object.assign(config, { "aws:region": sandboxRegion, "aws:allowedAccountIds": JSON.stringify([sandboxAccountId]) });
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    const name = qualified(project.name, key);
    toGenerate.delete(name);
    config[name] = value;
  }
  const generatedSecrets = generatedValues(join(options.stateDir, "secrets.json"), [...toGenerate].sort());
  Object.assign(config, generatedSecrets);
  return { project: project.name, config, secretKeys: [...secretKeys], generatedSecrets };
}

/** Each key's value from the file, generated and saved for the keys it lacks. */
function generatedValues(file: string, keys: string[]): Record<string, string> {
  let saved: Record<string, string> = {};
  if (existsSync(file)) saved = JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
  const missing = keys.filter((key) => saved[key] === undefined);
  if (missing.length > 0) {
    for (const key of missing) saved[key] = `sbx_${randomBytes(24).toString("base64url")}`;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o600 });
  }
  return Object.fromEntries(keys.map((key) => [key, saved[key]]));
}
