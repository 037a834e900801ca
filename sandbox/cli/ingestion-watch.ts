/**
 * What `npm run upload -- --wait` learns about one upload from the running sandbox: which of the
 * program's S3 notifications take the key (and where their failures go), and how the ingestion
 * stands. Everything is found through what the program declared, never restated.
 */
import { isBucketType } from "../model/resource-index";

export interface Resource {
  type: string;
  name: string;
  id: string;
  state: Record<string, unknown>;
  inputs?: Record<string, unknown>;
}

export interface NotificationRule {
  /** The function's logical name in the program, or the queue's name. */
  target: string;
  prefix: string;
  suffix: string;
  /** ARN of the queue the function's failed asynchronous invocations go to, if any. */
  onFailure?: string;
  /** Where the function writes its report of an object (its REPORT_PREFIX variable), if it writes one. */
  reportPrefix?: string;
}

const types = {
  notification: "aws:s3/bucketNotification:BucketNotification",
  function: "aws:lambda/function:Function",
  eventInvokeConfig: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
  queue: "aws:sqs/queue:Queue",
  eventSourceMapping: "aws:lambda/eventSourceMapping:EventSourceMapping",
};

const field = (resource: Resource, key: string): unknown => resource.inputs?.[key] ?? resource.state[key];

/** The object-created notifications of a bucket, one rule per target. */
export function notificationRules(resources: Resource[], bucket: string): NotificationRule[] {
  const functions = resources.filter((resource) => resource.type === types.function);
  const functionOf = (ref: unknown) => {
    const name = typeof ref === "string" && ref.startsWith("arn:") ? ref.split(":")[6] : ref;
    return functions.find((fn) => fn.state.name === name || fn.state.arn === ref);
  };
  const rules: NotificationRule[] = [];
  for (const notification of resources.filter((resource) => resource.type === types.notification && field(resource, "bucket") === bucket)) {
    const entries = (key: string) => (field(notification, key) as Array<Record<string, unknown>> | undefined) ?? [];
    const creates = (entry: Record<string, unknown>) =>
      ((entry.events as string[] | undefined) ?? []).some((event) => event.startsWith("s3:ObjectCreated:"));
    for (const entry of entries("lambdaFunctions").filter(creates)) {
      const fn = functionOf(entry.lambdaFunctionArn);
      const config = resources.find(
        (resource) => resource.type === types.eventInvokeConfig && fn && functionOf(field(resource, "functionName")) === fn,
      );
      const destination = (
        field(config ?? { type: "", name: "", id: "", state: {} }, "destinationConfig") as
          { onFailure?: { destination?: string } } | undefined
      )?.onFailure?.destination;
      const reportPrefix =
        fn && (field(fn, "environment") as { variables?: Record<string, unknown> } | undefined)?.variables?.REPORT_PREFIX;
      rules.push({
        target: fn?.name ?? String(entry.lambdaFunctionArn),
        prefix: String(entry.filterPrefix ?? ""),
        suffix: String(entry.filterSuffix ?? ""),
        ...(destination ? { onFailure: destination } : {}),
        ...(typeof reportPrefix === "string" ? { reportPrefix } : {}),
      });
    }
    for (const entry of entries("queues").filter(creates)) {
      rules.push({
        target: String(entry.queueArn).split(":").pop()!,
        prefix: String(entry.filterPrefix ?? ""),
        suffix: String(entry.filterSuffix ?? ""),
      });
    }
  }
  return rules;
}

/** What a rule takes, as a user reads it: `incoming/*.csv`. */
const pattern = (rule: NotificationRule) => `'${rule.prefix}*${rule.suffix}'`;

/**
 * The bucket an upload goes to: the one declared bucket with a notification for created objects,
 * or the one `--bucket` names. Anything else is a message that lists the choices.
 */
export function uploadBucket(resources: Resource[], requested: string | undefined): string {
  const declared = resources
    .filter((resource) => isBucketType(resource.type))
    .map((bucket) => String(field(bucket, "bucket") ?? bucket.id));
  if (requested !== undefined) {
    if (declared.includes(requested)) return requested;
    throw new Error(
      `--bucket ${requested}: the program declares no such bucket (${declared.length > 0 ? `its buckets: ${declared.join(", ")}` : "it declares none"})`,
    );
  }
  const notified = declared
    .map((bucket) => ({ bucket, rules: notificationRules(resources, bucket) }))
    .filter(({ rules }) => rules.length > 0);
  if (notified.length === 1) return notified[0].bucket;
  if (notified.length > 1) {
    const choices = notified.map(
      ({ bucket, rules }) => `${bucket} (${rules.map((rule) => `${rule.target} takes ${pattern(rule)}`).join("; ")})`,
    );
    throw new Error(`several buckets have a notification for created objects: choose one with --bucket <name>:\n  ${choices.join("\n  ")}`);
  }
  throw new Error(
    `the program declares no bucket with a notification for created objects, so nothing would ingest an upload${declared.length > 0 ? `; to upload anyway, choose one with --bucket <name> (its buckets: ${declared.join(", ")})` : ""}`,
  );
}

/**
 * The key of an upload: the notification's prefix and the file's name. The rules whose suffix the
 * name has decide; when their prefixes differ, the message lists them and `--key` chooses.
 */
export function uploadKey(rules: NotificationRule[], fileName: string): string {
  const fitting = rules.filter((rule) => fileName.endsWith(rule.suffix));
  const prefixes = [...new Set((fitting.length > 0 ? fitting : rules).map((rule) => rule.prefix))];
  if (prefixes.length <= 1) return `${prefixes[0] ?? ""}${fileName}`;
  throw new Error(
    `the bucket's notifications take different prefixes: choose the key with --key <key>:\n  ${(fitting.length > 0 ? fitting : rules).map((rule) => `${rule.target} takes ${pattern(rule)}`).join("\n  ")}`,
  );
}

