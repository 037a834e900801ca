import { randomUUID, createHash } from "node:crypto";
import type { ResourceIndex } from "./model/resource-index";
import { types } from "./model/resource-index";
import { s3EventRecord } from "./services/s3/s3-event";
import { sqsEventRecord } from "./services/sqs/sqs-record";
import { proxyEvent, gatewayRequestId } from "./services/apigateway/payload";
import { sandboxAccountId } from "./shared/constants";
import { httpApisOf } from "./services/apigateway/api-model";
import { selectRoute } from "./services/apigateway/routes";
import { routeToTry } from "./services/apigateway/http-apis";
import { lambdaEventOf, notificationOf, subscriptionType, topicType } from "./services/sns/topics";
import { ruleType, scheduledEvent, targetType } from "./services/events/schedules";
import { dynamodbSampleEvent } from "./services/dynamodb/sample";
import { isStreamArn } from "./services/dynamodb/stream-wiring";
import type { StreamEventRecord } from "./services/dynamodb/stream-event-source-mapping";

/** The event sources `npm run invoke -- <function> --sample <source>` builds an event of. */
export const sampleSources = ["s3", "sqs", "http", "sns", "schedule", "dynamodb"] as const;
export type SampleSource = (typeof sampleSources)[number];

/** What a sample can be aimed at, found by the sandbox before the event is built. */
export interface SampleOptions {
  /** s3: an object that exists, so the function reads something real. */
  object?: { key: string; size: number; eTag: string };
  /** sqs: a body the function accepted before (it ran its happy path with it). */
  body?: string;
  /** dynamodb: a stream record the function accepted before. */
  streamRecord?: StreamEventRecord;
  /** http: the request; by default a route of the function's API that has no path variable. */
  method?: string;
  path?: string;
}

/** What each source's trigger is called, for a function that has none of that source. */
const triggerNames: Record<SampleSource, string> = {
  s3: "S3 notification",
  sqs: "SQS event source mapping",
  http: "HTTP API integration",
  sns: "SNS subscription",
  schedule: "EventBridge rule target",
  dynamodb: "DynamoDB stream mapping",
};

/**
 * Said when the function has no trigger of this source: its sample is then shaped like one but
 * aimed at the program's first resource of that kind (or a made-up one), never silently.
 */
export function missingTriggerNote(source: SampleSource, functionName: string, index: ResourceIndex): string | undefined {
  const fn = index.functionByRef(functionName);
  if (!fn) return undefined;
  const takes = (ref: unknown) => index.functionByRef(ref)?.state.arn === fn.state.arn;
  const mappings = index.all(types.eventSourceMapping).filter((mapping) => takes(mapping.inputs.functionName));
  const has: Record<SampleSource, () => boolean> = {
    s3: () =>
      index
        .all(types.bucketNotification)
        .some((notification) =>
          ((notification.inputs.lambdaFunctions as Array<Record<string, string>> | undefined) ?? []).some((entry) =>
            takes(entry.lambdaFunctionArn),
          ),
        ),
    sqs: () => mappings.some((mapping) => String(mapping.inputs.eventSourceArn).startsWith("arn:aws:sqs:")),
    http: () => httpApisOf(index).apis.some((api) => [...api.integrations.values()].some((integration) => takes(integration.functionRef))),
    sns: () =>
      index.all(subscriptionType).some((subscription) => subscription.inputs.protocol === "lambda" && takes(subscription.inputs.endpoint)),
    schedule: () => index.all(targetType).some((target) => takes(target.inputs.arn)),
    dynamodb: () => mappings.some((mapping) => isStreamArn(mapping.inputs.eventSourceArn)),
  };
  if (has[source]()) return undefined;
  return `${String(fn.state.name)} has no ${triggerNames[source]}: the sample is shaped as one would deliver it, aimed at the program's first such resource (or a made-up one), and the function may refuse it`;
}

/** The bucket, prefix and suffix of the notification that invokes the function, if any. */
export function s3SampleTarget(
  functionName: string,
  index: ResourceIndex,
): { bucket: string; prefix: string; suffix: string; id?: string } {
  const fnArn = index.functionByRef(functionName)?.state.arn;
  const target = index
    .all(types.bucketNotification)
    .flatMap((notification) =>
      ((notification.inputs.lambdaFunctions as Array<Record<string, string>> | undefined) ?? []).map((entry) => ({
        bucket: String(notification.inputs.bucket),
        entry,
      })),
    )
    .find(({ entry }) => index.functionByRef(entry.lambdaFunctionArn)?.state.arn === fnArn);
  return {
    bucket: target?.bucket ?? String(index.all(types.bucket)[0]?.state.bucket ?? "example-bucket"),
    prefix: target?.entry.filterPrefix ?? "",
    suffix: target?.entry.filterSuffix ?? "",
    ...(target?.entry.id ? { id: target.entry.id } : {}),
  };
}

/** The API that integrates the function (or the first one), and the route a sample calls by default. */
export function httpSampleRequest(functionName: string, index: ResourceIndex, options: SampleOptions = {}) {
  const { apis } = httpApisOf(index);
  const fnName = index.functionByRef(functionName)?.state.name;
  const api =
    apis.find((candidate) =>
      [...candidate.integrations.values()].some((integration) => index.functionByRef(integration.functionRef)?.state.name === fnName),
    ) ?? apis[0];
  const method = (options.method ?? "GET").toUpperCase();
  // A route without variables is one a sample can call as it is; a GET otherwise calls the route
  // the banner's curl calls, each variable filled in.
  const concrete = api?.routes.find((route) => {
    const [routeMethod, routePath] = route.routeKey.split(" ");
    return routePath && !routePath.includes("{") && (routeMethod === method || routeMethod === "ANY");
  });
  const toTry = method === "GET" && api && !concrete ? routeToTry(api.routes.map((route) => route.routeKey)) : undefined;
  const path = options.path ?? concrete?.routeKey.split(" ")[1] ?? toTry?.path ?? "/";
  const match = api ? selectRoute(api.routes, method, path) : undefined;
  /** The route whose variables the sample filled in, when it chose one that has them. */
  const filled = options.path === undefined && toTry?.key.includes("{") ? toTry.key : undefined;
  return { api, method, path, match, filled };
}

