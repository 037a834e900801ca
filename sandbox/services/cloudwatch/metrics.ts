import type { FunctionSpec, InvocationResult } from "../../model/function-spec";
import type { InvocationObserver } from "../../shared/log";

/** A metric as CloudWatch names it: namespace, name and its dimensions. */
export interface MetricId {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
}

export type Statistic = "Sum" | "Maximum" | "Minimum" | "Average" | "SampleCount";

interface Datapoint {
  at: number;
  value: number;
}

/**
 * The metrics the sandbox measures itself, by namespace: what a function's invocations and a
 * queue's contents give. Any other metric has no figures here, and an alarm on it is not evaluated.
 */
export const measuredMetrics: Record<string, { metrics: string[]; dimension: string }> = {
  "AWS/Lambda": { metrics: ["Invocations", "Errors", "Throttles", "Duration", "AsyncEventsDropped"], dimension: "FunctionName" },
  "AWS/SQS": {
    metrics: [
      "ApproximateNumberOfMessagesVisible",
      "ApproximateNumberOfMessagesNotVisible",
      "ApproximateNumberOfMessagesDelayed",
      "ApproximateAgeOfOldestMessage",
    ],
    dimension: "QueueName",
  },
};

/** What a queue holds at one moment (the SQS metrics are gauges sampled from it). */
export interface QueueSample {
  visible: number;
  inFlight: number;
  delayed: number;
  oldestSentAt?: number;
}

/** How long figures are kept: the console's chart and the longest shortened alarm window. */
const keptMs = 15 * 60_000;

const keyOf = (metric: MetricId) =>
  `${metric.namespace}|${metric.metricName}|${Object.entries(metric.dimensions)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => `${name}=${value}`)
    .join(",")}`;

/**
 * The sandbox's own CloudWatch figures, kept in memory for the last minutes: Lambda's counters
 * from every invocation (the sandbox never throttles, it queues an invocation beyond the
 * function's concurrency, so Throttles is 0 for each one), SQS's gauges from samples of each queue.
 */
export class LocalMetrics implements InvocationObserver {
  private readonly series = new Map<string, Datapoint[]>();

  record(metric: MetricId, value: number, at = Date.now()): void {
    const key = keyOf(metric);
    const points = this.series.get(key) ?? [];
    points.push({ at, value });
    // Pruned as it grows, so memory stays bounded however long the sandbox runs.
    if (points.length > 64 && points[0].at < at - keptMs) {
      const firstKept = points.findIndex((point) => point.at >= at - keptMs);
      points.splice(0, firstKept === -1 ? points.length : firstKept);
    }
    this.series.set(key, points);
  }

  invocation(fn: FunctionSpec, _trigger: unknown, result: InvocationResult): void {
    const dimensions = { FunctionName: fn.name };
    const at = Date.now();
    this.record({ namespace: "AWS/Lambda", metricName: "Invocations", dimensions }, 1, at);
    this.record({ namespace: "AWS/Lambda", metricName: "Errors", dimensions }, result.ok ? 0 : 1, at);
    this.record({ namespace: "AWS/Lambda", metricName: "Throttles", dimensions }, 0, at);
    this.record({ namespace: "AWS/Lambda", metricName: "Duration", dimensions }, result.durationMs, at);
  }

  asyncEventDropped(fn: FunctionSpec): void {
    this.record({ namespace: "AWS/Lambda", metricName: "AsyncEventsDropped", dimensions: { FunctionName: fn.name } }, 1);
  }

  queueSampled(queueName: string, sample: QueueSample, at = Date.now()): void {
    const dimensions = { QueueName: queueName };
    this.record({ namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", dimensions }, sample.visible, at);
    this.record({ namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesNotVisible", dimensions }, sample.inFlight, at);
    this.record({ namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesDelayed", dimensions }, sample.delayed, at);
    const age = sample.oldestSentAt === undefined ? 0 : Math.max(0, Math.floor((at - sample.oldestSentAt) / 1000));
    this.record({ namespace: "AWS/SQS", metricName: "ApproximateAgeOfOldestMessage", dimensions }, age, at);
  }

  isMeasured(namespace: string, metricName: string): boolean {
    return measuredMetrics[namespace]?.metrics.includes(metricName) ?? false;
  }

  /** The statistic of the datapoints in (from, to], or undefined when there is none. */
  statistic(metric: MetricId, statistic: Statistic, from: number, to: number): number | undefined {
    const values = (this.series.get(keyOf(metric)) ?? []).filter((point) => point.at > from && point.at <= to).map((point) => point.value);
    if (values.length === 0) return undefined;
    switch (statistic) {
      case "Sum":
        return values.reduce((sum, value) => sum + value, 0);
      case "Maximum":
        return Math.max(...values);
      case "Minimum":
        return Math.min(...values);
      case "Average":
        return values.reduce((sum, value) => sum + value, 0) / values.length;
      case "SampleCount":
        return values.length;
    }
  }

  /** Sums per bucket of `stepMs` over the last `spanMs`, across every dimension value: the console's chart. */
  timeline(
    namespace: string,
    metricName: string,
    statistic: "Sum" | "Maximum",
    spanMs: number,
    stepMs: number,
    now = Date.now(),
  ): number[] {
    const buckets = Math.ceil(spanMs / stepMs);
    const start = now - buckets * stepMs;
    const prefix = `${namespace}|${metricName}|`;
    const perSeries: number[][] = [];
    for (const [key, points] of this.series) {
      if (!key.startsWith(prefix)) continue;
      const values = new Array<number>(buckets).fill(0);
      for (const point of points) {
        if (point.at < start || point.at >= now) continue;
        const bucket = Math.floor((point.at - start) / stepMs);
        values[bucket] = statistic === "Sum" ? values[bucket] + point.value : Math.max(values[bucket], point.value);
      }
      perSeries.push(values);
    }
    return new Array<number>(buckets).fill(0).map((_, bucket) => perSeries.reduce((sum, values) => sum + values[bucket], 0));
  }
}
