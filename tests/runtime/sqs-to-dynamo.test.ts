import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import type { JobMessage } from "../../runtime/jobs/message";
import type { Job } from "../../runtime/jobs/schema";
import { jobVersion } from "../../runtime/jobs/version";
import { consumeBatch } from "../../runtime/sqs-to-dynamo/consume-batch";
import { createJobsTable, credentials, type Emulators, region, startEmulators } from "../support/emulators";
import { drainQueue, sqsEvent } from "../support/ingest-events";

const TABLE = "jobs";
const HANDLER = "../../runtime/sqs-to-dynamo/index";
const UPLOADED = "2026-11-22T09:30:00.000Z";

let emulators: Emulators;
let documents: DynamoDBDocumentClient;
let queueUrl: string;
let queueArn: string;
let handler: (typeof import("../../runtime/sqs-to-dynamo/index"))["handler"];
let logs: string[];

beforeAll(async () => {
  emulators = await startEmulators();
  await createJobsTable(emulators.dynamo, TABLE);
  documents = DynamoDBDocumentClient.from(emulators.dynamo);
  queueUrl = (await emulators.sqs.send(new CreateQueueCommand({ QueueName: "jobs" }))).QueueUrl as string;
  const { Attributes } = await emulators.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }));
  queueArn = Attributes?.QueueArn as string;
  delete process.env.AWS_ENDPOINT_URL;
  Object.assign(process.env, {
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: emulators.awsEndpoint,
    TABLE_NAME: TABLE,
  });
  // The handler reads its environment when it is loaded: import it only now.
  ({ handler } = await import(HANDLER));
});

afterAll(() => emulators?.stop());

beforeEach(() => {
  logs = [];
  vi.spyOn(console, "log").mockImplementation((line: unknown) => void logs.push(String(line)));
  return () => vi.restoreAllMocks();
});

function body(job: Record<string, unknown>, line: number): string {
  const message: JobMessage = {
    job: job as Job,
    version: jobVersion(UPLOADED, line),
    source: { bucket: "uploads", key: "job_offers/a.csv", line },
  };
  return JSON.stringify(message);
}

/** Sends the bodies through the real queue and receives them as the event source mapping would. */
async function deliver(bodies: string[]) {
  for (let start = 0; start < bodies.length; start += 10) {
    const entries = bodies.slice(start, start + 10).map((MessageBody, index) => ({ Id: `m${start + index}`, MessageBody }));
    await emulators.sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
  }
  const received = await drainQueue(emulators.sqs, queueUrl);
  // The queue does not promise an order: put the records back in sending order.
  received.sort((a, b) => bodies.indexOf(a.Body as string) - bodies.indexOf(b.Body as string));
  return sqsEvent(received, queueArn);
}

async function stored(id: string, city: string) {
  return (await documents.send(new GetCommand({ TableName: TABLE, Key: { id, city } }))).Item;
}

const lastLog = () => JSON.parse(logs[logs.length - 1]);

