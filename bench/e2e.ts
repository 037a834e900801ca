import { createReadStream, statSync } from "node:fs";
import { join } from "node:path";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { Upload } from "@aws-sdk/lib-storage";
import { CITY_COUNT, cityOf, writeCsv } from "./csv";
import { getJson, sandboxClients } from "./sandbox-clients";
import { fmt, progress } from "./report";

export interface IngestRun {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** fauxqs refuses single requests over ~11 MiB: parts stay below, as in `npm run upload`. */
const PART_SIZE = 8 * 1024 * 1024;

/**
 * Upload -> every row in the table, through the sandbox: the clock runs from the start of the
 * upload until the file's report is written and the jobs queue is drained (every message
 * consumed and deleted, so every write done). Then, off the clock, every row of this upload is
 * looked for through the API (each city's listing, page by page), and a missing one is an error.
 */
export async function uploadAndWait(outputs: Record<string, string>, dir: string, rows: number, timeoutMs: number): Promise<IngestRun> {
  const run = `e2e-${rows}-${Date.now()}`;
  const name = `${run}.csv`;
  const file = join(dir, name);
  await writeCsv(file, rows, run);
  const clients = sandboxClients(outputs);
  try {
    const key = `${outputs.uploadPrefix}${name}`;
    const reportKey = `${outputs.reportPrefix}${run}.json`;
    const started = performance.now();
    const deadline = Date.now() + timeoutMs;
    await new Upload({
      client: clients.s3,
      params: { Bucket: outputs.bucketName, Key: key, Body: createReadStream(file), ContentType: "text/csv" },
      partSize: PART_SIZE,
      queueSize: 2,
    }).done();
    progress(
      `sandbox: uploaded ${rows.toLocaleString("en-US")} rows (${fmt.mb(statSync(file).size)}) in ${fmt.ms(performance.now() - started)}; waiting for the table`,
    );
    let report: { status: string; queued: number; rejected: number } | undefined;
    let lastShown = 0;
    while (Date.now() < deadline) {
      if (!report) {
        report = await clients.s3.send(new GetObjectCommand({ Bucket: outputs.bucketName, Key: reportKey })).then(
          async (object) => JSON.parse(await object.Body!.transformToString()),
          () => undefined,
        );
        // A large file's report is rewritten as its parts go on: only the last one counts.
        if (report?.status === "in-progress") report = undefined;
        if (report && (report.status !== "complete" || report.queued !== rows)) {
          throw new Error(`ingestion report: ${JSON.stringify(report).slice(0, 300)}`);
        }
      }
      const left = await messagesLeft(clients.sqs, outputs.queueUrl);
      if (report && left === 0) break;
      if (Date.now() - lastShown > 5_000) {
        lastShown = Date.now();
        progress(
          `sandbox: ${rows.toLocaleString("en-US")} rows: ${report ? "report written" : "ingesting"}, ${left.toLocaleString("en-US")} messages in the queue`,
        );
      }
      await sleep(50);
    }
    const seconds = (performance.now() - started) / 1000;
    if (Date.now() >= deadline) throw new Error(`${rows} rows not ingested within ${timeoutMs / 1000} s`);
    const dead = await messagesLeft(clients.sqs, outputs.deadLetterQueueUrl);
    if (dead > 0) throw new Error(`${dead} messages in the dead-letter queue`);
    const seen = await rowsVisible(outputs.apiUrl, run, Math.min(rows, CITY_COUNT));
    if (seen !== rows) throw new Error(`the API shows ${seen} of the ${rows} rows of ${name}`);
    return { rows, seconds, rowsPerSecond: rows / seconds };
  } finally {
    clients.destroy();
  }
}

async function messagesLeft(sqs: ReturnType<typeof sandboxClients>["sqs"], queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

/** Rows of this upload that the API lists, city by city, page by page. */
async function rowsVisible(apiUrl: string, run: string, cities: number): Promise<number> {
  let seen = 0;
  for (let c = 0; c < cities; c++) {
    let cursor: string | null = null;
    // Bounded: a listing that never ends would be a bug to report, not to wait for.
    for (let page = 0; page < 10_000; page++) {
      const query: string = `city=${encodeURIComponent(cityOf(c))}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const body = await getJson<{ items: Array<Record<string, unknown>>; nextCursor: string | null }>(`${apiUrl}/v1/jobs?${query}`);
      seen += body.items.filter((item) => item.bench_run === run).length;
      cursor = body.nextCursor;
      if (!cursor) break;
    }
  }
  return seen;
}
