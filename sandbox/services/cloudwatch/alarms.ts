import type { RecordedResource } from "../../model/recorded";
import { localTimeScale, sandboxAccountId, sandboxRegion } from "../../shared/constants";
import type { LocalMetrics, MetricId, Statistic } from "./metrics";

export const metricAlarmType = "aws:cloudwatch/metricAlarm:MetricAlarm";

export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";

const comparisons: Record<string, { test(value: number, threshold: number): boolean; words: string }> = {
  GreaterThanOrEqualToThreshold: { test: (value, threshold) => value >= threshold, words: "greater than or equal to" },
  GreaterThanThreshold: { test: (value, threshold) => value > threshold, words: "greater than" },
  LessThanThreshold: { test: (value, threshold) => value < threshold, words: "less than" },
  LessThanOrEqualToThreshold: { test: (value, threshold) => value <= threshold, words: "less than or equal to" },
};

const statistics = new Set<Statistic>(["Sum", "Maximum", "Minimum", "Average", "SampleCount"]);

/** An alarm the program declared, as the sandbox evaluates it. */
export interface AlarmSpec {
  /** The alarm's name in CloudWatch (its physical name). */
  name: string;
  logicalName: string;
  arn: string;
  description?: string;
  metric: MetricId;
  statistic: Statistic;
  periodSeconds: number;
  /** The period as the sandbox runs it: `periodSeconds` divided by `localTimeScale`. */
  localPeriodMs: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  threshold: number;
  comparisonOperator: string;
  treatMissingData: string;
  alarmActions: string[];
  okActions: string[];
  insufficientDataActions: string[];
  actionsEnabled: boolean;
}

export interface AlarmStatus {
  spec: AlarmSpec;
  state: AlarmState;
  reason: string;
  changedAt: string;
  /** The last datapoint evaluated (the most recent period), when there was one. */
  lastValue?: number;
}

export interface NotEvaluated {
  name: string;
  logicalName: string;
  reason: string;
}

export interface AlarmChange {
  alarm: AlarmStatus;
  previous: AlarmState;
  /** Topics notified; actions the sandbox cannot take are named in `unreachable`. */
  notified: string[];
  unreachable: string[];
}

const stringList = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);

/** Reads a MetricAlarm: its spec, or why the sandbox cannot evaluate it. */
export function alarmSpecOf(resource: RecordedResource, metrics: Pick<LocalMetrics, "isMeasured">): AlarmSpec | NotEvaluated {
  const inputs = resource.inputs;
  const name = String(resource.state.name ?? resource.id);
  const refuse = (reason: string): NotEvaluated => ({ name, logicalName: resource.name, reason });
  if (inputs.metricQueries && (inputs.metricQueries as unknown[]).length > 0)
    return refuse("metric math (metricQueries) is not evaluated locally");
  if (inputs.extendedStatistic) return refuse(`percentile statistics (${inputs.extendedStatistic}) are not evaluated locally`);
  const namespace = String(inputs.namespace ?? "");
  const metricName = String(inputs.metricName ?? "");
  if (!metrics.isMeasured(namespace, metricName)) return refuse(`the sandbox does not measure ${namespace} ${metricName}`);
  const comparisonOperator = String(inputs.comparisonOperator ?? "");
  if (!comparisons[comparisonOperator]) return refuse(`comparison ${comparisonOperator} (anomaly detection) is not evaluated locally`);
  const statistic = String(inputs.statistic ?? "") as Statistic;
  if (!statistics.has(statistic)) return refuse(`statistic '${inputs.statistic}' is not one the sandbox computes`);
  const dimensions = Object.fromEntries(
    Object.entries((inputs.dimensions as Record<string, unknown> | undefined) ?? {}).map(([key, value]) => [key, String(value)]),
  );
  const expected = namespace === "AWS/SQS" ? "QueueName" : "FunctionName";
  if (Object.keys(dimensions).join() !== expected)
    return refuse(
      `the sandbox measures ${namespace} ${metricName} per ${expected} only (dimensions: ${Object.keys(dimensions).join(", ") || "none"})`,
    );
  const periodSeconds = Number(inputs.period ?? 60);
  const evaluationPeriods = Number(inputs.evaluationPeriods ?? 1);
  return {
    name,
    logicalName: resource.name,
    arn: String(resource.state.arn ?? `arn:aws:cloudwatch:${sandboxRegion}:${sandboxAccountId}:alarm:${name}`),
    ...(inputs.alarmDescription ? { description: String(inputs.alarmDescription) } : {}),
    metric: { namespace, metricName, dimensions },
    statistic,
    periodSeconds,
    localPeriodMs: (periodSeconds * 1000) / localTimeScale,
    evaluationPeriods,
    datapointsToAlarm: Number(inputs.datapointsToAlarm ?? evaluationPeriods),
    threshold: Number(inputs.threshold ?? 0),
    comparisonOperator,
    treatMissingData: String(inputs.treatMissingData ?? "missing"),
    alarmActions: stringList(inputs.alarmActions),
    okActions: stringList(inputs.okActions),
    insufficientDataActions: stringList(inputs.insufficientDataActions),
    actionsEnabled: inputs.actionsEnabled !== false,
  };
}