describe("sqs-to-dynamo", () => {
  it("writes each job with its version", async () => {
    const event = await deliver([
      body({ id: "w-1", city: "Paris", title: "Dev", salary_min: 100, remote: true, team: "Data" }, 2),
      body({ id: "w-2", city: "São Paulo" }, 3),
    ]);
    expect(await handler(event)).toEqual({ batchItemFailures: [] });
    expect(await stored("w-1", "Paris")).toEqual({
      id: "w-1",
      city: "Paris",
      title: "Dev",
      salary_min: 100,
      remote: true,
      team: "Data",
      _version: `${UPLOADED}#0000000002`,
    });
    expect(await stored("w-2", "São Paulo")).toEqual({ id: "w-2", city: "São Paulo", _version: `${UPLOADED}#0000000003` });
    expect(lastLog()).toEqual({ message: "consumed", records: 2, written: 2, stale: 0, failed: 0 });
  });

  it("adds nothing when the same messages are delivered again", async () => {
    const event = await deliver([body({ id: "r-1", city: "Lyon", title: "first" }, 2), body({ id: "r-2", city: "Lyon" }, 3)]);
    await handler(event);
    const before = await emulators.dynamo.send(new ScanCommand({ TableName: TABLE }));
    expect(await handler(event)).toEqual({ batchItemFailures: [] });
    expect(lastLog()).toEqual({ message: "consumed", records: 2, written: 0, stale: 2, failed: 0 });
    const after = await emulators.dynamo.send(new ScanCommand({ TableName: TABLE }));
    expect(after.Items).toEqual(before.Items);
  });

  it("never lets an older version overwrite a newer one, in one batch or across batches", async () => {
    await handler(await deliver([body({ id: "o-1", city: "Nice", title: "line 9" }, 9)]));
    await handler(await deliver([body({ id: "o-1", city: "Nice", title: "line 7" }, 7)]));
    expect(await stored("o-1", "Nice")).toMatchObject({ title: "line 9", _version: `${UPLOADED}#0000000009` });

    // A newer upload of the same row wins; within one batch, whichever write lands first, the newer stays.
    const newer = jobVersion("2026-11-23T08:00:00Z", 2);
    const event = await deliver([
      JSON.stringify({ job: { id: "o-1", city: "Nice", title: "next day" }, version: newer, source: { bucket: "b", key: "k", line: 2 } }),
      body({ id: "o-1", city: "Nice", title: "line 8" }, 8),
    ]);
    expect(await handler(event)).toEqual({ batchItemFailures: [] });
    expect(await stored("o-1", "Nice")).toMatchObject({ title: "next day", _version: newer });
  });

  it("reports exactly the poison messages and writes the others", async () => {
    const poison = [
      "not json",
      JSON.stringify({ job: { id: "p-2" }, version: jobVersion(UPLOADED, 2) }),
      JSON.stringify({ job: { id: "p-3", city: "Brest" }, version: "9999" }),
      JSON.stringify({ job: { id: "p-4", city: "Brest", salary_min: "100" }, version: jobVersion(UPLOADED, 4) }),
      JSON.stringify({ job: JSON.parse('{"id":"p-5","city":"Brest","__proto__":"x"}'), version: jobVersion(UPLOADED, 5) }),
      "[]",
    ];
    const good = [body({ id: "g-1", city: "Brest" }, 10), body({ id: "g-2", city: "Brest" }, 11)];
    const event = await deliver([good[0], ...poison, good[1]]);
    const poisonIds = event.Records.filter((record) => poison.includes(record.body)).map((record) => record.messageId);

    expect(await handler(event)).toEqual({ batchItemFailures: poisonIds.map((itemIdentifier) => ({ itemIdentifier })) });
    expect(await stored("g-1", "Brest")).toBeDefined();
    expect(await stored("g-2", "Brest")).toBeDefined();
    expect(await stored("p-3", "Brest")).toBeUndefined();
    expect(lastLog()).toEqual({
      message: "consumed",
      records: 8,
      written: 2,
      stale: 0,
      failed: 6,
      failures: expect.arrayContaining([
        { messageId: poisonIds[0], reason: "the body is not JSON" },
        { messageId: poisonIds[1], reason: "job.city: is required" },
        { messageId: poisonIds[2], reason: "version: must be a job version such as 2026-11-22T09:30:00.000Z#0000000002" },
        { messageId: poisonIds[3], reason: "job.salary_min: must be a number" },
        { messageId: poisonIds[4], reason: "job.__proto__: '__proto__' is not allowed as a field name" },
        { messageId: poisonIds[5], reason: "the body is not a JSON object" },
      ]),
    });
  });

  it("gives back only the record whose write failed, and bounds the writes in flight", async () => {
    const records = Array.from({ length: 40 }, (_, index) => ({
      messageId: `id-${index}`,
      body: body({ id: `c-${index}`, city: "Metz" }, index + 2),
    })) as SQSRecord[];
    let inFlight = 0;
    let mostInFlight = 0;
    const store = {
      async putIfNewer(job: Job) {
        inFlight++;
        mostInFlight = Math.max(mostInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 2));
        inFlight--;
        if (job.id === "c-17")
          throw Object.assign(new Error("Rate of requests exceeds the allowed throughput."), {
            name: "ProvisionedThroughputExceededException",
          });
        return job.id === "c-3" ? ("stale" as const) : ("written" as const);
      },
    };
    const { response, counts, failures } = await consumeBatch(records, store, 16);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: "id-17" }] });
    expect(counts).toEqual({ records: 40, written: 38, stale: 1, failed: 1 });
    expect(failures).toEqual([
      { messageId: "id-17", reason: "ProvisionedThroughputExceededException: Rate of requests exceeds the allowed throughput." },
    ]);
    expect(mostInFlight).toBe(16);
  });

  it("fails its cold start with one message when TABLE_NAME is missing", async () => {
    const saved = process.env.TABLE_NAME;
    try {
      delete process.env.TABLE_NAME;
      vi.resetModules();
      await expect(import(HANDLER)).rejects.toThrow(
        "sqs-to-dynamo: missing environment variable(s) TABLE_NAME; they are set by the component that deploys this function (TABLE_NAME).",
      );
    } finally {
      process.env.TABLE_NAME = saved;
      vi.resetModules();
    }
  });
});
