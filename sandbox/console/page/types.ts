/** The API's answers as the page reads them: the server's own shapes, and the page's views of the rest. */
import type { QueueView } from "../api-types";

export type {
  InvocationSummary,
  InvocationEntry,
  QueueView,
  MessageView,
  KeyView,
  TableView,
  ItemsPage,
  BucketTrigger,
  BucketView,
  ObjectView,
  ResourceView,
  FunctionView,
} from "../api-types";

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
