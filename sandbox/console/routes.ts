import type { IncomingMessage, ServerResponse } from "node:http";
import type { S3Client } from "@aws-sdk/client-s3";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { QueueContents, QueueFigures } from "../endpoint";
import type { ResourceIndex } from "../model/resource-index";
import type { LocalFunction } from "../services/lambda/function";
import type { LocalCloudWatch } from "../services/cloudwatch/local-cloudwatch";
import type { AlarmChange, AlarmStatus } from "../services/cloudwatch/alarms";
import { localTimeScale } from "../shared/constants";
import { keptInvocations, type InvocationLog } from "./invocation-log";
import { ApiError, readBody, requiredParam, sendJson } from "./http";
import { queueMessages, queueViews, redrive } from "./queues";
import { TablesView } from "./tables";
import { BucketsView } from "./buckets";
import { functionViews, resourcesByService } from "./resources";
import { pageAsset } from "./assets";

export const consolePath = "/_console/";

export interface ConsoleDeps {
  index(): ResourceIndex;
  functions(): Iterable<LocalFunction>;
  queueFigures(name: string): QueueFigures | undefined;
  queueContents(name: string): QueueContents | undefined;
  s3: S3Client;
  sqs: SQSClient;
  dynamo: DynamoDBClient;
  cloudwatch: LocalCloudWatch;
  invocations: InvocationLog;
}

/** The chart's span and its step: the last five minutes in five-second bars. */
const chartSpanMs = 5 * 60_000;
const chartStepMs = 5_000;
/** Alarm changes the console keeps to show. */
const keptChanges = 50;

function alarmView(status: AlarmStatus) {
  const { spec } = status;
  return {
    name: spec.name,
    logicalName: spec.logicalName,
    description: spec.description,
    state: status.state,
    reason: status.reason,
    changedAt: status.changedAt,
    lastValue: status.lastValue ?? null,
    metric: `${spec.metric.namespace} ${spec.metric.metricName} ${Object.entries(spec.metric.dimensions)
      .map(([name, value]) => `${name}=${value}`)
      .join(" ")}`,
    statistic: spec.statistic,
    comparisonOperator: spec.comparisonOperator,
    threshold: spec.threshold,
    evaluationPeriods: spec.evaluationPeriods,
    datapointsToAlarm: spec.datapointsToAlarm,
    periodSeconds: spec.periodSeconds,
    localPeriodSeconds: spec.localPeriodMs / 1000,
    actions: { alarm: spec.alarmActions, ok: spec.okActions },
  };
}

/**
 * The console: its page and the JSON API it reads (documented in the README, and the one tests
 * use), served on the sandbox's AWS endpoint under `/_console/`. The endpoint has already checked
 * `Host` and `Origin` for every request, so a page of another site can neither read nor change
 * anything here.
 */
