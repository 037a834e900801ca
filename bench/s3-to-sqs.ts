import { join } from "node:path";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { startLocalAws } from "../sandbox/endpoint";
import { bundledScript, quietEnv, runJsonChild } from "./child";
import { writeCsv } from "./csv";
import type { BenchContext } from "./context";
import { fmt, progress, yesNo, type Figure } from "./report";

const IN_FLIGHT = 4;
const RSS_LIMIT = 256 * 1048576;

interface Run {
  rows: number;
  queued?: number;
  requests?: number;
  maxInFlight?: number;
  reportStatus?: string;
  parts?: number;
  cpuMs: number;
  schemaCpuMs?: number;
  wallMs: number;
  maxRssBytes: number;
}

/**
 * Goal 1. The s3-to-sqs ingestion (runtime/s3-to-sqs/ingest-file.ts, bundled) in a fresh process
 * per file: against csv-parse alone on the same file for CPU, against itself on a ten times
 * smaller file for memory, and against one SendMessage per row for SQS requests (both into the
 * sandbox's own endpoint, fauxqs inside).
 */
export async function s3ToSqs(ctx: BenchContext): Promise<Figure[]> {
  const [small, big] = ctx.sizes.s3ToSqsRows;
  const queueRows = ctx.sizes.queueRows;
  const smallFile = join(ctx.work, `s3-to-sqs-${small}.csv`);
  const bigFile = join(ctx.work, `s3-to-sqs-${big}.csv`);
  const queueFile = join(ctx.work, `s3-to-sqs-${queueRows}.csv`);
  progress(`s3-to-sqs: generating ${small.toLocaleString("en-US")}- and ${big.toLocaleString("en-US")}-row CSV files`);
  const bigBytes = await writeCsv(bigFile, big, "s3-to-sqs");
  await writeCsv(smallFile, small, "s3-to-sqs");
  await writeCsv(queueFile, queueRows, "s3-to-sqs");
  const script = bundledScript("bench/s3-to-sqs-child.ts", ctx.work);
  const timeoutMs = 60_000 + big / 5;
  const run = (args: string[], env = quietEnv) => runJsonChild<Run>([script, ...args], { env, timeoutMs });

  progress(`s3-to-sqs: csv-parse alone on ${fmt.mb(bigBytes)}`);
  const parseBig = await run(["parse", bigFile]);
  progress(
    `s3-to-sqs: csv-parse ${fmt.rate((parseBig.rows / parseBig.wallMs) * 1000)}, ${fmt.mb(parseBig.maxRssBytes)} RSS; ingesting the same file`,
  );
  const ingestBig = await run(["ingest", bigFile, String(IN_FLIGHT)]);
  progress(
    `s3-to-sqs: ingestion ${fmt.rate((ingestBig.rows / ingestBig.wallMs) * 1000)}, ${fmt.mb(ingestBig.maxRssBytes)} RSS; now ${small.toLocaleString("en-US")} rows`,
  );
  const ingestSmall = await run(["ingest", smallFile, String(IN_FLIGHT)]);
  // Parts of a large file: each given the time that makes about 12 parts of the single pass's
  // work, once the fifth of a part's time (at least 1 s) that it keeps back is taken off.
  const partMs = Math.max(2_000, Math.round(ingestBig.wallMs / 12) + 1_000, Math.round(ingestBig.wallMs / 12 / 0.8));
  progress(`s3-to-sqs: the same file in parts of ${fmt.ms(partMs)} each`);
  const ingestParts = await run(["ingest-parts", bigFile, String(IN_FLIGHT), String(partMs)]);
  // Where the time goes: the same reading and validation, without encoding and sending.
  const validateBig = await run(["validate", bigFile]);
  const schemaSmall = await run(["schema", smallFile]);
  for (const [name, result] of [
    ["big", ingestBig],
    ["small", ingestSmall],
    ["big, in parts", ingestParts],
  ] as const) {
    if (result.queued !== result.rows || result.reportStatus !== "complete") {
      throw new Error(`s3-to-sqs (${name} file): ${result.queued} of ${result.rows} rows queued, report ${result.reportStatus}`);
    }
  }

  progress(`s3-to-sqs: ${queueRows.toLocaleString("en-US")} rows into the sandbox's SQS, batched and one SendMessage per row`);
  const aws = await startLocalAws({ port: 0 });
  let batched: Run;
  let naive: Run;
  try {
    const credentials = { accessKeyId: "bench", secretAccessKey: "bench" };
    const sqs = new SQSClient({ endpoint: aws.origin, region: "us-east-1", credentials });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "bench-s3-to-sqs" }));
    sqs.destroy();
    const env = {
      ...quietEnv,
      AWS_ENDPOINT_URL: aws.origin,
      QUEUE_URL: QueueUrl!,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "bench",
      AWS_SECRET_ACCESS_KEY: "bench",
    };
    naive = await run(["naive-sqs", queueFile, String(IN_FLIGHT)], env);
    batched = await run(["ingest-sqs", queueFile, String(IN_FLIGHT)], env);
  } finally {
    await aws.stop();
  }

  const perRow = (run: Run) => (run.cpuMs * 1000) / run.rows;
  const cpuRatio = perRow(ingestBig) / perRow(parseBig);
  const rssRatio = ingestBig.maxRssBytes / ingestSmall.maxRssBytes;
  const requestsPerRow = batched.requests! / batched.rows;
  const naivePerRow = naive.requests! / naive.rows;
  const rate = (run: Run) => (run.rows / run.wallMs) * 1000;
  return [
    {
      figure: "s3-to-sqs: SQS requests per row (into the sandbox's SQS)",
      value: fmt.num(requestsPerRow, 3),
      baseline: `${fmt.num(naivePerRow, 3)} (SendMessage per row)`,
      ratio: fmt.ratio(requestsPerRow / naivePerRow),
      goal: "<= 0.1",
      met: yesNo(requestsPerRow <= 0.1 && batched.queued === batched.rows),
    },
    {
      figure: "s3-to-sqs: rows/s into the sandbox's SQS",
      value: fmt.rate(rate(batched)),
      baseline: `${fmt.rate(rate(naive))} SendMessage per row`,
      ratio: fmt.ratio(rate(batched) / rate(naive)),
      goal: "-",
      met: "-",
    },
    {
      figure: "s3-to-sqs: SendMessageBatch calls in flight",
      value: `max ${ingestBig.maxInFlight}`,
      baseline: `MAX_BATCHES_IN_FLIGHT=${IN_FLIGHT}`,
      ratio: "-",
      goal: "several, bounded",
      met: yesNo(ingestBig.maxInFlight! > 1 && ingestBig.maxInFlight! <= IN_FLIGHT),
    },
    {
      figure: `s3-to-sqs: CPU per row (${big.toLocaleString("en-US")} rows)`,
      value: fmt.us(perRow(ingestBig)),
      baseline: `${fmt.us(perRow(parseBig))} csv-parse alone`,
      ratio: fmt.ratio(cpuRatio),
      goal: "<= 2x",
      met: yesNo(cpuRatio <= 2),
    },
    {
      figure: "s3-to-sqs: CPU per row, read + validate only",
      value: fmt.us(perRow(validateBig)),
      baseline: `${fmt.us(perRow(parseBig))} csv-parse alone`,
      ratio: fmt.ratio(perRow(validateBig) / perRow(parseBig)),
      goal: "-",
      met: "-",
    },
    {
      figure: "s3-to-sqs: CPU per row, jobFromCsvRecord alone",
      value: fmt.us((schemaSmall.schemaCpuMs! * 1000) / schemaSmall.rows),
      baseline: `${fmt.us(perRow(parseBig))} csv-parse alone`,
      ratio: fmt.ratio((schemaSmall.schemaCpuMs! * 1000) / schemaSmall.rows / perRow(parseBig)),
      goal: "-",
      met: "-",
    },
    {
      figure: `s3-to-sqs: ${big.toLocaleString("en-US")} rows in ${ingestParts.parts} parts of ${fmt.ms(partMs)}, rows/s`,
      value: fmt.rate(rate(ingestParts)),
      baseline: `${fmt.rate(rate(ingestBig))} single pass`,
      ratio: fmt.ratio(rate(ingestParts) / rate(ingestBig)),
      goal: ">= 10 parts, >= 0.9x",
      met: yesNo(ingestParts.parts! >= 10 && rate(ingestParts) >= 0.9 * rate(ingestBig)),
    },
    {
      // Wall time on shared cores moves with the load; CPU time says what the parts themselves cost.
      figure: `s3-to-sqs: CPU per row in ${ingestParts.parts} parts`,
      value: fmt.us(perRow(ingestParts)),
      baseline: `${fmt.us(perRow(ingestBig))} single pass`,
      ratio: fmt.ratio(perRow(ingestParts) / perRow(ingestBig)),
      goal: "-",
      met: "-",
    },
    {
      figure: `s3-to-sqs: peak RSS ${big.toLocaleString("en-US")} rows in ${ingestParts.parts} parts`,
      value: fmt.mb(ingestParts.maxRssBytes),
      baseline: `${fmt.mb(ingestBig.maxRssBytes)} single pass`,
      ratio: fmt.ratio(ingestParts.maxRssBytes / ingestBig.maxRssBytes),
      goal: "<= 1.1x",
      met: yesNo(ingestParts.maxRssBytes <= 1.1 * ingestBig.maxRssBytes),
    },
    {
      figure: `s3-to-sqs: peak RSS ${big.toLocaleString("en-US")} rows`,
      value: fmt.mb(ingestBig.maxRssBytes),
      baseline: `${fmt.mb(ingestSmall.maxRssBytes)} at ${small.toLocaleString("en-US")} rows`,
      ratio: fmt.ratio(rssRatio),
      goal: "<= 1.2x, < 256 MB",
      met: yesNo(rssRatio <= 1.2 && ingestBig.maxRssBytes < RSS_LIMIT),
    },
  ];
}
