/**
 * Each setting's default and limits, and the rules between settings, in one table: `config.ts`
 * checks stack config with it, the components check their arguments with it, and tests hold
 * `Pulumi.yaml`'s defaults and docs/configuration.md to it.
 */

export interface IntegerSetting {
  readonly default: number;
  readonly min: number;
  readonly max: number;
  /** Said after the range: `from 1 to 900 seconds`. */
  readonly unit?: string;
  /** Why the range is what it is, when AWS does not say it in its own error. */
  readonly why?: string;
  /** The only values AWS accepts within the range. */
  readonly allowed?: readonly number[];
}

/** Keyed by the setting's config key (`job-offers:<key>`). */
export const INTEGER_SETTINGS = {
  readCapacity: { default: 5, min: 1, max: 40_000 },
  writeCapacity: { default: 5, min: 1, max: 40_000 },
  maxReceiveCount: { default: 4, min: 1, max: 1000 },
  memorySize: { default: 512, min: 128, max: 10_240, unit: "MB" },
  ingestTimeout: { default: 300, min: 1, max: 900, unit: "seconds" },
  consumerTimeout: { default: 30, min: 1, max: 900, unit: "seconds" },
  consumerBatchSize: { default: 10, min: 1, max: 10_000 },
  consumerBatchWindow: { default: 0, min: 0, max: 300, unit: "seconds" },
  consumerMaxConcurrency: { default: 5, min: 2, max: 1000 },
  apiTimeout: { default: 10, min: 1, max: 29, unit: "seconds", why: "API Gateway gives up on an integration after 30 s" },
  apiThrottleRate: { default: 50, min: 1, max: 10_000, unit: "requests per second" },
  apiThrottleBurst: { default: 100, min: 1, max: 5_000, unit: "requests" },
  logRetentionDays: {
    default: 14,
    min: 1,
    max: 3653,
    unit: "days",
    allowed: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653],
  },
  queueAgeAlarmSeconds: { default: 900, min: 60, max: 1_209_600, unit: "seconds" },
} as const satisfies Record<string, IntegerSetting>;

export type IntegerSettingKey = keyof typeof INTEGER_SETTINGS;

export const DEFAULT_UPLOAD_PREFIX = "job_offers/";
export const DEFAULT_REPORT_PREFIX = "reports/";
export const DEFAULT_CORS_ALLOW_ORIGINS: readonly string[] = ["*"];
export const BILLING_MODES = ["PAY_PER_REQUEST", "PROVISIONED"] as const;
/** SQS hands a function at most this many messages at once unless a batching window is set. */
export const MAX_BATCH_WITHOUT_WINDOW = 10;

/** `from 1 to 29 seconds (API Gateway gives up on an integration after 30 s)`. */
export function rangeOf(setting: IntegerSetting): string {
  const range = `from ${setting.min} to ${setting.max}${setting.unit ? ` ${setting.unit}` : ""}`;
  return setting.why ? `${range} (${setting.why})` : range;
}

export function isWithin(setting: IntegerSetting, value: number): boolean {
  return Number.isInteger(value) && value >= setting.min && value <= setting.max;
}

/** The problem with a value, or undefined: `must be an integer from 1 to 900 seconds`, or the allowed values. */
export function integerProblem(setting: IntegerSetting, value: number): string | undefined {
  if (!isWithin(setting, value)) return `must be an integer ${rangeOf(setting)}`;
  if (setting.allowed && !setting.allowed.includes(value)) return `must be one of ${setting.allowed.join(", ")}`;
  return undefined;
}

/** An S3 key prefix as the bucket notification and the reports use it: not from the root, ending with `/`. */
export function isKeyPrefix(prefix: string): boolean {
  return /^[^/].*\/$/.test(prefix);
}

/** Whether one prefix contains the other: objects written under one would count as the other's. */
export function prefixesOverlap(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

export function isEmailAddress(address: string): boolean {
  return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(address);
}

/** SQS refuses a batch size above 10 without a batching window. */
export function batchNeedsWindow(batchSize: number, batchWindow: number): boolean {
  return batchSize > MAX_BATCH_WITHOUT_WINDOW && batchWindow === 0;
}

/** `*`, or an origin as browsers send it: scheme, host and an optional port, nothing after. */
export function isCorsOrigin(origin: string): boolean {
  return origin === "*" || /^https?:\/\/[^/\s:]+(:\d{1,5})?$/.test(origin);
}