export interface WatchedQueue {
  name: string;
  url: string;
}

/**
 * The queues an ingestion goes through, as the program declared them: every queue a function
 * consumes (an event source mapping), and the dead-letter queues their redrive policies name.
 */
export function watchedQueues(resources: Resource[]): { queues: WatchedQueue[]; deadLetterQueues: WatchedQueue[] } {
  const queues = resources.filter((resource) => resource.type === types.queue);
  const byArn = (arn: unknown) => queues.find((queue) => field(queue, "arn") === arn || queue.state.arn === arn);
  const asWatched = (queue: Resource): WatchedQueue => ({ name: String(queue.state.name), url: String(queue.state.url) });
  const consumed = [
    ...new Set(
      resources
        .filter((resource) => resource.type === types.eventSourceMapping)
        .map((mapping) => byArn(field(mapping, "eventSourceArn")))
        .filter((queue): queue is Resource => queue !== undefined),
    ),
  ];
  const deadLetters = consumed.flatMap((queue) => {
    const policy = field(queue, "redrivePolicy");
    const dlq = policy ? byArn(JSON.parse(String(policy)).deadLetterTargetArn) : undefined;
    return dlq ? [dlq] : [];
  });
  return { queues: consumed.map(asWatched), deadLetterQueues: [...new Set(deadLetters)].map(asWatched) };
}

/** S3 matches filters on the exact key, case included. */
export const ruleMatches = (rule: NotificationRule, key: string) => key.startsWith(rule.prefix) && key.endsWith(rule.suffix);

/** Said at once when no notification takes the key: waiting would be for nothing. */
export function unmatchedKeyMessage(bucket: string, key: string, rules: NotificationRule[]): string {
  const what = rules.map((rule) => {
    const parts = [rule.prefix && `start with '${rule.prefix}'`, rule.suffix && `end with '${rule.suffix}'`].filter(Boolean);
    return `${rule.target} takes keys that ${parts.join(" and ") || "are any key"}`;
  });
  return rules.length === 0
    ? `nothing will ingest s3://${bucket}/${key}: the program declares no notification for objects created in ${bucket}`
    : `nothing will ingest s3://${bucket}/${key}: no notification of the bucket matches this key (${what.join("; ")})`;
}

/** A Lambda destination record (on failure) about this object, if the message is one. */
export function failureRecordFor(body: string, bucket: string, key: string): Record<string, unknown> | undefined {
  try {
    const record = JSON.parse(body) as {
      requestPayload?: { Records?: Array<{ s3?: { bucket?: { name?: string }; object?: { key?: string } } }> };
    };
    const about = record.requestPayload?.Records?.some(
      (entry) => entry.s3?.bucket?.name === bucket && decodeURIComponent(String(entry.s3?.object?.key ?? "").replace(/\+/g, " ")) === key,
    );
    return about ? (record as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export interface IngestionState {
  /** What the upload's notifications invoke (the function's logical name, or the queue's): named while they read. */
  readers: string[];
  elapsedSeconds: number;
  /** The report's `queued` once the function that reads the file has written it. */
  queued?: number;
  waiting: number;
  inFlight: number;
  deadLettered: number;
  /** Rows stored per second, measured over the last seconds; undefined until measurable. */
  rate?: number;
}

const count = (value: number) => value.toLocaleString("en-US");
/** `ingest-s3-to-sqs is reading`, `a and b are still reading`: who reads the file, by the names the program gave. */
function reading(readers: string[], still = false): string {
  const who = readers.length > 1 ? `${readers.slice(0, -1).join(", ")} and ${readers[readers.length - 1]} are` : `${readers[0]} is`;
  return `${who}${still ? " still" : ""} reading`;
}

/** Rows taken out of the queue (stored, or given up on) since the report said how many were queued. */
export const storedOf = (state: IngestionState) => Math.max(0, (state.queued ?? 0) - state.waiting - state.inFlight - state.deadLettered);

/** The one line that replaces itself while `upload --wait` waits. */
export function progressLine(state: IngestionState): string {
  const queue = `${count(state.waiting)} waiting, ${count(state.inFlight)} in flight${state.deadLettered ? `, ${count(state.deadLettered)} dead-lettered` : ""}`;
  if (state.queued === undefined) return `ingesting: ${reading(state.readers)} the file (${state.elapsedSeconds} s); queue: ${queue}`;
  const stored = storedOf(state);
  const left = state.waiting + state.inFlight;
  const rate =
    state.rate && state.rate > 0 ? `, ${count(Math.round(state.rate))} rows/s, about ${Math.ceil(left / state.rate)} s left` : "";
  return `ingesting: ${count(state.queued)} rows queued, ${count(stored)} stored; queue: ${queue}${rate}`;
}

/** What the user reads when the wait runs out. */
export function timedOutMessage(state: IngestionState, timeoutSeconds: number): string {
  if (state.queued === undefined) {
    return `timed out after ${timeoutSeconds} s: no ingestion report yet (${reading(state.readers, true)} the file, or failed: see the sandbox's log); queue: ${count(state.waiting)} waiting, ${count(state.inFlight)} in flight, ${count(state.deadLettered)} dead-lettered so far`;
  }
  return `timed out after ${timeoutSeconds} s: ${count(state.waiting)} waiting, ${count(state.inFlight)} in flight, ${count(state.deadLettered)} dead-lettered so far (the ingestion goes on in the sandbox; wait longer with --timeout <seconds>)`;
}
