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

/**
 * Reads the project's keys (stack value, else Pulumi.yaml's default) and collects every problem,
 * so one run tells the user everything to fix.
 */
class ConfigReader {
  readonly problems: string[] = [];
  readonly aws = new pulumi.Config("aws");
  private readonly config = new pulumi.Config();
  private readonly declared = declaredConfig();

  constructor(readonly project: string) {}

  problem(message: string): void {
    this.problems.push(message);
  }

  private raw(key: string): unknown {
    return this.config.get(key) ?? this.declared[key]?.default;
  }

  string(key: string): string {
    const value = this.raw(key);
    return typeof value === "string" ? value : "";
  }

  integer(key: IntegerSettingKey): number {
    const setting = INTEGER_SETTINGS[key];
    const raw = this.raw(key);
    const value = typeof raw === "number" ? raw : Number(raw);
    const problem = integerProblem(setting, value);
    if (!problem) return value;
    this.problem(
      `${this.project}:${key} is ${JSON.stringify(raw)}; it ${problem}: pulumi config set ${this.project}:${key} ${setting.default}`,
    );
    return setting.default;
  }

  strings(key: string, fix: string): string[] {
    const raw = this.raw(key);
    let value: unknown = raw;
    try {
      if (typeof raw === "string") value = JSON.parse(raw);
    } catch {
      // Reported below, with the value as given.
    }
    if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value;
    this.problem(`${this.project}:${key} is ${JSON.stringify(raw)}; it must be a list of strings: ${fix}`);
    return [];
  }

  boolean(key: string): boolean {
    const raw = this.raw(key);
    if (raw === true || raw === "true") return true;
    if (raw === false || raw === "false" || raw === undefined) return false;
    this.problem(
      `${this.project}:${key} is ${JSON.stringify(raw)}; it must be true or false: pulumi config set ${this.project}:${key} true`,
    );
    return false;
  }

  throwIfAny(stack: string): void {
    if (this.problems.length === 0) return;
    const lines = this.problems.map((message) => `  - ${message}`).join("\n");
    // A RunError prints its message without a stack trace: the message is the whole story.
    throw new pulumi.RunError(`stack '${stack}' cannot be deployed:\n${lines}`);
  }
}

export function loadSettings(): Settings {
  const project = pulumi.getProject();
  const stack = pulumi.getStack();
  const stackKind = stackKindOf(stack);
  const read = new ConfigReader(project);

  const region = readRegion(read);
  const allowedAccountIds = readAccountIds(read);
  const owner = readOwner(read, stackKind);
  checkDeployedFromCi(read, stack, stackKind);
  const apiToken = readApiToken(read);
  const { uploadPrefix, reportPrefix } = readPrefixes(read);
  const table = readTable(read);
  const functions = { logRetentionDays: read.integer("logRetentionDays"), memorySize: read.integer("memorySize") };
  const ingest = readIngest(read);
  const api = readApi(read);
  const alarms = readAlarms(read);
  warnAboutProfile(read);
  read.throwIfAny(stack);

  return {
    project,
    stack,
    stackKind,
    region,
    allowedAccountIds,
    owner,
    apiToken,
    protectData: stack === "prod",
    tags: { project, stack, owner: owner || stackKind },
    uploadPrefix,
    reportPrefix,
    table,
    functions,
    ingest,
    api,
    alarms,
  };
}

function readRegion(read: ConfigReader): string {
  const region = read.aws.get("region") ?? "";
  if (!region) read.problem(`aws:region is not set; pin the stack's region: pulumi config set aws:region eu-west-3`);
  return region;
}

function readAccountIds(read: ConfigReader): string[] {
  const fix = `pin the AWS account this stack deploys to: pulumi config set --path 'aws:allowedAccountIds[0]' 123456789012`;
  let ids: unknown;
  try {
    ids = read.aws.getObject<unknown>("allowedAccountIds");
  } catch {
    read.problem(`aws:allowedAccountIds is not a list of account IDs; ${fix}`);
    return [];
  }
  if (ids === undefined) {
    read.problem(`aws:allowedAccountIds is not set, so credentials for any account could deploy this stack; ${fix}`);
    return [];
  }
  const list = Array.isArray(ids) ? ids.map(String) : [];
  if (list.length === 0 || !list.every((id) => /^\d{12}$/.test(id))) {
    read.problem(`aws:allowedAccountIds is ${JSON.stringify(ids)}; it must list 12-digit account IDs: ${fix}`);
  }
  return list;
}

function readOwner(read: ConfigReader, stackKind: StackKind): string {
  const owner = read.string("owner").trim();
  if (stackKind === "personal" && !owner) {
    read.problem(
      `${read.project}:owner is not set; a personal stack names its owner: pulumi config set ${read.project}:owner <your-name> ` +
        `(or create the stack with npm run stack:new)`,
    );
  }
  return owner;
}

function checkDeployedFromCi(read: ConfigReader, stack: string, stackKind: StackKind): void {
  if (stackKind !== "shared" || process.env.CI || read.boolean("allowLocalDeploy")) return;
  read.problem(
    `'${stack}' is a shared stack and shared stacks deploy from CI only (the CI environment variable is not set); ` +
      `deploy your own personal stack instead, or allow local deploys of this stack with ` +
      `pulumi config set ${read.project}:allowLocalDeploy true --stack ${stack}`,
  );
}