const isSpec = (value: AlarmSpec | NotEvaluated): value is AlarmSpec => "metric" in value;

/**
 * The state the last `evaluationPeriods` periods give, as CloudWatch decides it: ALARM when at
 * least `datapointsToAlarm` of them breach; missing periods count as `treatMissingData` says.
 */
export function evaluate(
  spec: AlarmSpec,
  datapoints: Array<number | undefined>,
  current: AlarmState,
): { state: AlarmState; reason: string } {
  const comparison = comparisons[spec.comparisonOperator];
  const missing = datapoints.filter((value) => value === undefined).length;
  const present = datapoints.filter((value): value is number => value !== undefined);
  if (missing === datapoints.length) {
    if (spec.treatMissingData === "breaching") return { state: "ALARM", reason: "no datapoints, treated as breaching" };
    if (spec.treatMissingData === "notBreaching") return { state: "OK", reason: "no datapoints, treated as not breaching" };
    if (spec.treatMissingData === "ignore") return { state: current, reason: "no datapoints, ignored: the state is kept" };
    return { state: "INSUFFICIENT_DATA", reason: `no datapoints in the last ${datapoints.length} period(s)` };
  }
  const breaching =
    present.filter((value) => comparison.test(value, spec.threshold)).length + (spec.treatMissingData === "breaching" ? missing : 0);
  const shown = `[${present.map((value) => Number(value.toFixed(3))).join(", ")}]`;
  if (breaching >= spec.datapointsToAlarm) {
    return {
      state: "ALARM",
      reason: `Threshold Crossed: ${breaching} of the last ${datapoints.length} datapoint(s) ${shown} ${breaching === 1 ? "was" : "were"} ${comparison.words} the threshold (${spec.threshold})`,
    };
  }
  return {
    state: "OK",
    reason: `Threshold Crossed: the last ${datapoints.length} datapoint(s) ${shown} ${breaching === 0 ? "were not" : `were ${breaching} times, fewer than ${spec.datapointsToAlarm},`} ${comparison.words} the threshold (${spec.threshold})`,
  };
}

/**
 * The program's metric alarms evaluated against the sandbox's own figures, with periods shortened
 * by `localTimeScale`. An alarm starts in the state its first evaluation gives, without actions;
 * each change after that is told to `onChange`, which notifies its topics.
 */
export class LocalAlarms {
  private statuses = new Map<string, AlarmStatus>();
  readonly notEvaluated: NotEvaluated[] = [];
  readonly specs: AlarmSpec[] = [];

