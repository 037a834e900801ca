import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { bundle } from "../components/bundle";
import { encodeJobMessage } from "../runtime/s3-to-sqs/queue-message";
import { jobVersion } from "../runtime/jobs/version";
import type { JobMessage } from "../runtime/jobs/message";
import { cityOf, idOf } from "./csv";
import { credentials, region, startDynamoHarness, type DynamoHarness, type Traffic } from "./dynamo-harness";
import { handlerEnvironment, HANDLERS, setEnvironment } from "./handler-env";
import type { BenchContext } from "./context";
import { fmt, progress, yesNo, type Figure } from "./report";

const BATCH = 10;
const TABLE = "bench-sqs-to-dynamo";

type Handler = (event: SQSEvent) => Promise<SQSBatchResponse>;

function sqsEvent(batch: number, uploadTime: Date): SQSEvent {
  const Records: SQSRecord[] = [];
  for (let i = 0; i < BATCH; i++) {
    const n = batch * BATCH + i;
    const line = n + 2;
    const message: JobMessage = {
      job: {
        id: idOf(n),
        city: cityOf(n),
        title: `Engineer ${n % 97}`,
        company: "Globex",
        salary_min: 40_000,
        salary_max: 55_000,
        currency: "EUR",
        remote: n % 2 === 0,
      },
      version: jobVersion(uploadTime, line),
      source: { bucket: "bench", key: "job_offers/bench.csv", line },
    };
    Records.push({
      messageId: `m-${n}`,
      receiptHandle: `r-${n}`,
      body: encodeJobMessage(message),
      attributes: {
        ApproximateReceiveCount: "1",
        SentTimestamp: String(uploadTime.getTime()),
        SenderId: "bench",
        ApproximateFirstReceiveTimestamp: String(uploadTime.getTime()),
      },
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:bench",
      awsRegion: region,
    });
  }
  return { Records };
}

/** What a consumer written without the goal in mind does: a client per invocation, one write at a time. */
function naiveHandler(endpoint: string, table: string): Handler {
  return async (event) => {
    const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region, credentials }));
    for (const record of event.Records) {
      const { job, version } = JSON.parse(record.body) as JobMessage;
      await documents.send(
        new PutCommand({
          TableName: table,
          Item: { ...job, _version: version },
          ConditionExpression: "attribute_not_exists(#v) OR #v < :v",
          ExpressionAttributeNames: { "#v": "_version" },
          ExpressionAttributeValues: { ":v": version },
        }),
      );
    }
    documents.destroy();
    return { batchItemFailures: [] };
  };
}

interface ConsumerRun {
  rowsPerSecond: number;
  traffic: Traffic;
  /** TCP connections opened after the first invocation, per invocation. */
  laterConnections: number;
  rows: number;
}

async function drive(harness: DynamoHarness, handler: Handler, invocations: number, uploadTime: Date): Promise<ConsumerRun> {
  await harness.reset();
  let afterFirst = 0;
  const started = performance.now();
  // The handler's log line per invocation would bury the bench's progress.
  const log = console.log;
  console.log = () => undefined;
  try {
    // One invocation at a time: what one container (one Lambda execution environment) sees.
    for (let batch = 0; batch < invocations; batch++) {
      const response = await handler(sqsEvent(batch, uploadTime));
      if (response.batchItemFailures.length > 0)
        throw new Error(`sqs-to-dynamo: batch ${batch} reported ${response.batchItemFailures.length} failures`);
      if (batch === 0) afterFirst = (await harness.traffic()).connections;
    }
  } finally {
    console.log = log;
  }
  const rowsPerSecond = (invocations * BATCH * 1000) / (performance.now() - started);
  const traffic = await harness.traffic();
  return { rowsPerSecond, traffic, laterConnections: (traffic.connections - afterFirst) / (invocations - 1), rows: invocations * BATCH };
}

/**
 * Goal 2. The production sqs-to-dynamo bundle, loaded once in this process as in one Lambda
 * container, against a naive consumer, both writing the same batches into the sandbox's DynamoDB through a
 * proxy that counts what reaches DynamoDB.
 */
export async function sqsToDynamo(ctx: BenchContext): Promise<Figure[]> {
  const invocations = ctx.sizes.sqsToDynamoBatches;
  const harness = await startDynamoHarness();
  let restoreEnvironment: () => void = () => undefined;
  try {
    await harness.createJobsTable(TABLE);
    const spec = HANDLERS.find((handler) => handler.name === "sqs-to-dynamo")!;
    const file = join(ctx.work, "sqs-to-dynamo.js");
    writeFileSync(file, bundle(spec.entry).code);
    // The SDK reads the endpoint when it first sends, so it stays set until this goal ends.
    restoreEnvironment = setEnvironment({
      ...handlerEnvironment(spec.contract, { TABLE_NAME: TABLE }),
      AWS_ENDPOINT_URL: harness.endpoint,
    });
    const production = (createRequire(__filename)(file) as { handler: Handler }).handler;

    progress(`sqs-to-dynamo: ${invocations} batches of ${BATCH} through the sqs-to-dynamo bundle`);
    await harness.createJobsTable(`${TABLE}-naive`);
    const uploadTime = new Date("2026-11-22T10:00:00Z");
    const ours = await drive(harness, production, invocations, uploadTime);
    progress(`sqs-to-dynamo: ${fmt.rate(ours.rowsPerSecond)}; the same batches through a naive consumer`);
    const naive = await drive(harness, naiveHandler(harness.endpoint, `${TABLE}-naive`), invocations, uploadTime);

    const perRow = (run: ConsumerRun) => (run.traffic.requests - run.traffic.errors) / run.rows;
    return [
      {
        figure: "sqs-to-dynamo: DynamoDB requests per row",
        value: `${fmt.num(perRow(ours))} (+${ours.traffic.errors} retried)`,
        baseline: `${fmt.num(perRow(naive))} naive`,
        ratio: fmt.ratio(perRow(ours) / perRow(naive)),
        goal: "<= 1 + retries",
        met: yesNo(perRow(ours) <= 1),
      },
      {
        figure: "sqs-to-dynamo: writes in flight in a batch",
        value: `max ${ours.traffic.maxInFlight}`,
        baseline: `max ${naive.traffic.maxInFlight} naive`,
        ratio: "-",
        goal: "> 1 (concurrent)",
        met: yesNo(ours.traffic.maxInFlight > 1),
      },
      {
        figure: "sqs-to-dynamo: new connections per warm invocation",
        value: fmt.num(ours.laterConnections, 3),
        baseline: `${fmt.num(naive.laterConnections, 3)} client per invocation`,
        ratio: fmt.ratio(ours.laterConnections / naive.laterConnections),
        goal: "< 0.1 (clients reused)",
        met: yesNo(ours.laterConnections < 0.1),
      },
      {
        figure: `sqs-to-dynamo: rows/s (${invocations} batches of ${BATCH})`,
        value: fmt.rate(ours.rowsPerSecond),
        baseline: `${fmt.rate(naive.rowsPerSecond)} naive`,
        ratio: fmt.ratio(ours.rowsPerSecond / naive.rowsPerSecond),
        goal: "-",
        met: "-",
      },
    ];
  } finally {
    restoreEnvironment();
    await harness.stop();
  }
}
