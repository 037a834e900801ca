import { createHash } from "node:crypto";

/** What the sandbox needs to run one deployed function, read from its recorded resource. */
export interface FunctionSpec {
  /** Physical name (the Lambda function name). */
  name: string;
  /** Logical name in the program, for messages. */
  logicalName: string;
  arn: string;
  handler: string;
  runtime: string;
  /** The deployed artifact: file path inside the archive -> contents. */
  files: Record<string, string>;
  /** Files and folders of the artifact taken from disk as they are: path inside the archive -> source. */
  links: Record<string, string>;
  /** Hash of the artifact: the same code never restarts an execution environment. */
  codeHash: string;
  environment: Record<string, string>;
  timeoutSeconds: number;
  memorySizeMb: number;
  /** The log group of `loggingConfig`, when the program names one. */
  logGroupName?: string;
  /** `loggingConfig.logFormat`: how the runtime writes what it logs and how that reaches CloudWatch Logs; with JSON, the least levels kept. */
  logFormat?: "Text" | "JSON";
  applicationLogLevel?: string;
  systemLogLevel?: string;
  /** Reserved concurrency, if the program declared one. */
  reservedConcurrency?: number;
}

export interface InvocationError {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

export interface HandlerLog {
  level: string;
  text: string;
}

export type InvocationResult =
  | { ok: true; value: unknown; requestId: string; durationMs: number; initMs: number; logs: HandlerLog[] }
  | { ok: false; error: InvocationError; requestId: string; durationMs: number; initMs: number; logs: HandlerLog[] };

/** How an invocation was triggered, for the one log line per invocation. */
export interface Trigger {
  /** e.g. "s3", "sqs", "http", "invoke" */
  source: string;
  /** e.g. "ObjectCreated:Put job_offers/a.csv", "3 messages", "GET /dev/v1/jobs" */
  detail: string;
  /** Message ids of an SQS batch: what lets a user (or a test) follow one message's receives. */
  messageIds?: string[];
}

/** Hashes by the artifact's objects: a deployment's megabytes of code are read once, however often its spec is taken. */
const hashes = new WeakMap<Record<string, string>, { links: Record<string, string>; hash: string }>();

/** The hash of an artifact: the same code (text and linked files alike) never restarts an execution environment. */
export function codeHashOf(files: Record<string, string>, links: Record<string, string>): string {
  const known = hashes.get(files);
  if (known?.links === links) return known.hash;
  // Each name and text fed as it is: a JSON text of the code would escape megabytes first.
  const hash = createHash("sha256");
  for (const [kind, entries] of [
    ["file", files],
    ["link", links],
  ] as const) {
    // With each text's length: no two artifacts feed the same bytes.
    for (const name of Object.keys(entries).sort())
      hash.update(`${kind}\u0000${name}\u0000${entries[name].length}\u0000`).update(entries[name]);
  }
  const hex = hash.digest("hex");
  hashes.set(files, { links, hash: hex });
  return hex;
}
