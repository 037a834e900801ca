import { randomBytes } from "node:crypto";
import type { FunctionSpec, InvocationResult } from "../../model/function-spec";
import type { Reporter } from "../../shared/log";

export interface LogEvent {
  timestamp: number;
  message: string;
  ingestionTime: number;
  eventId: string;
}

export interface LogStream {
  logStreamName: string;
  creationTime: number;
  events: LogEvent[];
}

export interface LogGroup {
  logGroupName: string;
  creationTime: number;
  streams: Map<string, LogStream>;
  /** The stream the function's latest cold start opened: warm invocations follow it. */
  current?: LogStream;
  eventCount: number;
}

/**
 * Past this many events a group drops its oldest: a large upload invokes a queue's consumer tens of
 * thousands of times, and the sandbox keeps its logs in memory.
 */
export const maxEventsPerGroup = 10_000;

const isJsonLine = (text: string) => {
  if (!text.startsWith("{")) return false;
  try {
    const parsed = JSON.parse(text) as { level?: unknown; requestId?: unknown };
    return typeof parsed === "object" && parsed !== null && "level" in parsed && "requestId" in parsed;
  } catch {
    return false;
  }
};

const rank = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];
const levels: Record<string, string> = { log: "INFO", info: "INFO", warn: "WARN", error: "ERROR", debug: "DEBUG", trace: "TRACE" };

/**
 * What the functions wrote, as Lambda sends it to CloudWatch Logs: per invocation a START line,
 * the handler's own output, END and REPORT, in the function's log group (`/aws/lambda/<name>`
 * or the one its `loggingConfig` names), in text or JSON as its log format says. Each cold start
 * opens a stream, as a new execution environment does; warm invocations go to the latest stream
 * (Lambda would spread concurrent environments over several).
 */
export class FunctionLogs {
  readonly groups = new Map<string, LogGroup>();
  private sequence = 0;

  /** A reporter that also keeps every invocation's output here. */
  recording(reporter: Reporter): Reporter {
    return {
      ...reporter,
      invocation: (fn, trigger, result, details) => {
        this.append(fn, result);
        reporter.invocation(fn, trigger, result, details);
      },
    };
  }

  groupNameOf(fn: FunctionSpec): string {
    return fn.logGroupName ?? `/aws/lambda/${fn.name}`;
  }

  append(fn: FunctionSpec, result: InvocationResult): void {
    const now = Date.now();
    const started = Math.round(now - result.durationMs);
    const name = this.groupNameOf(fn);
    let group = this.groups.get(name);
    if (!group) {
      group = { logGroupName: name, creationTime: started, streams: new Map(), eventCount: 0 };
      this.groups.set(name, group);
    }
    if (!group.current || result.initMs > 0) {
      const day = new Date(started).toISOString().slice(0, 10).replace(/-/g, "/");
      const stream: LogStream = { logStreamName: `${day}/[$LATEST]${randomBytes(16).toString("hex")}`, creationTime: started, events: [] };
      group.streams.set(stream.logStreamName, stream);
      group.current = stream;
    }
    const id = result.requestId;
    const format = fn.logFormat?.toUpperCase() === "JSON";
    const duration = result.durationMs.toFixed(2);
    const report = {
      durationMs: Number(duration),
      billedDurationMs: Math.ceil(result.durationMs),
      memorySizeMB: fn.memorySizeMb,
      ...(result.initMs > 0 ? { initDurationMs: Number(result.initMs.toFixed(2)) } : {}),
    };
    const at = (time: number) => new Date(time).toISOString();
    // With JSON, Lambda drops what is below the function's levels (platform events are INFO).
    const kept = (level: string, least = "TRACE") => !format || rank.indexOf(level) >= rank.indexOf(least);
    const platform = kept("INFO", fn.systemLogLevel);
    const lines: Array<[number, string]> = [];
    if (platform) {
      lines.push([
        started,
        format
          ? JSON.stringify({ time: at(started), type: "platform.start", record: { requestId: id, version: "$LATEST" } })
          : `START RequestId: ${id} Version: $LATEST`,
      ]);
    }
    for (const log of result.logs) {
      const level = levels[log.level] ?? "INFO";
      if (!kept(level, fn.applicationLogLevel)) continue;
      // The runtime's own lines (an `Invoke Error`) come already in the function's format.
      const formatted = format && isJsonLine(log.text);
      lines.push([
        started,
        formatted
          ? log.text
          : format
            ? JSON.stringify({ timestamp: at(started), level, requestId: id, message: log.text })
            : `${at(started)}\t${id}\t${level}\t${log.text}`,
      ]);
    }
    if (!format && !result.ok && result.error.errorType === "Sandbox.Timedout") {
      lines.push([now, `${at(now)} ${id} Task timed out after ${(result.durationMs / 1000).toFixed(2)} seconds`]);
    }
    if (format) {
      if (platform)
        lines.push([
          now,
          JSON.stringify({
            time: at(now),
            type: "platform.report",
            record: {
              requestId: id,
              metrics: report,
              status: result.ok ? "success" : result.error.errorType === "Sandbox.Timedout" ? "timeout" : "error",
            },
          }),
        ]);
    } else {
      const init = report.initDurationMs !== undefined ? `\tInit Duration: ${report.initDurationMs} ms` : "";
      lines.push([now, `END RequestId: ${id}`]);
      lines.push([
        now,
        `REPORT RequestId: ${id}\tDuration: ${duration} ms\tBilled Duration: ${report.billedDurationMs} ms\tMemory Size: ${fn.memorySizeMb} MB${init}\t`,
      ]);
    }
    for (const [timestamp, message] of lines) {
      group.current.events.push({ timestamp, message, ingestionTime: now, eventId: String(++this.sequence).padStart(20, "0") });
      group.eventCount++;
    }
    this.trim(group);
  }

  private trim(group: LogGroup) {
    while (group.eventCount > maxEventsPerGroup) {
      const oldest = [...group.streams.values()].find((stream) => stream.events.length > 0);
      if (!oldest) return;
      const drop = Math.min(oldest.events.length, group.eventCount - maxEventsPerGroup);
      oldest.events.splice(0, drop);
      group.eventCount -= drop;
      if (oldest.events.length === 0 && oldest !== group.current) group.streams.delete(oldest.logStreamName);
    }
  }
}
