import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import {
  batchNeedsWindow,
  BILLING_MODES,
  DEFAULT_REPORT_PREFIX,
  DEFAULT_UPLOAD_PREFIX,
  INTEGER_SETTINGS,
  integerProblem,
  isCorsOrigin,
  isEmailAddress,
  isKeyPrefix,
  MAX_BATCH_WITHOUT_WINDOW,
  prefixesOverlap,
  type IntegerSettingKey,
} from "./components/setting-rules";
import { stackKindOf, type StackKind } from "./stack-kinds";

/**
 * The only reader of `pulumi.Config`: every setting of the program, typed and checked before any
 * resource exists. Defaults come from `Pulumi.yaml`, the same block the CLI applies, because under
 * Pulumi mocks (tests, the sandbox) nothing applies them.
 */

export type BillingMode = (typeof BILLING_MODES)[number];

export interface Settings {
  readonly project: string;
  readonly stack: string;
  readonly stackKind: StackKind;
  readonly region: string;
  readonly allowedAccountIds: string[];
  readonly owner: string;
  /** The API token, as a Pulumi secret: it never appears in plaintext in state or outputs. */
  readonly apiToken: pulumi.Output<string>;
  /** `prod` keeps its data: protected and retained table and bucket, point-in-time recovery. */
  readonly protectData: boolean;
  readonly tags: Record<string, string>;
  readonly uploadPrefix: string;
  readonly reportPrefix: string;
  readonly table: {
    readonly billingMode: BillingMode;
    readonly readCapacity: number;
    readonly writeCapacity: number;
  };
  readonly functions: { readonly memorySize: number; readonly logRetentionDays: number };
  readonly ingest: {
    readonly timeout: number;
    readonly maxReceiveCount: number;
    readonly consumer: {
      readonly timeout: number;
      readonly batchSize: number;
      readonly batchWindow: number;
      readonly maxConcurrency: number;
    };
  };
  readonly api: {
    readonly timeout: number;
    readonly throttleRate: number;
    readonly throttleBurst: number;
    readonly corsAllowOrigins: string[];
  };
  readonly alarms: { readonly email?: string; readonly maxMessageAgeSeconds: number };
}

const MIN_API_TOKEN_LENGTH = 16;

interface Declared {
  type: "string" | "integer" | "boolean" | "array";
  default?: unknown;
}

/** The `config:` block of Pulumi.yaml: the keys, their types and their defaults. */
export function declaredConfig(projectFile = path.join(__dirname, "Pulumi.yaml")): Record<string, Declared> {
  const project = parseYaml(fs.readFileSync(projectFile, "utf8")) as { config?: Record<string, Declared> };
  return project.config ?? {};
}

/** Collects every problem, so one run tells the user everything to fix. */
class Problems {
  readonly messages: string[] = [];
  add(message: string): void {
    this.messages.push(message);
  }
  throwIfAny(stack: string): void {
    if (this.messages.length === 0) return;
    const lines = this.messages.map((message) => `  - ${message}`).join("\n");
    // A RunError prints its message without a stack trace: the message is the whole story.
    throw new pulumi.RunError(`stack '${stack}' cannot be deployed:\n${lines}`);
  }
}

