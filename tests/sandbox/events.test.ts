import { describe, expect, it } from "vitest";
import { eventKey, s3EventRecord } from "../../sandbox/services/s3/s3-event";
import { recordsToDelete, sqsEventRecord } from "../../sandbox/services/sqs/sqs-record";
import { proxyEvent, responseOf, type GatewayRequest } from "../../sandbox/services/apigateway/payload";
import { selectRoute } from "../../sandbox/services/apigateway/routes";

/** Every path of leaves in an object, e.g. `s3.object.key`: to compare with AWS's sample events. */
function paths(value: unknown, prefix = ""): string[] {
  if (!value || typeof value !== "object" || Array.isArray(value) || Object.keys(value).length === 0) return [prefix];
  return Object.entries(value).flatMap(([key, inner]) => paths(inner, prefix ? `${prefix}.${key}` : key));
}

describe("events the sandbox emits", () => {
  it("an S3 put record has every field of the SAM CLI sample, with the key encoded as S3 does", () => {
    const record = s3EventRecord(
      {
        bucket: "uploads",
        key: "job_offers/São Paulo (1).csv",
        eventName: "ObjectCreated:Put",
        requestId: "C3D13FE58DE4C810",
        sourceIp: "127.0.0.1",
        eventTime: new Date("2026-01-02T03:04:05Z"),
      },
      { size: 1024, eTag: '"0123456789abcdef0123456789abcdef"' },
      "notification-1",
    );
    expect(paths(record)).toEqual(
      expect.arrayContaining([
        "eventVersion",
        "eventSource",
        "awsRegion",
        "eventTime",
        "eventName",
        "userIdentity.principalId",
        "requestParameters.sourceIPAddress",
        "responseElements.x-amz-request-id",
        "responseElements.x-amz-id-2",
        "s3.s3SchemaVersion",
        "s3.configurationId",
        "s3.bucket.name",
        "s3.bucket.ownerIdentity.principalId",
        "s3.bucket.arn",
        "s3.object.key",
        "s3.object.size",
        "s3.object.eTag",
        "s3.object.sequencer",
      ]),
    );
    expect(record.s3.object).toMatchObject({
      key: "job_offers/S%C3%A3o+Paulo+%281%29.csv",
      size: 1024,
      eTag: "0123456789abcdef0123456789abcdef",
    });
    expect(record.eventTime).toBe("2026-01-02T03:04:05.000Z");
    expect(decodeURIComponent(eventKey("a b+c/d.csv").replace(/\+/g, " "))).toBe("a b+c/d.csv");
  });

  it("an SQS record has every field of the SAM CLI sample", () => {
    const record = sqsEventRecord(
      {
        MessageId: "m-1",
        ReceiptHandle: "r-1",
        Body: "hi",
        MD5OfBody: "49f68a5c8493ec2c0bf489821c21fc3b",
        Attributes: { ApproximateReceiveCount: "2", SentTimestamp: "1", SenderId: "S", ApproximateFirstReceiveTimestamp: "2" },
      },
      "arn:aws:sqs:us-east-1:000000000000:jobs",
    );
    expect(paths(record)).toEqual(
      expect.arrayContaining([
        "messageId",
        "receiptHandle",
        "body",
        "attributes.ApproximateReceiveCount",
        "attributes.SentTimestamp",
        "attributes.SenderId",
        "attributes.ApproximateFirstReceiveTimestamp",
        "messageAttributes",
        "md5OfBody",
        "eventSource",
        "eventSourceARN",
        "awsRegion",
      ]),
    );
    expect(record.attributes.ApproximateReceiveCount).toBe("2");
  });

  it("an HTTP API event has the fields of the SAM CLI sample that the request carries", () => {
    const request: GatewayRequest = {
      method: "POST",
      rawPath: "/dev/v1/jobs",
      rawQueryString: "a=1&a=2",
      headers: { "content-type": "application/json" },
      cookies: ["c=1"],
      queryStringParameters: { a: "1,2" },
      body: "{}",
      isBase64Encoded: false,
      sourceIp: "127.0.0.1",
      userAgent: "curl",
      requestId: "id",
      time: new Date("2020-03-12T19:03:58Z"),
      domainName: "127.0.0.1",
    };
    const event = proxyEvent(request, {
      apiId: "api",
      stage: "dev",
      routeKey: "ANY /{proxy+}",
      pathParameters: { proxy: "v1/jobs" },
      stageVariables: { v: "1" },
    });
    expect(paths(event)).toEqual(
      expect.arrayContaining([
        "version",
        "routeKey",
        "rawPath",
        "rawQueryString",
        "cookies",
        "headers.content-type",
        "queryStringParameters.a",
        "requestContext.accountId",
        "requestContext.apiId",
        "requestContext.domainName",
        "requestContext.domainPrefix",
        "requestContext.http.method",
        "requestContext.http.path",
        "requestContext.http.protocol",
        "requestContext.http.sourceIp",
        "requestContext.http.userAgent",
        "requestContext.requestId",
        "requestContext.routeKey",
        "requestContext.stage",
        "requestContext.time",
        "requestContext.timeEpoch",
        "body",
        "pathParameters.proxy",
        "isBase64Encoded",
        "stageVariables.v",
      ]),
    );
    expect(event.requestContext.time).toBe("12/Mar/2020:19:03:58 +0000");
  });
});

