import { describe, expect, it } from "vitest";
import { InvocationLog, keptDetailChars, keptInvocations } from "../../../sandbox/console/invocation-log";
import type { FunctionSpec, InvocationResult } from "../../../sandbox/model/function-spec";

const fn = { name: "api-handler-1234567", logicalName: "api-handler" } as FunctionSpec;
const trigger = { source: "http", detail: "GET /dev/v1/jobs" };
/** An API answer about as large as a listing of 100 jobs. */
const answer = (n: number, value: unknown = { statusCode: 200, body: `${n}:${"x".repeat(60_000)}` }): InvocationResult => ({
  ok: true,
  value,
  requestId: `r-${n}`,
  durationMs: 5,
  initMs: 0,
  logs: [{ level: "log", text: `call ${n}` }],
});

describe("the console's invocation log", () => {
  it("lists the latest invocations and keeps the details of as many of the latest as fit its budget, saying so for the others", () => {
    const log = new InvocationLog();
    const total = keptInvocations + 100;
    for (let n = 1; n <= total; n++) log.invocation(fn, trigger, answer(n), { rawPath: `/dev/v1/jobs?page=${n}` });

    const listed = log.list();
    expect(listed).toHaveLength(keptInvocations);
    expect(listed[0].id).toBe(total - keptInvocations + 1);
    expect(listed.at(-1)).toMatchObject({ id: total, function: fn.name, trigger: "http", detail: "GET /dev/v1/jobs", ok: true });

    const detailChars = (id: number) => {
      const entry = log.get(id)!;
      return entry.event.length + entry.result.length + entry.logs.reduce((chars, line) => chars + line.text.length, 0);
    };
    // The latest ones keep theirs (as many as the budget holds: they are all the same size), the older ones let them go.
    const fitting = Math.floor(keptDetailChars / detailChars(total));
    const withDetails = listed.filter((summary) => !log.get(summary.id)!.detailsGone);
    expect(withDetails.map(({ id }) => id)).toEqual(listed.slice(-fitting).map(({ id }) => id));

    const latest = log.get(total)!;
    expect(JSON.parse(latest.result)).toEqual({ statusCode: 200, body: `${total}:${"x".repeat(60_000)}` });
    expect(JSON.parse(latest.event)).toEqual({ rawPath: `/dev/v1/jobs?page=${total}` });
    expect(latest.logs).toEqual([{ level: "log", text: `call ${total}` }]);
    const older = log.get(listed[0].id)!;
    expect(older).toMatchObject({ event: "", result: "", logs: [] });
    expect(older.detailsGone).toBe(
      "its event, result and output are no longer kept: the console keeps those of the latest invocations, 4 M characters in all, so that a long burst does not fill the sandbox's memory",
    );
  });

  it("cuts an event or a result longer than 64 K characters, saying how much was left out", () => {
    const log = new InvocationLog();
    const body = "y".repeat(100_000);
    log.invocation(fn, trigger, answer(1, body), { body });
    const entry = log.get(1)!;
    const json = JSON.stringify(body);
    expect(entry.result).toBe(`${json.slice(0, 65_536)}\n… (${json.length - 65_536} more characters)`);
    expect(entry.event).toMatch(/\n… \(\d+ more characters\)$/);
  });
});
