import type { FunctionSpec, InvocationResult, Trigger } from "../model/function-spec";
import type { InvocationObserver } from "../shared/log";
import { outcomeOf } from "../shared/log";
import type { InvocationSummary, InvocationEntry } from "./api-types";

/** Invocations kept for the console: enough to scroll back through a burst, bounded in memory. */
export const keptInvocations = 500;
const maxTextChars = 64 * 1024;
/**
 * The details (event, result, output) the latest invocations keep, in characters all together:
 * an API answering 60 KB listings made 500 invocations hold 32 MB of the sandbox's memory
 * (measured). Older invocations stay listed, and say when opened that their details are gone.
 */
export const keptDetailChars = 4 * 1024 * 1024;

const detailsGone =
  `its event, result and output are no longer kept: the console keeps those of the latest invocations, ` +
  `${keptDetailChars / (1024 * 1024)} M characters in all, so that a long burst does not fill the sandbox's memory`;

function cut(text: string): string {
  return text.length > maxTextChars ? `${text.slice(0, maxTextChars)}\n… (${text.length - maxTextChars} more characters)` : text;
}

/** The last invocations, each told to listeners (the console's live log) as it ends. */
export class InvocationLog implements InvocationObserver {
  private entries: Array<{ entry: InvocationEntry; detailChars: number }> = [];
  private detailChars = 0;
  private nextId = 1;
  readonly listeners = new Set<(summary: InvocationSummary) => void>();

  invocation(fn: FunctionSpec, trigger: Trigger, result: InvocationResult, event: unknown): void {
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
      event: cut(JSON.stringify(event ?? null, null, 2) ?? "null"),
      result: cut(JSON.stringify(result.ok ? (result.value ?? null) : result.error) ?? "null"),
      logs: result.logs,
    };
    const detailChars = entry.event.length + entry.result.length + entry.logs.reduce((sum, log) => sum + log.text.length, 0);
    this.entries.push({ entry, detailChars });
    this.detailChars += detailChars;
    for (const dropped of this.entries.splice(0, Math.max(0, this.entries.length - keptInvocations)))
      this.detailChars -= dropped.detailChars;
    // The oldest let their details go first; the latest keeps its own whatever its size.
    for (let i = 0; this.detailChars > keptDetailChars && i < this.entries.length - 1; i++) this.forgetDetails(this.entries[i]);
    const summary = summaryOf(entry);
    this.listeners.forEach((listener) => listener(summary));
  }

  private forgetDetails(kept: { entry: InvocationEntry; detailChars: number }): void {
    if (kept.detailChars === 0) return;
    this.detailChars -= kept.detailChars;
    kept.detailChars = 0;
    kept.entry = { ...kept.entry, event: "", result: "", logs: [], detailsGone };
  }

  asyncEventDropped(): void {}

  list(functionName?: string): InvocationSummary[] {
    return this.entries.filter(({ entry }) => !functionName || entry.function === functionName).map(({ entry }) => summaryOf(entry));
  }

  get(id: number): InvocationEntry | undefined {
    return this.entries.find(({ entry }) => entry.id === id)?.entry;
  }
}

function summaryOf(entry: InvocationEntry): InvocationSummary {
  const { event: _event, result: _result, logs: _logs, detailsGone: _gone, ...summary } = entry;
  return summary;
}