  constructor(
    resources: RecordedResource[],
    private readonly metrics: LocalMetrics,
    /** Statuses carried over from the previous deployment, by alarm name. */
    previous?: LocalAlarms,
  ) {
    for (const resource of resources) {
      const read = alarmSpecOf(resource, metrics);
      if (isSpec(read)) this.specs.push(read);
      else this.notEvaluated.push(read);
    }
    for (const spec of this.specs) {
      const kept = previous?.statuses.get(spec.name);
      if (kept) this.statuses.set(spec.name, { ...kept, spec });
    }
  }

  list(): AlarmStatus[] {
    return this.specs.map((spec) => this.statuses.get(spec.name)).filter((status): status is AlarmStatus => status !== undefined);
  }

  /** Evaluates every alarm at `now`; returns the changes (first evaluations are not changes). */
  tick(now = Date.now()): Array<Omit<AlarmChange, "notified" | "unreachable">> {
    const changes: Array<Omit<AlarmChange, "notified" | "unreachable">> = [];
    for (const spec of this.specs) {
      const datapoints = Array.from({ length: spec.evaluationPeriods }, (_, index) =>
        this.metrics.statistic(spec.metric, spec.statistic, now - (index + 1) * spec.localPeriodMs, now - index * spec.localPeriodMs),
      );
      const status = this.statuses.get(spec.name);
      const next = evaluate(spec, datapoints, status?.state ?? "INSUFFICIENT_DATA");
      const lastValue = datapoints[0];
      if (!status) {
        this.statuses.set(spec.name, {
          spec,
          ...next,
          changedAt: new Date(now).toISOString(),
          ...(lastValue !== undefined ? { lastValue } : {}),
        });
        continue;
      }
      status.lastValue = lastValue;
      if (next.state === status.state) continue;
      const previous = status.state;
      Object.assign(status, next, { changedAt: new Date(now).toISOString() });
      changes.push({ alarm: status, previous });
    }
    return changes;
  }
}

/** The notification CloudWatch publishes to an alarm's SNS actions. */
export function alarmNotification(change: Omit<AlarmChange, "notified" | "unreachable">): { subject: string; message: string } {
  const { spec, state, reason, changedAt } = change.alarm;
  const message = {
    AlarmName: spec.name,
    AlarmDescription: spec.description ?? null,
    AWSAccountId: sandboxAccountId,
    AlarmConfigurationUpdatedTimestamp: changedAt,
    NewStateValue: state,
    NewStateReason: reason,
    StateChangeTime: changedAt,
    Region: "US East (N. Virginia)",
    AlarmArn: spec.arn,
    OldStateValue: change.previous,
    OKActions: spec.okActions,
    AlarmActions: spec.alarmActions,
    InsufficientDataActions: spec.insufficientDataActions,
    Trigger: {
      MetricName: spec.metric.metricName,
      Namespace: spec.metric.namespace,
      StatisticType: "Statistic",
      Statistic: spec.statistic.toUpperCase(),
      Unit: null,
      Dimensions: Object.entries(spec.metric.dimensions).map(([name, value]) => ({ value, name })),
      Period: spec.periodSeconds,
      EvaluationPeriods: spec.evaluationPeriods,
      DatapointsToAlarm: spec.datapointsToAlarm,
      ComparisonOperator: spec.comparisonOperator,
      Threshold: spec.threshold,
      TreatMissingData: spec.treatMissingData,
      EvaluateLowSampleCountPercentile: "",
    },
  };
  return { subject: `${state}: "${spec.name}" in US East (N. Virginia)`.slice(0, 100), message: JSON.stringify(message) };
}

/** The actions of a state: what CloudWatch does when an alarm enters it. */
export function actionsFor(spec: AlarmSpec, state: AlarmState): string[] {
  if (!spec.actionsEnabled) return [];
  return state === "ALARM" ? spec.alarmActions : state === "OK" ? spec.okActions : spec.insufficientDataActions;
}