describe("API Gateway behaviour", () => {
  const routes = ["GET /pets/dog/1", "GET /pets/dog/{id}", "GET /pets/{proxy+}", "ANY /{proxy+}", "$default"].map((routeKey) => ({
    routeKey,
  }));

  it("selects the most specific route, as the API Gateway documentation orders them", () => {
    expect(selectRoute(routes, "GET", "/pets/dog/1")?.route.routeKey).toBe("GET /pets/dog/1");
    expect(selectRoute(routes, "GET", "/pets/dog/2")).toMatchObject({
      route: { routeKey: "GET /pets/dog/{id}" },
      pathParameters: { id: "2" },
    });
    expect(selectRoute(routes, "GET", "/pets/cat/2")).toMatchObject({
      route: { routeKey: "GET /pets/{proxy+}" },
      pathParameters: { proxy: "cat/2" },
    });
    expect(selectRoute(routes, "POST", "/pets/cat")?.route.routeKey).toBe("ANY /{proxy+}");
    expect(selectRoute(routes, "GET", "/")?.route.routeKey).toBe("$default");
    expect(selectRoute([{ routeKey: "GET /{proxy+}" }], "GET", "/")).toBeUndefined();
  });

  it("maps results back: responses as given, cookies as Set-Cookie, base64 bodies decoded, anything else as JSON 200", () => {
    expect(responseOf({ statusCode: 201, headers: { Location: "/x" }, cookies: ["a=1", "b=2"], body: "ok" })).toMatchObject({
      statusCode: 201,
      headers: { location: "/x", "set-cookie": ["a=1", "b=2"] },
      body: Buffer.from("ok"),
    });
    expect(responseOf({ statusCode: 200, body: Buffer.from("bin").toString("base64"), isBase64Encoded: true }).body.toString()).toBe("bin");
    expect(responseOf({ items: [] })).toMatchObject({
      statusCode: 200,
      headers: { "content-type": "application/json" },
      body: Buffer.from('{"items":[]}'),
    });
  });
});

describe("SQS partial batch responses", () => {
  const records = ["a", "b", "c"].map((messageId) => ({ messageId }) as ReturnType<typeof sqsEventRecord>);
  const ids = (list: Array<{ messageId?: string }>) => list.map((record) => record.messageId);

  it("deletes what succeeded and keeps what the function reported, or everything on an error or a malformed response", () => {
    expect(ids(recordsToDelete(records, { ok: true, value: { batchItemFailures: [{ itemIdentifier: "b" }] } }, true))).toEqual(["a", "c"]);
    expect(ids(recordsToDelete(records, { ok: true, value: { batchItemFailures: [] } }, true))).toEqual(["a", "b", "c"]);
    expect(ids(recordsToDelete(records, { ok: true, value: { batchItemFailures: [{ itemIdentifier: "zzz" }] } }, true))).toEqual([]);
    expect(ids(recordsToDelete(records, { ok: false }, true))).toEqual([]);
    expect(ids(recordsToDelete(records, { ok: true, value: { batchItemFailures: [{ itemIdentifier: "b" }] } }, false))).toEqual([
      "a",
      "b",
      "c",
    ]);
  });
});