export function loadSettings(): Settings {
  const project = pulumi.getProject();
  const stack = pulumi.getStack();
  const stackKind = stackKindOf(stack);
  const declared = declaredConfig();
  const config = new pulumi.Config();
  const awsConfig = new pulumi.Config("aws");
  const problems = new Problems();

  const stringOf = (key: string): string => {
    const value = config.get(key) ?? declared[key]?.default;
    return typeof value === "string" ? value : "";
  };
  const integerOf = (key: IntegerSettingKey): number => {
    const setting = INTEGER_SETTINGS[key];
    const raw = config.get(key) ?? declared[key]?.default;
    const value = typeof raw === "number" ? raw : Number(raw);
    const problem = integerProblem(setting, value);
    if (problem) {
      problems.add(`${project}:${key} is ${JSON.stringify(raw)}; it ${problem}: pulumi config set ${project}:${key} ${setting.default}`);
      return setting.default;
    }
    return value;
  };
  const stringsOf = (key: string, fix: string): string[] => {
    const raw = config.get(key) ?? declared[key]?.default;
    let value: unknown = raw;
    try {
      if (typeof raw === "string") value = JSON.parse(raw);
    } catch {
      // Reported below, with the value as given.
    }
    if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value;
    problems.add(`${project}:${key} is ${JSON.stringify(raw)}; it must be a list of strings: ${fix}`);
    return [];
  };
  const booleanOf = (key: string): boolean => {
    const raw = config.get(key) ?? declared[key]?.default;
    if (raw === true || raw === "true") return true;
    if (raw === false || raw === "false" || raw === undefined) return false;
    problems.add(`${project}:${key} is ${JSON.stringify(raw)}; it must be true or false: pulumi config set ${project}:${key} true`);
    return false;
  };

  const region = awsConfig.get("region") ?? "";
  if (!region) problems.add(`aws:region is not set; pin the stack's region: pulumi config set aws:region eu-west-3`);

  const allowedAccountIds = readAccountIds(awsConfig, problems);

  const owner = stringOf("owner").trim();
  if (stackKind === "personal" && !owner) {
    problems.add(
      `${project}:owner is not set; a personal stack names its owner: pulumi config set ${project}:owner <your-name> ` +
        `(or create the stack with npm run stack:new)`,
    );
  }

  if (stackKind === "shared" && !process.env.CI && !booleanOf("allowLocalDeploy")) {
    problems.add(
      `'${stack}' is a shared stack and shared stacks deploy from CI only (the CI environment variable is not set); ` +
        `deploy your own personal stack instead, or allow local deploys of this stack with ` +
        `pulumi config set ${project}:allowLocalDeploy true --stack ${stack}`,
    );
  }

  // Read raw so a missing or short token is caught now; it is wrapped as a secret right after.
  const tokenKey = `${project}:apiToken`;
  const rawToken = pulumi.runtime.getConfig(tokenKey);
  const setToken = `pulumi config set --secret ${tokenKey} "$(openssl rand -hex 32)"`;
  if (!rawToken) {
    problems.add(`${project}:apiToken is not set; API writes need a bearer token: ${setToken}`);
  } else if (rawToken.length < MIN_API_TOKEN_LENGTH) {
    problems.add(`${project}:apiToken is shorter than ${MIN_API_TOKEN_LENGTH} characters; use a random one: ${setToken}`);
  } else if (!isStoredEncrypted(tokenKey)) {
    // Pulumi.yaml cannot declare the key `secret: true` (destroy without a stack file would fail),
    // so the program makes the check the CLI would have made.
    problems.add(`${project}:apiToken is stored in plaintext in the stack's config; store it encrypted: ${setToken}`);
  }

  const uploadPrefix = stringOf("uploadPrefix");
  const reportPrefix = stringOf("reportPrefix");
  for (const [key, prefix, example] of [
    ["uploadPrefix", uploadPrefix, DEFAULT_UPLOAD_PREFIX],
    ["reportPrefix", reportPrefix, DEFAULT_REPORT_PREFIX],
  ] as const) {
    if (!isKeyPrefix(prefix)) {
      problems.add(`${project}:${key} is '${prefix}'; it must be a key prefix ending with '/': pulumi config set ${project}:${key} ${example}`);
    }
  }
  if (uploadPrefix && reportPrefix && prefixesOverlap(uploadPrefix, reportPrefix)) {
    problems.add(`${project}:reportPrefix '${reportPrefix}' overlaps ${project}:uploadPrefix '${uploadPrefix}'; reports would trigger ingestion: choose prefixes that do not contain each other`);
  }

  const billingMode = stringOf("billingMode");
  if (!(BILLING_MODES as readonly string[]).includes(billingMode)) {
    problems.add(`${project}:billingMode is '${billingMode}'; it must be ${BILLING_MODES.join(" or ")}: pulumi config set ${project}:billingMode ${BILLING_MODES[0]}`);
  }

  const logRetentionDays = integerOf("logRetentionDays");

  const consumer = {
    timeout: integerOf("consumerTimeout"),
    batchSize: integerOf("consumerBatchSize"),
    batchWindow: integerOf("consumerBatchWindow"),
    maxConcurrency: integerOf("consumerMaxConcurrency"),
  };
  if (batchNeedsWindow(consumer.batchSize, consumer.batchWindow)) {
    problems.add(`${project}:consumerBatchSize is ${consumer.batchSize}; SQS batches above ${MAX_BATCH_WITHOUT_WINDOW} need a batching window: pulumi config set ${project}:consumerBatchWindow 1`);
  }
  const alarmEmail = stringOf("alarmEmail").trim();
  if (alarmEmail && !isEmailAddress(alarmEmail)) {
    problems.add(`${project}:alarmEmail '${alarmEmail}' is not an e-mail address: pulumi config set ${project}:alarmEmail ops@example.com`);
  }

  const apiTimeout = integerOf("apiTimeout");

  const setOrigins = `pulumi config set --path '${project}:corsAllowOrigins[0]' https://jobs.example.com`;
  const corsAllowOrigins = stringsOf("corsAllowOrigins", setOrigins);
  const badOrigins = corsAllowOrigins.filter((origin) => !isCorsOrigin(origin));
  if (badOrigins.length > 0 || corsAllowOrigins.length === 0) {
    problems.add(
      `${project}:corsAllowOrigins is ${JSON.stringify(corsAllowOrigins)}; list "*" or origins such as https://jobs.example.com ` +
        `(scheme, host, optional port; no path): ${setOrigins}`,
    );
  }

  const awsProfile = awsConfig.get("profile");
  if (awsProfile) {
    // A provider input is stored in the stack's state, and a teammate or CI without that profile
    // could then not refresh or destroy the stack: credentials come from the environment instead.
    pulumi.log.warn(
      `aws:profile '${awsProfile}' is not used: a profile in the provider would be stored in the stack's state and ` +
        `bind every later update and destroy to it. Choose credentials outside the stack: export AWS_PROFILE=${awsProfile} ` +
        `(and pulumi config rm aws:profile)`,
    );
  }

  const settings: Settings = {
    project,
    stack,
    stackKind,
    region,
    allowedAccountIds,
    owner,
    apiToken: pulumi.secret(rawToken ?? ""),
    protectData: stack === "prod",
    tags: { project, stack, owner: owner || stackKind },
    uploadPrefix,
    reportPrefix,
    table: {
      billingMode: billingMode as BillingMode,
      readCapacity: integerOf("readCapacity"),
      writeCapacity: integerOf("writeCapacity"),
    },
    functions: { memorySize: integerOf("memorySize"), logRetentionDays },
    ingest: {
      timeout: integerOf("ingestTimeout"),
      maxReceiveCount: integerOf("maxReceiveCount"),
      consumer,
    },
    api: {
      timeout: apiTimeout,
      throttleRate: integerOf("apiThrottleRate"),
      throttleBurst: integerOf("apiThrottleBurst"),
      corsAllowOrigins,
    },
    alarms: {
      email: alarmEmail || undefined,
      maxMessageAgeSeconds: integerOf("queueAgeAlarmSeconds"),
    },
  };
  problems.throwIfAny(stack);
  return settings;
}

