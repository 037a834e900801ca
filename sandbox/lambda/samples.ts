import { randomUUID, createHash } from "node:crypto";
import type { ResourceIndex } from "../deploy/resource-index";
import { types } from "../deploy/resource-index";
import { s3EventRecord } from "../s3/s3-event";
import { sqsEventRecord } from "../sqs/sqs-record";
import { proxyEvent, gatewayRequestId } from "../http/payload";
import { sandboxAccountId } from "../constants";

export type SampleSource = "s3" | "sqs" | "http";

/**
 * Sample events like `sam local generate-event`, but aimed at this deployment: the bucket, prefix
 * and suffix of the function's own notification, the queue of its own mapping, a route of its API.
 */
export function sampleEvent(source: SampleSource, functionName: string, index: ResourceIndex): unknown {
  const fnArn = index.functionByRef(functionName)?.state.arn;
  switch (source) {
    case "s3": {
      const target = index
        .all(types.bucketNotification)
        .flatMap((notification) =>
          ((notification.inputs.lambdaFunctions as Array<Record<string, string>> | undefined) ?? []).map((entry) => ({ bucket: String(notification.inputs.bucket), entry })),
        )
        .find(({ entry }) => index.functionByRef(entry.lambdaFunctionArn)?.state.arn === fnArn);
      const bucket = target?.bucket ?? String(index.all(types.bucket)[0]?.state.bucket ?? "example-bucket");
      const key = `${target?.entry.filterPrefix ?? ""}sample${target?.entry.filterSuffix ?? ".txt"}`;
      return {
        Records: [
          s3EventRecord(
            { bucket, key, eventName: "ObjectCreated:Put", requestId: randomUUID().slice(0, 16).toUpperCase(), sourceIp: "127.0.0.1", eventTime: new Date() },
            { size: 1024, eTag: createHash("md5").update(key).digest("hex") },
            target?.entry.id ?? "sandbox-sample",
          ),
        ],
      };
    }
    case "sqs": {
      const mapping = index.all(types.eventSourceMapping).find((candidate) => index.functionByRef(candidate.inputs.functionName)?.state.arn === fnArn);
      const queueArn = String(mapping?.inputs.eventSourceArn ?? index.all(types.queue)[0]?.state.arn ?? `arn:aws:sqs:us-east-1:${sandboxAccountId}:example`);
      const body = '{"hello":"from the sandbox"}';
      const now = String(Date.now());
      return {
        Records: [
          sqsEventRecord(
            {
              MessageId: randomUUID(),
              ReceiptHandle: Buffer.from(randomUUID()).toString("base64"),
              Body: body,
              MD5OfBody: createHash("md5").update(body).digest("hex"),
              Attributes: { ApproximateReceiveCount: "1", SentTimestamp: now, SenderId: "AIDASANDBOX", ApproximateFirstReceiveTimestamp: now },
            },
            queueArn,
          ),
        ],
      };
    }
    case "http": {
      const api = index.all(types.api)[0];
      const stage = String(index.all(types.stage).find((candidate) => candidate.inputs.apiId === api?.id)?.inputs.name ?? "$default");
      const rawPath = stage === "$default" ? "/" : `/${stage}/`;
      return proxyEvent(
        {
          method: "GET",
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
        { apiId: api?.id ?? "sandboxapi", stage, routeKey: "$default", pathParameters: {} },
      );
    }
  }
}