/** The token as a secret; read raw first so a missing, short or plaintext token is caught now. */
function readApiToken(read: ConfigReader): pulumi.Output<string> {
  const tokenKey = `${read.project}:apiToken`;
  const rawToken = pulumi.runtime.getConfig(tokenKey);
  const setToken = `pulumi config set --secret ${tokenKey} "$(openssl rand -hex 32)"`;
  if (!rawToken) {
    read.problem(`${tokenKey} is not set; API writes need a bearer token: ${setToken}`);
  } else if (rawToken.length < MIN_API_TOKEN_LENGTH) {
    read.problem(`${tokenKey} is shorter than ${MIN_API_TOKEN_LENGTH} characters; use a random one: ${setToken}`);
  } else if (!isStoredEncrypted(tokenKey)) {
    // Pulumi.yaml cannot declare the key `secret: true` (destroy without a stack file would fail),
    // so the program makes the check the CLI would have made.
    read.problem(`${tokenKey} is stored in plaintext in the stack's config; store it encrypted: ${setToken}`);
  }
  return pulumi.secret(rawToken ?? "");
}

function readPrefixes(read: ConfigReader): { uploadPrefix: string; reportPrefix: string } {
  const { project } = read;
  const uploadPrefix = read.string("uploadPrefix");
  const reportPrefix = read.string("reportPrefix");
  for (const [key, prefix, example] of [
    ["uploadPrefix", uploadPrefix, DEFAULT_UPLOAD_PREFIX],
    ["reportPrefix", reportPrefix, DEFAULT_REPORT_PREFIX],
  ] as const) {
    if (!isKeyPrefix(prefix)) {
      read.problem(
        `${project}:${key} is '${prefix}'; it must be a key prefix ending with '/': pulumi config set ${project}:${key} ${example}`,
      );
    }
  }
  if (uploadPrefix && reportPrefix && prefixesOverlap(uploadPrefix, reportPrefix)) {
    read.problem(
      `${project}:reportPrefix '${reportPrefix}' overlaps ${project}:uploadPrefix '${uploadPrefix}'; reports would trigger ingestion: ` +
        `choose prefixes that do not contain each other`,
    );
  }
  return { uploadPrefix, reportPrefix };
}

function readTable(read: ConfigReader): Settings["table"] {
  const billingMode = read.string("billingMode");
  if (!(BILLING_MODES as readonly string[]).includes(billingMode)) {
    read.problem(
      `${read.project}:billingMode is '${billingMode}'; it must be ${BILLING_MODES.join(" or ")}: ` +
        `pulumi config set ${read.project}:billingMode ${BILLING_MODES[0]}`,
    );
  }
  return {
    billingMode: billingMode as BillingMode,
    readCapacity: read.integer("readCapacity"),
    writeCapacity: read.integer("writeCapacity"),
  };
}

function readIngest(read: ConfigReader): Settings["ingest"] {
  const consumer = {
    timeout: read.integer("consumerTimeout"),
    batchSize: read.integer("consumerBatchSize"),
    batchWindow: read.integer("consumerBatchWindow"),
    maxConcurrency: read.integer("consumerMaxConcurrency"),
  };
  if (batchNeedsWindow(consumer.batchSize, consumer.batchWindow)) {
    read.problem(
      `${read.project}:consumerBatchSize is ${consumer.batchSize}; SQS batches above ${MAX_BATCH_WITHOUT_WINDOW} need a batching window: ` +
        `pulumi config set ${read.project}:consumerBatchWindow 1`,
    );
  }
  return { timeout: read.integer("ingestTimeout"), maxReceiveCount: read.integer("maxReceiveCount"), consumer };
}

function readApi(read: ConfigReader): Settings["api"] {
  const timeout = read.integer("apiTimeout");
  const setOrigins = `pulumi config set --path '${read.project}:corsAllowOrigins[0]' https://jobs.example.com`;
  const corsAllowOrigins = read.strings("corsAllowOrigins", setOrigins);
  if (corsAllowOrigins.length === 0 || !corsAllowOrigins.every(isCorsOrigin)) {
    read.problem(
      `${read.project}:corsAllowOrigins is ${JSON.stringify(corsAllowOrigins)}; list "*" or origins such as https://jobs.example.com ` +
        `(scheme, host, optional port; no path): ${setOrigins}`,
    );
  }
  return { timeout, throttleRate: read.integer("apiThrottleRate"), throttleBurst: read.integer("apiThrottleBurst"), corsAllowOrigins };
}

function readAlarms(read: ConfigReader): Settings["alarms"] {
  const email = read.string("alarmEmail").trim();
  if (email && !isEmailAddress(email)) {
    read.problem(
      `${read.project}:alarmEmail '${email}' is not an e-mail address: pulumi config set ${read.project}:alarmEmail ops@example.com`,
    );
  }
  return { email: email || undefined, maxMessageAgeSeconds: read.integer("queueAgeAlarmSeconds") };
}

/**
 * A provider input is stored in the stack's state, and a teammate or CI without that profile could
 * then not refresh or destroy the stack: credentials come from the environment instead.
 */
function warnAboutProfile(read: ConfigReader): void {
  const awsProfile = read.aws.get("profile");
  if (!awsProfile) return;
  pulumi.log.warn(
    `aws:profile '${awsProfile}' is not used: a profile in the provider would be stored in the stack's state and ` +
      `bind every later update and destroy to it. Choose credentials outside the stack: export AWS_PROFILE=${awsProfile} ` +
      `(and pulumi config rm aws:profile)`,
  );
}

/**
 * Whether the CLI handed the program this key as a secret (`pulumi config set --secret`). The SDK
 * exports the check at run time but leaves it out of its typings.
 */
function isStoredEncrypted(key: string): boolean {
  const { isConfigSecret } = pulumi.runtime as unknown as { isConfigSecret: (key: string) => boolean };
  return isConfigSecret(key);
}