/**
 * Whether the CLI handed the program this key as a secret (`pulumi config set --secret`). The SDK
 * exports the check at run time but leaves it out of its typings.
 */
function isStoredEncrypted(key: string): boolean {
  const { isConfigSecret } = pulumi.runtime as unknown as { isConfigSecret: (key: string) => boolean };
  return isConfigSecret(key);
}

function readAccountIds(awsConfig: pulumi.Config, problems: Problems): string[] {
  const fix = `pin the AWS account this stack deploys to: pulumi config set --path 'aws:allowedAccountIds[0]' 123456789012`;
  let ids: unknown;
  try {
    ids = awsConfig.getObject<unknown>("allowedAccountIds");
  } catch {
    problems.add(`aws:allowedAccountIds is not a list of account IDs; ${fix}`);
    return [];
  }
  if (ids === undefined) {
    problems.add(`aws:allowedAccountIds is not set, so credentials for any account could deploy this stack; ${fix}`);
    return [];
  }
  const list = Array.isArray(ids) ? ids.map(String) : [];
  if (list.length === 0 || !list.every((id) => /^\d{12}$/.test(id))) {
    problems.add(`aws:allowedAccountIds is ${JSON.stringify(ids)}; it must list 12-digit account IDs: ${fix}`);
  }
  return list;
}
