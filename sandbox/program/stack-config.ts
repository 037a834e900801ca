import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { userInfo } from "node:os";
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
  /** The generated API token (also in `config`), for outputs.json and the "try it" hint. */
  apiToken: string;
}

const qualified = (project: string, key: string) => (key.includes(":") ? key : `${project}:${key}`);
const asConfigString = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

/**
 * A complete config for the `sandbox` stack, built as the CLI would build it: the defaults
 * declared in Pulumi.yaml, then `Pulumi.sandbox.yaml` if the developer keeps one, then what the
 * sandbox fixes (region, the local account, the owner, a generated token), then overrides given
 * to the sandbox (tests use them, e.g. for short timeouts). The program's own guards then pass
 * without special cases.
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
  for (const [key, declared] of Object.entries(project.config ?? {})) {
    const spec = typeof declared === "object" && declared !== null ? declared : { default: declared };
    if (spec.secret) secretKeys.add(qualified(project.name, key));
    if (spec.default !== undefined) config[qualified(project.name, key)] = asConfigString(spec.default);
  }
  const stackFile = join(options.programDir, `Pulumi.${options.stack}.yaml`);
  if (existsSync(stackFile)) {
    const stackConfig = (parseYaml(readFileSync(stackFile, "utf8")) as { config?: Record<string, unknown> })?.config ?? {};
    for (const [key, value] of Object.entries(stackConfig)) {
      if (value && typeof value === "object" && "secure" in value) continue; // encrypted: needs the CLI
      config[qualified(project.name, key)] = asConfigString(value);
    }
  }
  const apiToken = persistentToken(join(options.stateDir, "api-token"));
  const tokenKey = qualified(project.name, "apiToken");
  Object.assign(config, {
    "aws:region": sandboxRegion,
    "aws:allowedAccountIds": JSON.stringify([sandboxAccountId]),
    [qualified(project.name, "owner")]: userInfo().username,
    [tokenKey]: apiToken,
  });
  secretKeys.add(tokenKey);
  for (const [key, value] of Object.entries(options.overrides ?? {})) config[qualified(project.name, key)] = value;
  return { project: project.name, config, secretKeys: [...secretKeys], apiToken: config[tokenKey] };
}

/** Generated once and kept under .sandbox/, so a restart does not invalidate what clients hold. */
function persistentToken(file: string): string {
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const token = `sbx_${randomBytes(24).toString("base64url")}`;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}
