/** The API's answers as the page reads them (the server's shapes, restated for the browser build). */
export interface InvocationSummary {
  id: number;
  at: string;
  function: string;
  logicalName: string;
  trigger: string;
  detail: string;
  durationMs: number;
  coldStartMs: number;
  ok: boolean;
  outcome: string;
}

export interface InvocationEntry extends InvocationSummary {
  event: string;
  result: unknown;
  logs: Array<{ level: string; text: string }>;
}

export interface QueueView {
  name: string;
  logicalName: string;
  visible: number;
  inFlight: number;
  delayed: number;
  oldestAgeSeconds: number;
  deadLetterQueue?: { name: string; maxReceiveCount: number };
  deadLettersOf: string[];
}

export interface MessageView {
  messageId: string;
  state: string;
  receiveCount: number;
  sentAt: string;
  body: string;
}

export interface KeyView {
  hashKey: string;
  rangeKey?: string;
}

export interface TableView extends KeyView {
  name: string;
  logicalName: string;
  itemCount: number;
  indexes: Array<KeyView & { name: string; kind: string }>;
}

export interface ItemsPage {
  items: Array<Record<string, unknown>>;
  nextCursor: string | null;
}

export interface BucketView {
  name: string;
  logicalName: string;
  triggers: Array<{ prefix: string; suffix: string; target: string; kind: string }>;
}

export interface ObjectView {
  key: string;
  size: number;
  lastModified: string;
}

export interface AlarmView {
  name: string;
  logicalName: string;
  description?: string;
  state: "OK" | "ALARM" | "INSUFFICIENT_DATA";
  reason: string;
  changedAt: string;
  lastValue: number | null;
  metric: string;
  statistic: string;
  comparisonOperator: string;
  threshold: number;
  periodSeconds: number;
  localPeriodSeconds: number;
  evaluationPeriods: number;
}

export interface AlarmChange extends AlarmView {
  previous: string;
  notified: string[];
}

export interface Alarms {
  timeScale: number;
  evaluated: AlarmView[];
  notEvaluated: Array<{ name: string; logicalName: string; reason: string }>;
  changes: AlarmChange[];
}

export interface Chart {
  spanSeconds: number;
  stepSeconds: number;
  invocations: number[];
  errors: number[];
  queueDepth: number[];
}

export interface Tick {
  queues: QueueView[];
  alarms: AlarmView[];
  chart: Chart;
}

export interface Resources {
  project: string;
  stack: string;
  services: Array<{ service: string; resources: Array<{ type: string; logicalName: string; localName: string; coverage: string }> }>;
  unhonoured: string[];
}

export interface FunctionView {
  name: string;
  logicalName: string;
  runtime: string;
  memorySizeMb: number;
  timeoutSeconds: number;
  triggers: string[];
}
