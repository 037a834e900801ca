import type { FunctionSpec, InvocationResult, Trigger } from "../model/function-spec";

/** Where the sandbox tells the user what happens; tests pass their own to assert on it. */
export interface Reporter {
  info(message: string): void;
  warn(message: string): void;
  /**
   * One line per invocation, with the handler's own output under it. `details.event` is what the
   * function was given; a `quiet` one (a plain success in a burst) is counted on the progress line
   * instead of a line of its own.
   */
  invocation(fn: FunctionSpec, trigger: Trigger, result: InvocationResult, details?: InvocationDetails): void;
  /** An asynchronous event Lambda gave up on (retries or age exhausted), after any on-failure destination. */
  asyncEventDropped?(fn: FunctionSpec, condition: string): void;
  /** A line that replaces itself on a terminal (ingestion progress); `undefined` ends it. */
  progress(line: string | undefined): void;
}

export interface InvocationDetails {
  event?: unknown;
  quiet?: boolean;
}

/** Who else hears of every invocation (the console's log, the alarms' metrics) besides the terminal. */
export interface InvocationObserver {
  invocation(fn: FunctionSpec, trigger: Trigger, result: InvocationResult, event: unknown): void;
  asyncEventDropped(fn: FunctionSpec, condition: string): void;
}

/** The reporter the services are given: it tells the terminal (or a test's reporter) and the observers. */
export function observedReporter(inner: Reporter, observers: InvocationObserver[]): Reporter {
  return {
    info: (message) => inner.info(message),
    warn: (message) => inner.warn(message),
    progress: (line) => inner.progress(line),
    invocation(fn, trigger, result, details) {
      inner.invocation(fn, trigger, result, details);
      observers.forEach((observer) => observer.invocation(fn, trigger, result, details?.event));
    },
    asyncEventDropped(fn, condition) {
      inner.asyncEventDropped?.(fn, condition);
      observers.forEach((observer) => observer.asyncEventDropped(fn, condition));
    },
  };
}

const color = (code: number, text: string, enabled: boolean) => (enabled ? `\x1b[${code}m${text}\x1b[0m` : text);

export function outcomeOf(result: InvocationResult): string {
  if (result.ok) return "ok";
  if (result.error.errorType === "Sandbox.Timedout") return "timeout";
  return `error ${result.error.errorType}: ${result.error.errorMessage}`;
}

export function consoleReporter(stream: NodeJS.WriteStream = process.stdout): Reporter {
  const tty = Boolean(stream.isTTY);
  let progressShown = false;
  const clearProgress = () => {
    if (progressShown && tty) stream.write("\r\x1b[2K");
    progressShown = false;
  };
  const line = (text: string) => {
    clearProgress();
    stream.write(`${text}\n`);
  };
  return {
    info: (message) => line(message),
    warn: (message) => line(color(33, `! ${message}`, tty)),
    invocation(fn, trigger, result, details) {
      if (details?.quiet) return;
      const time = new Date().toISOString().slice(11, 23);
      const cold = result.initMs > 0 ? ` (cold start ${Math.round(result.initMs)} ms)` : "";
      const outcome = outcomeOf(result);
      const painted = color(result.ok ? 32 : 31, outcome, tty);
      line(
        `${time} ${color(1, fn.logicalName, tty)} <- ${trigger.source} ${trigger.detail}  ${Math.round(result.durationMs)} ms${cold}  ${painted}`,
      );
      for (const log of result.logs) {
        for (const text of log.text.split("\n")) line(`    ${log.level === "error" || log.level === "warn" ? color(33, text, tty) : text}`);
      }
      // A handler's error and its stack are in its logs already: the runtime logs them, as on Lambda.
    },
    progress(text) {
      if (text === undefined) {
        if (progressShown && tty) stream.write("\n");
        progressShown = false;
        return;
      }
      if (tty) {
        stream.write(`\r\x1b[2K${text}`);
        progressShown = true;
      } else {
        stream.write(`${text}\n`);
      }
    },
  };
}

/** Keeps everything in memory: for tests and for the in-process API. */
export function memoryReporter(): Reporter & {
  lines: string[];
  invocations: Array<{ fn: string; trigger: Trigger; result: InvocationResult }>;
} {
  const lines: string[] = [];
  const invocations: Array<{ fn: string; trigger: Trigger; result: InvocationResult }> = [];
  return {
    lines,
    invocations,
    info: (message) => lines.push(message),
    warn: (message) => lines.push(`! ${message}`),
    invocation(fn, trigger, result, details) {
      if (details?.quiet) return;
      invocations.push({ fn: fn.name, trigger, result });
      lines.push(`${fn.logicalName} <- ${trigger.source} ${trigger.detail} ${outcomeOf(result)}`);
    },
    progress: (text) => text && lines.push(text),
  };
}
