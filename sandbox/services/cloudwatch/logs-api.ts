import type { IncomingMessage, ServerResponse } from "node:http";
import type { ResourceIndex } from "../../model/resource-index";
import { notEmulated, sendAwsError } from "../../shared/aws-errors";
import { sandboxAccountId, sandboxRegion } from "../../shared/constants";
import type { FunctionLogs, LogEvent, LogGroup } from "./function-logs";

/** What the endpoint does of CloudWatch Logs' API, said in every answer to a call it does not. */
export const logsEmulated =
  "the endpoint serves CloudWatch Logs' DescribeLogGroups, DescribeLogStreams, GetLogEvents and FilterLogEvents over the functions' output";

const targetPrefix = "Logs_20140328.";

/** CloudWatch Logs speaks JSON 1.1: the operation is in `X-Amz-Target`. */
export function isLogsRequest(request: IncomingMessage): boolean {
  return String(request.headers["x-amz-target"] ?? "").startsWith(targetPrefix);
}

const logGroupType = "aws:cloudwatch/logGroup:LogGroup";
const arnOf = (group: string) => `arn:aws:logs:${sandboxRegion}:${sandboxAccountId}:log-group:${group}`;

class LogsError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Params = Record<string, unknown>;

/** The groups: those the program declared (created empty at deployment) and those functions wrote to. */
function groupsOf(index: ResourceIndex, logs: FunctionLogs, deployedAt: number) {
  const groups = new Map<string, { group?: LogGroup; retentionInDays?: number; creationTime: number }>();
  for (const declared of index.all(logGroupType)) {
    const name = String(declared.state.name);
    const retention = Number(declared.inputs.retentionInDays);
    groups.set(name, { creationTime: deployedAt, ...(retention > 0 ? { retentionInDays: retention } : {}) });
  }
  for (const [name, group] of logs.groups) {
    const known = groups.get(name);
    groups.set(name, { ...known, group, creationTime: known?.creationTime ?? group.creationTime });
  }
  return groups;
}

function groupNameOf(params: Params): string {
  const given = String(params.logGroupIdentifier ?? params.logGroupName ?? "");
  if (!given) throw new LogsError("InvalidParameterException", "logGroupName or logGroupIdentifier is required");
  // An identifier may be the group's ARN (with or without the trailing `:*`).
  return given.startsWith("arn:") ? given.replace(/^arn:[^:]+:logs:[^:]*:[^:]*:log-group:/, "").replace(/:\*$/, "") : given;
}

function pageOf<T>(items: T[], params: Params, defaultLimit: number): { page: T[]; nextToken?: string } {
  const start = Number(params.nextToken ?? 0) || 0;
  const limit = Number(params.limit ?? defaultLimit) || defaultLimit;
  const page = items.slice(start, start + limit);
  return { page, ...(start + limit < items.length ? { nextToken: String(start + limit) } : {}) };
}

/**
 * CloudWatch Logs' filter patterns for plain text: every term must appear, `"quoted phrases"` as
 * written, `-term` must not, and `?term ?term` any one of them. JSON (`{ $.x = ... }`) and
 * space-delimited (`[a, b]`) patterns are refused, saying so.
 */
export function matcherOf(pattern: string | undefined): (message: string) => boolean {
  const text = (pattern ?? "").trim();
  if (!text) return () => true;
  if (text.startsWith("{") || text.startsWith("[")) {
    throw new LogsError(
      "InvalidParameterException",
      `filter pattern '${text}': JSON and space-delimited patterns are not emulated by the sandbox; use terms, "phrases", -term or ?term`,
    );
  }
  const terms = [...text.matchAll(/([?-]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))/g)].map((match) => ({
    kind: match[1],
    word: match[2] ?? match[3],
  }));
  const any = terms.filter((term) => term.kind === "?");
  const all = terms.filter((term) => term.kind === "");
  const none = terms.filter((term) => term.kind === "-");
  return (message) =>
    all.every((term) => message.includes(term.word)) &&
    !none.some((term) => message.includes(term.word)) &&
    (any.length === 0 || any.some((term) => message.includes(term.word)));
}

function within(event: LogEvent, params: Params): boolean {
  const start = params.startTime === undefined ? undefined : Number(params.startTime);
  const end = params.endTime === undefined ? undefined : Number(params.endTime);
  return (start === undefined || event.timestamp >= start) && (end === undefined || event.timestamp <= end);
}

