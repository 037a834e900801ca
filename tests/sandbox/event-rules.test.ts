import { describe, expect, it } from "vitest";
import { parseSchedule } from "../../sandbox/services/events/schedule-expression";
import { passesFilterPolicy } from "../../sandbox/services/sns/filter-policy";

describe("EventBridge schedule expressions", () => {
  const created = new Date("2026-11-29T10:00:00Z");
  const next = (expression: string, after: string) => parseSchedule(expression, created).next(new Date(after)).toISOString();

  it("count a rate from the rule's creation", () => {
    expect(next("rate(5 minutes)", "2026-11-29T10:07:00Z")).toBe("2026-11-29T10:10:00.000Z");
    expect(next("rate(1 hour)", "2026-11-29T10:00:00Z")).toBe("2026-11-29T11:00:00.000Z");
  });

  it("read a cron's six fields in UTC, with Sunday as day 1 and a year", () => {
    expect(next("cron(0 3 ? * MON-FRI *)", "2026-11-28T12:00:00Z")).toBe("2026-11-30T03:00:00.000Z"); // Saturday -> Monday
    expect(next("cron(30 12 ? * 1 *)", "2026-11-28T12:00:00Z")).toBe("2026-11-29T12:30:00.000Z"); // 1 is Sunday
    expect(next("cron(0 0 1 1 ? 2028)", "2026-11-29T00:00:00Z")).toBe("2028-01-01T00:00:00.000Z");
  });

  it("refuse what EventBridge refuses, saying why", () => {
    expect(() => parseSchedule("rate(1 minutes)", created)).toThrow(
      "rate(1 minutes): EventBridge takes 'rate(1 minute)' for one and 'rate(2 minutes)' for more",
    );
    expect(() => parseSchedule("cron(0 3 * * MON *)", created)).toThrow("one of day-of-month and day-of-week must be '?'");
    expect(() => parseSchedule("every day", created)).toThrow("'every day' is not a schedule expression");
  });
});

describe("SNS filter policies", () => {
  const attributes = {
    kind: { Type: "String", Value: "order" },
    amount: { Type: "Number", Value: "25" },
    tags: { Type: "String.Array", Value: '["red","blue"]' },
  };
  const passes = (policy: object, scope?: string, message = "{}") => passesFilterPolicy(JSON.stringify(policy), scope, message, attributes);

  it("match every key, any condition of a key, and $or alternatives", () => {
    expect(passes({ kind: ["order", "refund"], amount: [{ numeric: [">", 10, "<=", 25] }] })).toBe(true);
    expect(passes({ kind: ["refund"] })).toBe(false);
    expect(passes({ tags: ["blue"] })).toBe(true);
    expect(passes({ $or: [{ kind: ["refund"] }, { amount: [25] }] })).toBe(true);
  });

  it("know prefix, suffix, anything-but, equals-ignore-case and exists", () => {
    expect(passes({ kind: [{ prefix: "ord" }] })).toBe(true);
    expect(passes({ kind: [{ suffix: "der" }] })).toBe(true);
    expect(passes({ kind: [{ "anything-but": ["order"] }] })).toBe(false);
    expect(passes({ kind: [{ "anything-but": { prefix: "ref" } }] })).toBe(true);
    expect(passes({ kind: [{ "equals-ignore-case": "ORDER" }] })).toBe(true);
    expect(passes({ missing: [{ exists: false }] })).toBe(true);
    expect(passes({ missing: [{ exists: true }] })).toBe(false);
  });

  it("match nested keys of a JSON message when scoped to the body", () => {
    expect(passes({ order: { city: ["Lyon"] } }, "MessageBody", JSON.stringify({ order: { city: "Lyon" } }))).toBe(true);
    expect(passes({ order: { city: ["Lyon"] } }, "MessageBody", JSON.stringify({ order: { city: "Paris" } }))).toBe(false);
    expect(passes({ order: { city: ["Lyon"] } }, "MessageBody", "not json")).toBe(false);
  });
});