/**
 * Sample events like `sam local generate-event`, but aimed at this deployment: an object of the
 * function's own notification, a message its own mapping delivered, a route of its API, a
 * notification of the topic it subscribes to, the event of the schedule rule that targets it, a
 * record of the table stream that feeds it.
 */
export function sampleEvent(source: SampleSource, functionName: string, index: ResourceIndex, options: SampleOptions = {}): unknown {
  const fnArn = index.functionByRef(functionName)?.state.arn;
  switch (source) {
    case "s3": {
      const target = s3SampleTarget(functionName, index);
      const key = options.object?.key ?? `${target.prefix}sample${target.suffix || ".txt"}`;
      return {
        Records: [
          s3EventRecord(
            {
              bucket: target.bucket,
              key,
              eventName: "ObjectCreated:Put",
              requestId: randomUUID().slice(0, 16).toUpperCase(),
              sourceIp: "127.0.0.1",
              eventTime: new Date(),
            },
            { size: options.object?.size ?? 1024, eTag: options.object?.eTag ?? createHash("md5").update(key).digest("hex") },
            target.id ?? "sandbox-sample",
          ),
        ],
      };
    }
    case "sqs": {
      const mapping = index
        .all(types.eventSourceMapping)
        .find((candidate) => index.functionByRef(candidate.inputs.functionName)?.state.arn === fnArn);
      const queueArn = String(
        mapping?.inputs.eventSourceArn ?? index.all(types.queue)[0]?.state.arn ?? `arn:aws:sqs:us-east-1:${sandboxAccountId}:example`,
      );
      const body = options.body ?? '{"hello":"from the sandbox"}';
      const now = String(Date.now());
      return {
        Records: [
          sqsEventRecord(
            {
              MessageId: randomUUID(),
              ReceiptHandle: Buffer.from(randomUUID()).toString("base64"),
              Body: body,
              MD5OfBody: createHash("md5").update(body).digest("hex"),
              Attributes: {
                ApproximateReceiveCount: "1",
                SentTimestamp: now,
                SenderId: "AIDASANDBOX",
                ApproximateFirstReceiveTimestamp: now,
              },
            },
            queueArn,
          ),
        ],
      };
    }
    case "sns": {
      const subscription = index
        .all(subscriptionType)
        .find((candidate) => candidate.inputs.protocol === "lambda" && index.functionByRef(candidate.inputs.endpoint)?.state.arn === fnArn);
      const topicArn = String(
        subscription?.inputs.topic ?? index.all(topicType)[0]?.state.arn ?? `arn:aws:sns:us-east-1:${sandboxAccountId}:example`,
      );
      const subscriptionArn = String(subscription?.state.arn ?? `${topicArn}:${randomUUID()}`);
      // The event the sandbox's topics deliver to a Lambda subscriber, as SNS does.
      const publication = { topicArn, message: '{"hello":"from the sandbox"}', messageAttributes: {} };
      const delivery = {
        messageId: randomUUID(),
        timestamp: new Date().toISOString(),
        subscriptionArn,
        origin: "https://sns.us-east-1.amazonaws.com",
      };
      return lambdaEventOf(subscriptionArn, notificationOf(publication, delivery));
    }
    case "schedule": {
      const target = index.all(targetType).find((candidate) => index.functionByRef(candidate.inputs.arn)?.state.arn === fnArn);
      const rule =
        index.all(ruleType).find((candidate) => candidate.state.name === target?.inputs.rule) ??
        index.all(ruleType).find((candidate) => candidate.inputs.scheduleExpression);
      // A target's constant input replaces the event, as EventBridge delivers it.
      if (typeof target?.inputs.input === "string") return JSON.parse(target.inputs.input);
      return scheduledEvent(String(rule?.state.arn ?? `arn:aws:events:us-east-1:${sandboxAccountId}:rule/example`), new Date());
    }
    case "dynamodb":
      return dynamodbSampleEvent(functionName, index, options.streamRecord);
    case "http": {
      const { api, method, path, match } = httpSampleRequest(functionName, index, options);
      const stage = api?.stages.find((candidate) => candidate.name !== "$default")?.name ?? "$default";
      const rawPath = stage === "$default" ? path : `/${stage}${path}`;
      return proxyEvent(
        {
          method,
          rawPath,
          rawQueryString: "",
          headers: { accept: "application/json", host: "127.0.0.1", "user-agent": "sandbox-invoke" },
          cookies: [],
          queryStringParameters: {},
          isBase64Encoded: false,
          sourceIp: "127.0.0.1",
          userAgent: "sandbox-invoke",
          requestId: gatewayRequestId(),
          time: new Date(),
          domainName: "127.0.0.1",
        },
        {
          apiId: api?.apiId ?? "sandboxapi",
          stage,
          routeKey: match?.route.routeKey ?? "$default",
          pathParameters: match?.pathParameters ?? {},
        },
      );
    }
  }
}