function answer(operation: string, params: Params, index: ResourceIndex, logs: FunctionLogs, deployedAt: number): unknown {
  const groups = groupsOf(index, logs, deployedAt);
  const existing = (params: Params) => {
    const name = groupNameOf(params);
    const found = groups.get(name);
    if (!found) throw new LogsError("ResourceNotFoundException", "The specified log group does not exist.");
    return { name, streams: [...(found.group?.streams.values() ?? [])] };
  };
  switch (operation) {
    case "DescribeLogGroups": {
      const prefix = String(params.logGroupNamePrefix ?? "");
      const pattern = String(params.logGroupNamePattern ?? "");
      const items = [...groups]
        .filter(([name]) => name.startsWith(prefix) && name.toLowerCase().includes(pattern.toLowerCase()))
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, { group, retentionInDays, creationTime }]) => ({
          logGroupName: name,
          creationTime,
          ...(retentionInDays ? { retentionInDays } : {}),
          metricFilterCount: 0,
          arn: `${arnOf(name)}:*`,
          logGroupArn: arnOf(name),
          storedBytes: [...(group?.streams.values() ?? [])].reduce(
            (sum, stream) => sum + stream.events.reduce((bytes, event) => bytes + Buffer.byteLength(event.message), 0),
            0,
          ),
          logGroupClass: "STANDARD",
        }));
      const { page, nextToken } = pageOf(items, params, 50);
      return { logGroups: page, ...(nextToken ? { nextToken } : {}) };
    }
    case "DescribeLogStreams": {
      const { name, streams } = existing(params);
      const prefix = String(params.logStreamNamePrefix ?? "");
      const byTime = params.orderBy === "LastEventTime";
      const last = (events: LogEvent[]) => events.at(-1)?.timestamp ?? 0;
      const items = streams
        .filter((stream) => stream.logStreamName.startsWith(prefix))
        .sort((a, b) => (byTime ? last(a.events) - last(b.events) : a.logStreamName.localeCompare(b.logStreamName)));
      if (params.descending === true) items.reverse();
      const { page, nextToken } = pageOf(items, params, 50);
      return {
        logStreams: page.map((stream) => ({
          logStreamName: stream.logStreamName,
          creationTime: stream.creationTime,
          ...(stream.events.length > 0
            ? {
                firstEventTimestamp: stream.events[0].timestamp,
                lastEventTimestamp: last(stream.events),
                lastIngestionTime: stream.events.at(-1)!.ingestionTime,
              }
            : {}),
          arn: `${arnOf(name)}:log-stream:${stream.logStreamName}`,
          storedBytes: 0,
        })),
        ...(nextToken ? { nextToken } : {}),
      };
    }
    case "GetLogEvents": {
      const { streams } = existing(params);
      const stream = streams.find((candidate) => candidate.logStreamName === params.logStreamName);
      if (!stream) throw new LogsError("ResourceNotFoundException", "The specified log stream does not exist.");
      const events = stream.events.filter((event) => within(event, params));
      const limit = Math.min(Number(params.limit ?? 10_000) || 10_000, 10_000);
      const token = /^([fb])\/(\d+)$/.exec(String(params.nextToken ?? ""));
      let from: number;
      let to: number;
      if (token?.[1] === "f") [from, to] = [Number(token[2]), Math.min(events.length, Number(token[2]) + limit)];
      else if (token?.[1] === "b") [from, to] = [Math.max(0, Number(token[2]) - limit), Number(token[2])];
      else if (params.startFromHead === true) [from, to] = [0, Math.min(events.length, limit)];
      else [from, to] = [Math.max(0, events.length - limit), events.length];
      // At the end, the same token comes back: that is how clients know they have read everything.
      return {
        events: events.slice(from, to).map(({ timestamp, message, ingestionTime }) => ({ timestamp, message, ingestionTime })),
        nextForwardToken: `f/${String(to).padStart(20, "0")}`,
        nextBackwardToken: `b/${String(from).padStart(20, "0")}`,
      };
    }
    case "FilterLogEvents": {
      const { streams } = existing(params);
      const names = params.logStreamNames as string[] | undefined;
      const prefix = String(params.logStreamNamePrefix ?? "");
      const matches = matcherOf(params.filterPattern as string | undefined);
      const searched = streams.filter((stream) => (names ? names.includes(stream.logStreamName) : stream.logStreamName.startsWith(prefix)));
      const events = searched
        .flatMap((stream) =>
          stream.events
            .filter((event) => within(event, params) && matches(event.message))
            .map((event) => ({ logStreamName: stream.logStreamName, ...event })),
        )
        .sort((a, b) => a.timestamp - b.timestamp || a.eventId.localeCompare(b.eventId));
      const { page, nextToken } = pageOf(events, params, 10_000);
      return {
        events: page,
        searchedLogStreams: searched.map((stream) => ({ logStreamName: stream.logStreamName, searchedCompletely: true })),
        ...(nextToken ? { nextToken } : {}),
      };
    }
    default:
      return undefined;
  }
}

/**
 * CloudWatch Logs' read-only calls over what the functions wrote (FunctionLogs) and the log
 * groups the program declared; any other Logs call answers Logs' own error shape, saying it is
 * not emulated.
 */
export function logsApi(index: () => ResourceIndex, logs: FunctionLogs, deployedAt: () => Date) {
  return (request: IncomingMessage, response: ServerResponse): boolean => {
    if (!isLogsRequest(request)) return false;
    const operation = String(request.headers["x-amz-target"]).slice(targetPrefix.length);
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      try {
        const text = Buffer.concat(chunks).toString("utf8");
        const params = (text ? JSON.parse(text) : {}) as Params;
        const result = answer(operation, params, index(), logs, deployedAt().getTime());
        if (result === undefined) return notEmulated(response, "json", "CloudWatch Logs", operation, logsEmulated);
        const body = JSON.stringify(result);
        response.writeHead(200, { "content-type": "application/x-amz-json-1.1", "content-length": String(Buffer.byteLength(body)) });
        response.end(body);
      } catch (error) {
        if (error instanceof LogsError) return sendAwsError(response, "json", 400, error.code, error.message);
        if (error instanceof SyntaxError)
          return sendAwsError(response, "json", 400, "SerializationException", "the request body is not JSON");
        sendAwsError(response, "json", 500, "ServiceUnavailableException", (error as Error).message);
      }
    });
    return true;
  };
}
