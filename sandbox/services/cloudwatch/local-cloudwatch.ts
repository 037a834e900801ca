import type { ResourceIndex } from "../../model/resource-index";
import type { Reporter } from "../../shared/log";
import { localTimeScale } from "../../shared/constants";
import { actionsFor, alarmNotification, LocalAlarms, metricAlarmType, type AlarmChange } from "./alarms";
import type { LocalMetrics, QueueSample } from "./metrics";

const queueType = "aws:sqs/queue:Queue";
/** How often queues are sampled and alarms evaluated: several times in the shortest local period (1 s). */
const tickMs = 250;

export interface CloudWatchDeps {
  /** The figures, fed by the reporter's observers from the sandbox's start. */
  metrics: LocalMetrics;
  /** The current deployment's resources (a redeployment may change them). */
  index(): ResourceIndex;
  /** A queue's contents by name, read without receiving. */
  queueFigures(name: string): QueueSample | undefined;
  /** Publishes to one of the program's SNS topics; false if the sandbox has no such topic. */
  publish(topicArn: string, subject: string, message: string): boolean;
  reporter: Reporter;
}

/**
 * CloudWatch as far as the sandbox goes: its own metrics, and the program's alarms evaluated on
 * them. A state change prints a line, is told to listeners (the console) and publishes to the
 * alarm's SNS actions.
 */
export class LocalCloudWatch {
  readonly metrics: LocalMetrics;
  readonly listeners = new Set<(change: AlarmChange) => void>();
  private alarmsOf?: { index: ResourceIndex; alarms: LocalAlarms };
  private timer?: NodeJS.Timeout;

  constructor(private readonly deps: CloudWatchDeps) {
    this.metrics = deps.metrics;
  }

  /** The alarms of the current deployment, read again when it changes (statuses carried over by name). */
  get alarms(): LocalAlarms {
    const index = this.deps.index();
    if (this.alarmsOf?.index !== index) {
      this.alarmsOf = { index, alarms: new LocalAlarms(index.all(metricAlarmType), this.metrics, this.alarmsOf?.alarms) };
    }
    return this.alarmsOf.alarms;
  }

  /** One line for the banner: how alarms run here. */
  summary(): string | undefined {
    const { specs, notEvaluated } = this.alarms;
    if (specs.length + notEvaluated.length === 0) return undefined;
    return `${specs.length} evaluated locally, periods divided by ${localTimeScale} as retries are (60 s -> 1 s)${notEvaluated.length > 0 ? `; ${notEvaluated.length} not evaluated` : ""}`;
  }

  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), tickMs);
    this.timer.unref();
  }

  queueNames(): string[] {
    return this.deps
      .index()
      .all(queueType)
      .map((queue) => String(queue.state.name));
  }

  /** Samples every queue and evaluates every alarm at `now` (the timer calls it every `tickMs`). */
  tick(now = Date.now()): void {
    for (const name of this.queueNames()) {
      const sample = this.deps.queueFigures(name);
      if (sample) this.metrics.queueSampled(name, sample, now);
    }
    for (const change of this.alarms.tick(now)) this.announce(change);
  }

  private announce(change: Omit<AlarmChange, "notified" | "unreachable">): void {
    const { subject, message } = alarmNotification(change);
    const notified: string[] = [];
    const unreachable: string[] = [];
    for (const action of actionsFor(change.alarm.spec, change.alarm.state)) {
      if (this.deps.publish(action, subject, message)) notified.push(action);
      else unreachable.push(action);
    }
    const topics = notified.map((arn) => arn.split(":").pop()).join(", ");
    this.deps.reporter.info(
      `alarm ${change.alarm.spec.name}: ${change.previous} -> ${change.alarm.state} (${change.alarm.reason})${topics ? `; notified ${topics}` : ""}`,
    );
    for (const action of unreachable)
      this.deps.reporter.warn(`alarm ${change.alarm.spec.name}: action ${action} is not emulated (only the program's SNS topics are)`);
    this.listeners.forEach((listener) => listener({ ...change, notified, unreachable }));
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
