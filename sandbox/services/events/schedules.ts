import { randomUUID } from "node:crypto";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { queueUrlOfArn } from "../../model/resource-index";
import { asyncConfigFor } from "../lambda/async-invoke";
import type { StartedTriggers, TriggerContext } from "../lambda/triggers";
import type { LocalTopics } from "../sns/topics";
import { sandboxAccountId, sandboxRegion } from "../../shared/constants";
import { parseSchedule, type Schedule } from "./schedule-expression";

export const ruleType = "aws:cloudwatch/eventRule:EventRule";
export const targetType = "aws:cloudwatch/eventTarget:EventTarget";

export interface ScheduledRule {
  name: string;
  logicalName: string;
  arn: string;
  schedule: Schedule;
  targets: Array<{ arn: string; input?: string }>;
}

/** The event EventBridge sends for a schedule (`detail-type: Scheduled Event`). */
export function scheduledEvent(ruleArn: string, time: Date) {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: sandboxAccountId,
    time: time.toISOString().replace(/\.\d{3}Z$/, "Z"),
    region: sandboxRegion,
    resources: [ruleArn],
    detail: {},
  };
}

/**
 * The program's EventBridge schedule rules: each enabled rule fires at its schedule's times (on the
 * clock, as on AWS), or at once when asked (`npm run fire`), and delivers its event to each target:
 * a function (asynchronously, with Lambda's retries and destinations), a queue, a topic. A target's
 * constant `input` replaces the event. Rules on event patterns match nothing locally and say so.
 */
export class LocalSchedules implements StartedTriggers {
  readonly rules: ScheduledRule[] = [];
  private timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly deps: TriggerContext & { topics: LocalTopics }) {
    const createdAt = new Date();
    for (const rule of deps.index.all(ruleType)) {
      const inputs = rule.inputs as { scheduleExpression?: string; eventPattern?: string; state?: string; isEnabled?: boolean };
      const name = String(rule.state.name);
      if (!inputs.scheduleExpression) {
        deps.reporter.warn(`EventBridge rule ${rule.name}: event patterns are not emulated (only schedules are): it never fires locally`);
        continue;
      }
      if (inputs.state === "DISABLED" || inputs.isEnabled === false) continue;
      const targets = deps.index
        .all(targetType)
        .filter((target) => target.inputs.rule === name)
        .map((target) => {
          const inputs = target.inputs as { arn: string; input?: string; inputPath?: string; inputTransformer?: unknown };
          if (inputs.inputPath || inputs.inputTransformer)
            deps.reporter.warn(
              `EventBridge target ${target.name}: inputPath and inputTransformer are not emulated; it gets the whole event`,
            );
          return { arn: inputs.arn, input: inputs.input };
        });
      try {
        this.rules.push({
          name,
          logicalName: rule.name,
          arn: String(rule.state.arn),
          schedule: parseSchedule(inputs.scheduleExpression, createdAt),
          targets,
        });
      } catch (error) {
        deps.reporter.warn(`EventBridge rule ${rule.name}: ${(error as Error).message}; it never fires locally`);
      }
    }
  }

  start(): this {
    for (const rule of this.rules) this.arm(rule);
    return this;
  }

  describe(programFlag: string): string[] {
    return this.rules.map((rule) => {
      const targets = rule.targets
        .map((target) => this.deps.index.functionByRef(target.arn)?.name ?? target.arn.split(":").pop())
        .join(", ");
      const next = rule.schedule
        .next(new Date())
        .toISOString()
        .replace(/\.\d{3}Z$/, "Z");
      return `schedule  ${rule.logicalName} ${rule.schedule.expression} -> ${targets || "(no target)"} (next ${next}; npm run fire -- ${rule.logicalName}${programFlag})`;
    });
  }

  tryIt(programFlag: string): string[] {
    const scheduled = new Set(
      this.rules.flatMap((rule) => rule.targets.flatMap((target) => this.deps.index.functionByRef(target.arn)?.name ?? [])),
    );
    return [...scheduled].map((fn) => `npm run invoke -- ${fn} --sample schedule${programFlag}`);
  }

  private arm(rule: ScheduledRule): void {
    const at = rule.schedule.next(new Date());
    // Timers hold at most ~24.8 days: a later firing is re-armed when that delay ends.
    const delay = Math.min(at.getTime() - Date.now(), 2 ** 31 - 1);
    const timer = setTimeout(
      () => {
        if (Date.now() >= at.getTime()) this.fire(rule, at);
        this.arm(rule);
      },
      Math.max(0, delay),
    );
    timer.unref();
    this.timers.set(rule.name, timer);
  }

  ruleNamed(name: string): ScheduledRule | undefined {
    return this.rules.find((rule) => rule.name === name || rule.logicalName === name || rule.arn === name);
  }

  /** Delivers the rule's event to every target now; returns how many targets it went to. */
  fire(rule: ScheduledRule, time = new Date()): number {
    const event = scheduledEvent(rule.arn, time);
    for (const target of rule.targets) {
      this.deliver(rule, target, target.input !== undefined ? JSON.parse(target.input) : event).catch((error) =>
        this.deps.reporter.warn(`EventBridge rule ${rule.logicalName} to ${target.arn}: ${(error as Error).message}`),
      );
    }
    return rule.targets.length;
  }

  private async deliver(rule: ScheduledRule, target: { arn: string }, event: unknown): Promise<void> {
    const [, , service] = target.arn.split(":");
    if (service === "sqs") {
      await this.deps.sqs.send(
        new SendMessageCommand({ QueueUrl: queueUrlOfArn(target.arn, this.deps.awsEndpoint), MessageBody: JSON.stringify(event) }),
      );
    } else if (service === "sns") {
      this.deps.topics.publish({ topicArn: target.arn, message: JSON.stringify(event), messageAttributes: {} });
    } else if (service === "lambda") {
      const fn = this.deps.functionByRef(target.arn);
      if (!fn) throw new Error("the function is not deployed");
      await this.deps.asyncInvoker.invoke(
        fn,
        event,
        { source: "schedule", detail: `${rule.logicalName} ${rule.schedule.expression}` },
        asyncConfigFor(this.deps.index, fn.name),
      );
    } else {
      throw new Error(`${service} targets are not emulated (functions, queues and topics are)`);
    }
  }

  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
