/**
 * The console API's answers: the server builds them, the page reads them (type-only imports, so the
 * browser build takes nothing else of the server).
 */

/** One invocation as the console lists it. */
export interface InvocationSummary {
  id: number;
  at: string;
  function: string;
  logicalName: string;
  trigger: string;
  detail: string;
  durationMs: number;
  /** Init time of a cold start; 0 when a warm environment ran it. */
  coldStartMs: number;
  ok: boolean;
  outcome: string;
}

/** The same, opened: what the function was given, what it answered, what it printed. */
export interface InvocationEntry extends InvocationSummary {
  /** The event as JSON text, cut at 64 K characters (a large HTTP body). */
  event: string;
  /** The result (or the error) as JSON text, cut the same way. */
  result: string;
  logs: Array<{ level: string; text: string }>;
  /** Set when the console no longer keeps this invocation's event, result and output: why. */
  detailsGone?: string;
}

export interface QueueView {
  name: string;
  logicalName: string;
  url: string;
  arn: string;
  visible: number;
  inFlight: number;
  delayed: number;
  /** Seconds the oldest message has waited (ApproximateAgeOfOldestMessage). */
  oldestAgeSeconds: number;
  /** The DLQ its redrive policy names, and after how many receives. */
  deadLetterQueue?: { name: string; maxReceiveCount: number };
  /** The queues whose dead letters land here. */
  deadLettersOf: string[];
}

export interface MessageView {
  messageId: string;
  state: "visible" | "in flight" | "delayed";
  receiveCount: number;
  sentAt: string;
  body: string;
  attributes?: Record<string, unknown>;
}

export interface KeyView {
  hashKey: string;
  rangeKey?: string;
}

export interface TableView extends KeyView {
  name: string;
  logicalName: string;
  itemCount: number;
  /** Global and local secondary indexes, each queried by its own keys. */
  indexes: Array<KeyView & { name: string; kind: "global" | "local" }>;
  /** Attribute name -> DynamoDB type (S, N, B) of every key attribute. */
  keyTypes: Record<string, string>;
}

export interface ItemsPage {
  items: Array<Record<string, unknown>>;
  nextCursor: string | null;
}

/** Where an object created in a bucket goes, as its notification declares it. */
export interface BucketTrigger {
  prefix: string;
  suffix: string;
  /** The function's logical name, or the queue's name. */
  target: string;
  kind: "function" | "queue";
}

export interface BucketView {
  name: string;
  logicalName: string;
  triggers: BucketTrigger[];
}

export interface ObjectView {
  key: string;
  size: number;
  lastModified: string;
}

export interface ResourceView {
  type: string;
  logicalName: string;
  /** The name it has here (the physical name), or its id. */
  localName: string;
  coverage: string;
}

export interface FunctionView {
  name: string;
  logicalName: string;
  runtime: string;
  memorySizeMb: number;
  timeoutSeconds: number;
  /** What invokes it, as the program declared it: "s3 bucket/prefix*suffix", "sqs queue", "http GET /path"... */
  triggers: string[];
}