export function consoleRoutes(deps: ConsoleDeps) {
  const tables = new TablesView(deps.index, deps.dynamo);
  const buckets = new BucketsView(deps.index, deps.s3);
  const changes: Array<ReturnType<typeof alarmView> & { previous: string; notified: string[] }> = [];
  const streams = new Set<ServerResponse>();
  const push = (event: string, data: unknown) => {
    const text = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    streams.forEach((stream) => stream.write(text));
  };
  deps.invocations.listeners.add((summary) => push("invocation", summary));
  deps.cloudwatch.listeners.add((change: AlarmChange) => {
    const view = { ...alarmView(change.alarm), previous: change.previous, notified: change.notified };
    changes.push(view);
    if (changes.length > keptChanges) changes.shift();
    push("alarm", view);
  });

  const queueDeps = { index: deps.index, queueFigures: deps.queueFigures, queueContents: deps.queueContents, sqs: deps.sqs };
  const alarms = () => ({
    timeScale: localTimeScale,
    evaluated: deps.cloudwatch.alarms.list().map(alarmView),
    notEvaluated: deps.cloudwatch.alarms.notEvaluated,
    changes,
  });
  const chart = () => ({
    spanSeconds: chartSpanMs / 1000,
    stepSeconds: chartStepMs / 1000,
    invocations: deps.cloudwatch.metrics.timeline("AWS/Lambda", "Invocations", "Sum", chartSpanMs, chartStepMs),
    errors: deps.cloudwatch.metrics.timeline("AWS/Lambda", "Errors", "Sum", chartSpanMs, chartStepMs),
    queueDepth: deps.cloudwatch.metrics.timeline("AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum", chartSpanMs, chartStepMs),
  });
  // What the page refreshes each second while it is open: one timer for every open page.
  let ticker: NodeJS.Timeout | undefined;
  const tick = () => {
    try {
      push("tick", { queues: queueViews(queueDeps), alarms: alarms().evaluated, chart: chart() });
    } catch {
      // A tick during a redeployment may see half a program: the next one will not.
    }
  };

  const api: Array<
    [
      method: string,
      pattern: RegExp,
      handle: (match: string[], query: URLSearchParams, request: IncomingMessage, response: ServerResponse) => unknown,
    ]
  > = [
    ["GET", /^resources$/, () => resourcesByService(deps.index())],
    ["GET", /^functions$/, () => functionViews(deps.index(), deps.functions())],
    ["GET", /^invocations$/, (_, query) => deps.invocations.list(query.get("function") ?? undefined)],
    [
      "GET",
      /^invocations\/(\d+)$/,
      ([id]) =>
        deps.invocations.get(Number(id)) ??
        Promise.reject(new ApiError(404, `invocation ${id} is not kept (the console keeps the last ${keptInvocations})`)),
    ],
    ["GET", /^queues$/, () => queueViews(queueDeps)],
    ["GET", /^queues\/([^/]+)\/messages$/, ([name]) => queueMessages(queueDeps, name)],
    ["POST", /^queues\/([^/]+)\/redrive$/, ([name], query) => redrive(queueDeps, name, query.get("to"))],
    ["GET", /^tables$/, () => tables.list()],
    ["GET", /^tables\/([^/]+)\/items$/, ([name], query) => tables.items(name, limitOf(query), query.get("cursor"))],
    [
      "GET",
      /^tables\/([^/]+)\/query$/,
      ([name], query) =>
        tables.query(
          name,
          query.get("index") || null,
          requiredParam(query, "hash"),
          query.get("range"),
          limitOf(query),
          query.get("cursor"),
        ),
    ],
    ["GET", /^buckets$/, () => buckets.list()],
    ["GET", /^buckets\/([^/]+)\/objects$/, ([name], query) => buckets.objects(name, query.get("prefix") ?? "", query.get("cursor"))],
    [
      "GET",
      /^buckets\/([^/]+)\/object$/,
      async ([name], query, _request, response) => {
        const object = await buckets.object(name, requiredParam(query, "key"));
        response.writeHead(200, {
          "content-type": object.contentType,
          "content-length": String(object.body.length),
          "x-object-size": String(object.size),
          "x-object-truncated": String(object.truncated),
          // Shown as text by the page, never rendered as a document of this origin.
          "content-disposition": "attachment",
          "x-content-type-options": "nosniff",
        });
        response.end(object.body);
        return undefined;
      },
    ],
    [
      "PUT",
      /^buckets\/([^/]+)\/object$/,
      async ([name], query, request) =>
        buckets.upload(name, requiredParam(query, "key"), await readBody(request), request.headers["content-type"]),
    ],
    ["GET", /^alarms$/, () => alarms()],
    ["GET", /^metrics$/, () => chart()],
    [
      "GET",
      /^events$/,
      (_, _query, request, response) => {
        response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
        response.write("retry: 1000\n\n");
        streams.add(response);
        ticker ??= setInterval(tick, 1_000);
        request.once("close", () => {
          streams.delete(response);
          if (streams.size === 0) {
            clearInterval(ticker);
            ticker = undefined;
          }
        });
        return undefined;
      },
    ],
  ];

  return (request: IncomingMessage, response: ServerResponse): boolean => {
    const url = new URL(request.url ?? "/", "http://console");
    if (url.pathname === "/_console") {
      response.writeHead(308, { location: consolePath });
      response.end();
      return true;
    }
    if (!url.pathname.startsWith(consolePath)) return false;
    const rest = url.pathname.slice(consolePath.length);
    if (!rest.startsWith("api/")) {
      void pageAsset(rest || "index.html").then(
        (asset) => {
          if (!asset || request.method !== "GET") return sendJson(response, 404, { message: `no console page ${url.pathname}` });
          response.writeHead(200, {
            "content-type": asset.contentType,
            "content-length": String(asset.body.length),
            "cache-control": "no-store",
            // The page runs only its own script and talks only to this origin.
            "content-security-policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'",
            "x-frame-options": "DENY",
          });
          response.end(asset.body);
        },
        (error: Error) => sendJson(response, 500, { message: `the console page could not be built: ${error.message}` }),
      );
      return true;
    }
    const path = rest.slice("api/".length);
    const routes = api.filter(([, pattern]) => pattern.test(path));
    if (routes.length > 0) {
      const route = routes.find(([method]) => method === request.method);
      if (!route) {
        const allowed = routes.map(([method]) => method).join(", ");
        response.setHeader("allow", allowed);
        sendJson(response, 405, { message: `${request.method} is not allowed on ${url.pathname} (${allowed} is)` });
        return true;
      }
      const [, pattern, handle] = route;
      const match = pattern.exec(path)!;
      const params = match.slice(1).map((part) => decodeURIComponent(part));
      Promise.resolve()
        .then(() => handle(params, url.searchParams, request, response))
        .then(
          (value) => {
            if (value !== undefined) sendJson(response, 200, value);
          },
          (error: Error) => {
            if (response.headersSent) return response.destroy(error);
            if (error instanceof ApiError) return sendJson(response, error.status, { message: error.message });
            sendJson(response, 500, { message: `${error.name}: ${error.message}` });
          },
        );
      return true;
    }
    sendJson(response, 404, { message: `no console API ${url.pathname}: see the README's list of routes` });
    return true;
  };
}

function limitOf(query: URLSearchParams): number {
  const raw = query.get("limit") ?? "25";
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new ApiError(400, `limit must be an integer from 1 to 100, not '${raw}'`);
  return limit;
}
