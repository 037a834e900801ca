import { get } from "./api";
import { byId, fill, h, table, time } from "./dom";
import type { AlarmChange, Alarms, AlarmView } from "./types";

const words: Record<string, string> = {
  GreaterThanOrEqualToThreshold: ">=",
  GreaterThanThreshold: ">",
  LessThanThreshold: "<",
  LessThanOrEqualToThreshold: "<=",
};

/** The program's alarms, their states as the sandbox evaluates them, and their changes. */
export class AlarmsView {
  private changes: AlarmChange[] = [];

  async load(): Promise<void> {
    const alarms = await get<Alarms>("alarms");
    this.changes = alarms.changes;
    byId("alarm-scale").textContent =
      `Periods run ${alarms.timeScale} times faster here, as the sandbox's retries do: a 60 s period lasts ${60 / alarms.timeScale} s.`;
    fill(
      byId("alarms-not-evaluated"),
      alarms.notEvaluated.length === 0
        ? null
        : [
            h("h3", {}, "Not evaluated"),
            table(
              ["alarm", "why"],
              alarms.notEvaluated.map((alarm) => [alarm.name, alarm.reason]),
            ),
          ],
    );
    this.render(alarms.evaluated);
    this.renderChanges();
  }

  render(alarms: AlarmView[]): void {
    const element = table(
      ["state", "alarm", "metric", "condition", "period here", "last value", "reason"],
      alarms.map((alarm) => [
        h("span", { class: `state ${alarm.state}` }, alarm.state),
        h("span", { title: alarm.description ?? "" }, alarm.name),
        alarm.metric,
        `${alarm.statistic} ${words[alarm.comparisonOperator] ?? alarm.comparisonOperator} ${alarm.threshold} for ${alarm.evaluationPeriods} period(s)`,
        `${alarm.localPeriodSeconds} s (${alarm.periodSeconds} s on AWS)`,
        alarm.lastValue === null ? "-" : String(alarm.lastValue),
        alarm.reason,
      ]),
      { id: "alarms-table" },
    );
    element.querySelectorAll("tbody tr").forEach((row, position) => row.setAttribute("data-alarm", alarms[position].name));
    fill(byId("alarms"), element);
    const firing = alarms.filter((alarm) => alarm.state === "ALARM");
    fill(
      byId("overview-alarms"),
      h(
        "p",
        {},
        `${alarms.length} alarm(s) evaluated, `,
        h("span", { class: firing.length > 0 ? "bad" : "ok" }, `${firing.length} in ALARM`),
      ),
      firing.map((alarm) => h("div", { class: "state ALARM" }, alarm.name)),
    );
    const badge = byId("alarm-badge");
    badge.textContent = firing.length > 0 ? `${firing.length} in ALARM` : "alarms OK";
    badge.className = firing.length > 0 ? "badge bad" : "badge ok";
  }

  change(change: AlarmChange): void {
    this.changes.push(change);
    this.renderChanges();
  }

  private renderChanges(): void {
    fill(
      byId("alarm-changes"),
      table(
        ["time", "alarm", "change", "notified"],
        [...this.changes]
          .reverse()
          .map((change) => [
            time(change.changedAt),
            change.name,
            `${change.previous} -> ${change.state}`,
            change.notified.map((arn) => arn.split(":").pop()).join(", ") || "-",
          ]),
      ),
    );
  }
}
