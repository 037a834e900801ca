import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { startLocalAws, type LocalAws } from "../../sandbox/endpoint";
import { fauxqsModule } from "../../sandbox/endpoint/fauxqs";
import { bodiesOnDisk, type FauxqsSqsStoreClass, type QueuedMessage } from "../../sandbox/endpoint/sqs-bodies-on-disk";
import { sandboxCredentials as credentials, sandboxRegion as region } from "../../sandbox/shared/constants";

const bodies = [
  "plain",
  "Ingénieur·e à São Paulo",
  "emoji 🚀 and 𝄞 beyond U+FFFF",
  `{"job":{"id":"job-1","city":"Paris"}}`,
  "x".repeat(200_000),
];
const utf8Bytes = (texts: string[]) => texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0);

describe("queued messages' bodies kept on disk under the state directory", () => {
  let aws: LocalAws;
  let stateDir: string;
  let sqs: SQSClient;
  const bytesOnDisk = () => readdirSync(join(stateDir, "sqs")).reduce((sum, file) => sum + statSync(join(stateDir, "sqs", file)).size, 0);

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), "sandbox-sqs-disk-"));
    aws = await startLocalAws({ port: 0, stateDir });
    sqs = new SQSClient({ endpoint: aws.origin, region, credentials });
  });
  afterAll(async () => {
    sqs?.destroy();
    await aws?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("writes each body to disk as it is queued and gives it back unchanged, with its MD5 and attributes, in order", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "bodies" }));
    await sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: bodies[0],
        MessageAttributes: { kind: { DataType: "String", StringValue: "first" } },
      }),
    );
    await sqs.send(
      new SendMessageBatchCommand({ QueueUrl, Entries: bodies.slice(1).map((MessageBody, i) => ({ Id: String(i), MessageBody })) }),
    );
    expect(bytesOnDisk()).toBe(utf8Bytes(bodies));

    const received = [];
    while (received.length < bodies.length) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ["All"] }),
      );
      received.push(...Messages);
    }
    expect(received.map((message) => message.Body)).toEqual(bodies);
    expect(received.map((message) => message.MD5OfBody)).toEqual(bodies.map((body) => createHash("md5").update(body).digest("hex")));
    expect(received[0].MessageAttributes).toEqual({ kind: { DataType: "String", StringValue: "first" } });
  });

  it("shows bodies where messages are looked at without receiving them, after a redrive to the dead-letter queue too", async () => {
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: "bodies-dlq" }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ["QueueArn"] }));
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({
        QueueName: "bodies-redriven",
        Attributes: {
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes!.QueueArn, maxReceiveCount: 1 }),
          VisibilityTimeout: "0",
        },
      }),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: bodies[2] }));
    expect(aws.queueContents("bodies-redriven")?.visible.map((message) => message.body)).toEqual([bodies[2]]);
    // Received once and left to fail: the second receive moves it to the dead-letter queue.
    await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages).toBeUndefined();

    expect(aws.queueContents("bodies-dlq")?.visible.map((message) => message.body)).toEqual([bodies[2]]);
    // fauxqs' own inspection route (npm run dlq reads it) answers in JSON.
    const inspected = (await (await fetch(`${aws.origin}/_fauxqs/queues/bodies-dlq`)).json()) as {
      messages: { ready: Array<{ body: string }> };
    };
    expect(inspected.messages.ready.map((message) => message.body)).toEqual([bodies[2]]);
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.QueueUrl }));
    expect(received.Messages?.map((message) => message.Body)).toEqual([bodies[2]]);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: dlq.QueueUrl, ReceiptHandle: received.Messages![0].ReceiptHandle }));
  });
});

describe("the files of queued bodies", () => {
  it("are removed once every message they hold is gone, when a new file starts", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sqs-bodies-files-"));
    try {
      const { SqsStore } = await fauxqsModule<{ SqsStore: FauxqsSqsStoreClass & { createMessage(body: string): QueuedMessage } }>(
        "sqs",
        "sqsStore.js",
      );
      // Files of 1,000 bytes: each body below is 400, so a file holds two.
      const store = bodiesOnDisk(SqsStore, dir, 1_000);
      const queue = store.createQueue("q", "http://127.0.0.1/000000000000/q", "arn:aws:sqs:us-east-1:000000000000:q", {}) as unknown as {
        enqueue(message: QueuedMessage): void;
        dequeue(count: number): Array<{ Body: string; ReceiptHandle: string }>;
        deleteMessage(receiptHandle: string): void;
      };
      const send = (n: number) => queue.enqueue(SqsStore.createMessage(String(n).repeat(400).slice(0, 400)));
      [1, 2, 3].forEach(send);
      expect(readdirSync(dir).sort()).toEqual(["bodies-1", "bodies-2"]);
      // The two messages of the first file received and deleted: the next file started removes it.
      const received = queue.dequeue(2);
      expect(received.map((message) => message.Body[0])).toEqual(["1", "2"]);
      received.forEach((message) => queue.deleteMessage(message.ReceiptHandle));
      [4, 5].forEach(send);
      expect(readdirSync(dir).sort()).toEqual(["bodies-2", "bodies-3"]);
      expect(queue.dequeue(3).map((message) => message.Body[0])).toEqual(["3", "4", "5"]);
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
