import type { FunctionSpec, InvocationResult, Trigger } from "../model/function-spec";
import type { InvocationObserver } from "../shared/log";
import { outcomeOf } from "../shared/log";
import type { InvocationSummary, InvocationEntry } from "./api-types";

/** Invocations kept for the console: enough to scroll back through a burst, bounded in memory. */
const kept = 500;
const maxEventChars = 64 * 1024;

/** The last invocations, each told to listeners (the console's live log) as it ends. */
export class InvocationLog implements InvocationObserver {
  private entries: InvocationEntry[] = [];
  private nextId = 1;
  readonly listeners = new Set<(summary: InvocationSummary) => void>();

  invocation(fn: FunctionSpec, trigger: Trigger, result: InvocationResult, event: unknown): void {
    let eventText = JSON.stringify(event ?? null, null, 2) ?? "null";
    if (eventText.length > maxEventChars)
      eventText = `${eventText.slice(0, maxEventChars)}\n… (${eventText.length - maxEventChars} more characters)`;
    const entry: InvocationEntry = {
      id: this.nextId++,
      at: new Date().toISOString(),
      function: fn.name,
      logicalName: fn.logicalName,
      trigger: trigger.source,
      detail: trigger.detail,
      durationMs: Math.round(result.durationMs),
      coldStartMs: Math.round(result.initMs),
      ok: result.ok,
      outcome: outcomeOf(result),
      event: eventText,
      result: result.ok ? (result.value ?? null) : result.error,
      logs: result.logs,
    };
    this.entries.push(entry);
    if (this.entries.length > kept) this.entries.splice(0, this.entries.length - kept);
    const summary = summaryOf(entry);
    this.listeners.forEach((listener) => listener(summary));
  }

  asyncEventDropped(): void {}

  list(functionName?: string): InvocationSummary[] {
    return this.entries.filter((entry) => !functionName || entry.function === functionName).map(summaryOf);
  }

  get(id: number): InvocationEntry | undefined {
    return this.entries.find((entry) => entry.id === id);
  }
}

function summaryOf(entry: InvocationEntry): InvocationSummary {
  const { event: _event, result: _result, logs: _logs, ...summary } = entry;
  return summary;
}
