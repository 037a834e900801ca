import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { request as httpRequest } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { startLocalAws, type LocalAws, type ObjectEvent } from "../../sandbox/endpoint";
import { sandboxCredentials as credentials, sandboxRegion as region } from "../../sandbox/shared/constants";

describe("the sandbox AWS endpoint", () => {
  let aws: LocalAws;
  let stateDir: string;
  const writes: ObjectEvent[] = [];

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), "sandbox-endpoint-"));
    aws = await startLocalAws({ port: 0, stateDir });
    aws.objectEvents.add((write) => writes.push(write));
  });
  afterAll(async () => {
    await aws?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("serves DynamoDB, S3 and SQS to SDK clients that only know the endpoint", async () => {
    const endpoint = aws.origin;
    const dynamo = new DynamoDBClient({ endpoint, region, credentials });
    await dynamo.send(
      new CreateTableCommand({
        TableName: "things",
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      }),
    );
    expect((await dynamo.send(new ListTablesCommand({}))).TableNames).toContain("things");

    const s3 = new S3Client({ endpoint, region, credentials, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: "uploads" }));
    await s3.send(new PutObjectCommand({ Bucket: "uploads", Key: "in/a b.csv", Body: "id,city\n" }));
    const object = await s3.send(new GetObjectCommand({ Bucket: "uploads", Key: "in/a b.csv" }));
    expect(await object.Body?.transformToString()).toBe("id,city\n");
    expect(writes).toMatchObject([{ bucket: "uploads", key: "in/a b.csv", eventName: "ObjectCreated:Put" }]);

    // Default SQS client: it sends to the queue URL's host, which must therefore be this endpoint.
    const sqs = new SQSClient({ endpoint, region, credentials });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "work" }));
    expect(QueueUrl).toBe(`${endpoint}/000000000000/work`);
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "hello" }));
    const viaLocalhost = QueueUrl!.replace("127.0.0.1", "localhost");
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: viaLocalhost }));
    expect(Messages?.[0]?.Body).toBe("hello");
  });

  it("keeps the bytes of an object put with a form's or a JSON API's content type, as S3 keeps any body", async () => {
    const s3 = new S3Client({ endpoint: aws.origin, region, credentials, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: "typed" }));
    const body = "id=1&city=Paris";
    for (const ContentType of ["application/x-www-form-urlencoded", "application/x-amz-json-1.0"]) {
      await s3.send(new PutObjectCommand({ Bucket: "typed", Key: ContentType, Body: body, ContentType }));
      const object = await s3.send(new GetObjectCommand({ Bucket: "typed", Key: ContentType }));
      expect({ body: await object.Body?.transformToString(), type: object.ContentType }).toEqual({ body, type: ContentType });
    }
  });

  it("accepts every message body SQS accepts, characters beyond U+FFFF included, and refuses what SQS refuses", async () => {
    const sqs = new SQSClient({ endpoint: aws.origin, region, credentials });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "unicode" }));
    const body = "Ingénieur·e 🚀 東京 𝄞";
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    expect(received.Messages?.map((message) => message.Body)).toEqual([body]);
    await expect(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "bad \uffff" }))).rejects.toThrow("Invalid characters found");
    sqs.destroy();
  });

  it("builds fauxqs without loading fastify's schema compilers, which still serve a route that declares a schema", async () => {
    const fromFauxqs = createRequire(join(__dirname, "..", "..", "node_modules", "fauxqs", "package.json"));
    const fromFastify = createRequire(fromFauxqs.resolve("fastify"));
    const validator = fromFastify.resolve("@fastify/ajv-compiler");
    const serializer = fromFastify.resolve("@fastify/fast-json-stringify-compiler");
    // The real modules have named exports besides the function; the stand-ins have none.
    for (const compiler of [validator, serializer]) {
      expect(typeof fromFastify.cache[compiler]?.exports).toBe("function");
      expect(Object.keys(fromFastify.cache[compiler]!.exports)).toEqual([]);
    }

    const fastify = fromFauxqs("fastify") as typeof import("fastify").default;
    const app = fastify();
    app.post(
      "/",
      {
        schema: {
          body: { type: "object", required: ["name"] },
          // The serializer writes only what the response schema declares.
          response: { 200: { type: "object", properties: { ok: { type: "boolean" } } } },
        },
      },
      async () => ({ ok: true, hidden: "not in the schema" }),
    );
    const refused = await app.inject({ method: "POST", url: "/", payload: {} });
    const accepted = await app.inject({ method: "POST", url: "/", payload: { name: "x" } });
    await app.close();
    expect([refused.statusCode, refused.json().message]).toEqual([400, "body must have required property 'name'"]);
    expect([accepted.statusCode, accepted.body]).toEqual([200, '{"ok":true}']);
    expect(fromFastify.cache[validator]?.exports.AjvReference).toBeDefined();
    expect(fromFastify.cache[serializer]?.exports.SerializerSelector).toBeDefined();
  });

  it("speaks SQS's query protocol too, for AWS CLIs that predate SQS's JSON protocol", async () => {
    const call = async (params: Record<string, string>) => {
      const response = await fetch(aws.origin, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
        body: new URLSearchParams({ Version: "2012-11-05", ...params }).toString(),
      });
      return { status: response.status, xml: await response.text() };
    };
    const created = await call({
      Action: "CreateQueue",
      QueueName: "legacy",
      "Attribute.1.Name": "VisibilityTimeout",
      "Attribute.1.Value": "7",
    });
    expect(created.xml).toContain(`<QueueUrl>${aws.origin}/000000000000/legacy</QueueUrl>`);
    const QueueUrl = `${aws.origin}/000000000000/legacy`;
    expect((await call({ Action: "SendMessage", QueueUrl, MessageBody: "a & b" })).xml).toMatch(
      /<SendMessageResult><MessageId>[^<]+<\/MessageId><MD5OfMessageBody>/,
    );
    const received = await call({ Action: "ReceiveMessage", QueueUrl, "AttributeName.1": "All", MaxNumberOfMessages: "10" });
    expect(received.xml).toContain("<Body>a &amp; b</Body>");
    expect(received.xml).toContain("<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>");
    const attributes = await call({ Action: "GetQueueAttributes", QueueUrl, "AttributeName.1": "VisibilityTimeout" });
    expect(attributes.xml).toContain("<Attribute><Name>VisibilityTimeout</Name><Value>7</Value></Attribute>");
    const missing = await call({ Action: "GetQueueUrl", QueueName: "nope" });
    expect(missing.status).toBe(400);
    expect(missing.xml).toContain("<Code>AWS.SimpleQueueService.NonExistentQueue</Code>");
  });

  it("refuses another site's name in Host (DNS rebinding) and browser requests from pages that are not the sandbox's", async () => {
    const port = Number(new URL(aws.origin).port);
    // node:http rather than fetch: fetch does not let a caller choose the Host header.
    const send = (headers: Record<string, string>, params: Record<string, string>, address = "127.0.0.1") =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const body = new URLSearchParams({ Version: "2012-11-05", ...params }).toString();
        const call = httpRequest(
          {
            host: address,
            port,
            method: "POST",
            path: "/",
            headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
          },
          (response) => {
            const chunks: Buffer[] = [];
            response.on("data", (chunk: Buffer) => chunks.push(chunk));
            response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
          },
        );
        call.on("error", reject);
        call.end(body);
      });
    const create = (name: string) => ({ Action: "CreateQueue", QueueName: name });

    const rebound = await send({ host: `attacker.example:${port}` }, create("rebound"));
    expect(rebound).toEqual({
      status: 403,
      body: JSON.stringify({
        __type: "AccessDeniedException",
        message: `the sandbox answers requests addressed to 127.0.0.1:${port}, [::1]:${port} or localhost:${port} only, not 'attacker.example:${port}'`,
      }),
    });
    expect((await send({ host: `127.0.0.1:${port + 1}` }, create("other-port"))).status).toBe(403);

    const foreign = await send({ origin: "https://attacker.example" }, create("foreign"));
    expect(foreign).toEqual({
      status: 403,
      body: JSON.stringify({
        __type: "AccessDeniedException",
        message: "the sandbox's AWS endpoint refuses requests from pages of other origins ('https://attacker.example')",
      }),
    });
    expect((await send({ origin: "null" }, create("sandboxed-frame"))).status).toBe(403);
    expect((await send({ "sec-fetch-site": "cross-site" }, create("no-cors"))).body).toBe(
      JSON.stringify({ __type: "AccessDeniedException", message: "the sandbox's AWS endpoint refuses requests from pages of other sites" }),
    );

    // Nothing refused was done; the sandbox's own pages and clients by either loopback name are served.
    expect((await send({ origin: aws.origin }, create("own-page"))).status).toBe(200);
    expect((await send({ host: `localhost:${port}` }, create("by-localhost"))).status).toBe(200);
    expect((await send({ origin: `http://localhost:${port}` }, create("own-page-by-localhost"))).status).toBe(200);
    // The IPv6 loopback on the same port (where `localhost` may resolve first) is the same server.
    expect((await send({ host: `[::1]:${port}`, origin: `http://[::1]:${port}` }, create("by-ipv6"), "::1")).status).toBe(200);
    const listed = (await send({}, { Action: "ListQueues" })).body;
    for (const served of ["own-page", "by-localhost", "own-page-by-localhost", "by-ipv6"]) expect(listed).toContain(`/${served}<`);
    for (const refused of ["rebound", "other-port", "foreign", "sandboxed-frame", "no-cors"]) expect(listed).not.toContain(`/${refused}<`);
  });

  describe("bodies over fauxqs' own 11 MiB limit, up to S3's 5 GiB", () => {
    let s3: S3Client;
    const bucket = "large";
    // Not one repeated byte: a body cut short or shifted would not compare equal.
    const body = Buffer.alloc(12 * 1024 * 1024, "id,city,title\n");
    const md5 = (bytes: Buffer) => createHash("md5").update(bytes).digest("hex");

    beforeAll(async () => {
      s3 = new S3Client({ endpoint: aws.origin, region, credentials, forcePathStyle: true });
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    });
    afterAll(() => s3?.destroy());

    it("stores a 12 MiB PutObject whole: its MD5 as ETag in the PUT, HEAD, GET and list answers, and an object event", async () => {
      const etag = `"${md5(body)}"`;
      const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "in/big.csv", Body: body }));
      expect(put.ETag).toBe(etag);
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "in/big.csv" }));
      expect({ size: head.ContentLength, etag: head.ETag }).toEqual({ size: body.length, etag });
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "in/big.csv" }));
      expect(got.ETag).toBe(etag);
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
      expect(listed.Contents?.map(({ Key, Size, ETag }) => ({ Key, Size, ETag }))).toEqual([
        { Key: "in/big.csv", Size: body.length, ETag: etag },
      ]);
      expect(writes.filter((write) => write.bucket === bucket)).toMatchObject([{ key: "in/big.csv", eventName: "ObjectCreated:Put" }]);
    });

    it("checks conditional writes of a large body as for any other", async () => {
      await expect(
        s3.send(new PutObjectCommand({ Bucket: bucket, Key: "in/big.csv", Body: body, IfNoneMatch: "*" })),
      ).rejects.toMatchObject({
        name: "PreconditionFailed",
        $metadata: { httpStatusCode: 412 },
      });
      const replacement = Buffer.concat([body, Buffer.from("last,line,here\n")]);
      const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "in/big.csv", Body: replacement, IfMatch: `"${md5(body)}"` }));
      expect(put.ETag).toBe(`"${md5(replacement)}"`);
      expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "in/big.csv" }))).ContentLength).toBe(replacement.length);
    });

    it("takes a 12 MiB UploadPart: the completed object has S3's multipart ETag (MD5 of the parts' MD5s, dash, part count)", async () => {
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "in/parts.csv" }));
      const part = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: "in/parts.csv", UploadId, PartNumber: 1, Body: body }));
      expect(part.ETag).toBe(`"${md5(body)}"`);
      await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: "in/parts.csv",
          UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
        }),
      );
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "in/parts.csv" }));
      const partsDigest = createHash("md5")
        .update(Buffer.from(md5(body), "hex"))
        .digest("hex");
      expect({ size: head.ContentLength, etag: head.ETag }).toEqual({ size: body.length, etag: `"${partsDigest}-1"` });
    });

    it("answers a PUT that declares more than 5 GiB with S3's EntityTooLarge, before its body is sent, and stores nothing", async () => {
      const declared = 5 * 1024 ** 3 + 1;
      const answer = await new Promise<{ status?: number; contentType?: string; body: string }>((resolve, reject) => {
        const call = httpRequest(
          `${aws.origin}/${bucket}/in/huge.csv`,
          { method: "PUT", headers: { "content-type": "text/csv", "content-length": String(declared) } },
          (response) => {
            const chunks: Buffer[] = [];
            response.on("data", (chunk: Buffer) => chunks.push(chunk));
            response.on("end", () => {
              resolve({
                status: response.statusCode,
                contentType: response.headers["content-type"],
                body: Buffer.concat(chunks).toString("utf8"),
              });
              call.destroy();
            });
          },
        );
        call.on("error", reject);
        // The headers alone: the answer must not wait for 5 GiB that never come.
        call.flushHeaders();
      });
      expect(answer).toEqual({
        status: 400,
        contentType: "application/xml",
        body: expect.stringMatching(
          new RegExp(
            '^<\\?xml version="1.0" encoding="UTF-8"\\?>\n<Error><Code>EntityTooLarge</Code><Message>Your proposed upload exceeds the maximum allowed size</Message>' +
              `<ProposedSize>${declared}</ProposedSize><MaxSizeAllowed>${5 * 1024 ** 3}</MaxSizeAllowed><RequestId>[-0-9a-f]+</RequestId></Error>$`,
          ),
        ),
      });
      await expect(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "in/huge.csv" }))).rejects.toMatchObject({ name: "NotFound" });
    });

    it("tells an SDK that streams a body declared over 5 GiB EntityTooLarge before it sends the body", async () => {
      let pulled = 0;
      const endless = new Readable({
        read() {
          pulled += 64 * 1024;
          this.push(Buffer.alloc(64 * 1024));
        },
      });
      // A stream of known length: the SDK sends it aws-chunked, the size in x-amz-decoded-content-length, and waits for 100 Continue.
      const put = s3.send(new PutObjectCommand({ Bucket: bucket, Key: "in/stream.csv", Body: endless, ContentLength: 6 * 1024 ** 3 }));
      await expect(put).rejects.toMatchObject({ name: "EntityTooLarge", $metadata: { httpStatusCode: 400 } });
      expect(pulled).toBeLessThan(1024 * 1024);
      endless.destroy();
    });

    it("answers what fauxqs fails on in S3's XML, never in JSON", async () => {
      const response = await fetch(`${aws.origin}/${bucket}/copy.csv`, {
        method: "PUT",
        headers: { "x-amz-copy-source": `/${bucket}/%E0%A4%A` },
      });
      expect({ status: response.status, contentType: response.headers.get("content-type") }).toEqual({
        status: 500,
        contentType: "application/xml",
      });
      expect(await response.text()).toMatch(
        /<Error><Code>InternalError<\/Code><Message>the sandbox&apos;s S3 \(fauxqs\) failed: URI malformed<\/Message>/,
      );
    });
  });
});
