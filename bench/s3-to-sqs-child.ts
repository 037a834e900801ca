/**
 * A fresh process that runs one s3-to-sqs measurement on one file and prints its result as JSON:
 * its CPU time and peak RSS are then s3-to-sqs's alone. Bundled like a handler before it runs.
 *   parse <file>                  csv-parse alone, objects (the baseline)
 *   ingest <file> <inFlight>      the s3-to-sqs ingestion, SQS answered at once (its own cost only)
 *   ingest-parts <file> <inFlight> <partMs>
 *                                 the same, each part given <partMs> as its invocation's time: parts
 *                                 follow one another in this process through their checkpoints
 *   ingest-sqs <file> <inFlight>  the same, sending to the queue at $QUEUE_URL ($AWS_ENDPOINT_URL)
 *   naive-sqs <file> <inFlight>   the same rows, one SendMessage per row (the request baseline)
 *   validate <file>               the ingestion's reading and validation, nothing encoded or sent
 *   schema <file>                 jobFromCsvRecord alone, on records read beforehand (off the clock)
 */
import { createReadStream, statSync } from "node:fs";
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { ContinuationEvent } from "../runtime/s3-to-sqs/continuation";
import { SendMessageBatchCommand, SendMessageCommand, SQSClient, type SendMessageBatchResultEntry } from "@aws-sdk/client-sqs";
import { parse } from "csv-parse";
import { ingestFile } from "../runtime/s3-to-sqs/ingest-file";
import { jobFromCsvRecord } from "../runtime/jobs/schema";
import { uploadRecords, uploadRows } from "../runtime/s3-to-sqs/upload-rows";
import type { SendBatch } from "../runtime/s3-to-sqs/batch-sender";

const [mode, file, inFlightArg, partMsArg] = process.argv.slice(2);
const CHUNK = 64 * 1024;

async function parseOnly(): Promise<Record<string, number>> {
  let rows = 0;
  const parser = createReadStream(file, { highWaterMark: CHUNK }).pipe(
    parse({ columns: true, bom: true, trim: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true }),
  );
  for await (const record of parser) if (record) rows++;
  return { rows };
}

async function validateOnly(): Promise<Record<string, number>> {
  let rows = 0;
  let valid = 0;
  for await (const row of uploadRows(createReadStream(file, { highWaterMark: CHUNK }))) {
    if (row.kind === "header") continue;
    rows++;
    if (row.kind === "job") valid++;
  }
  return { rows, valid };
}

async function schemaOnly(): Promise<Record<string, number>> {
  const records: Array<Record<string, string>> = [];
  for await (const item of uploadRecords(createReadStream(file, { highWaterMark: CHUNK }))) {
    if (item.kind === "record") records.push(item.record);
  }
  const cpu = process.cpuUsage();
  let valid = 0;
  for (const record of records) if (jobFromCsvRecord(record).ok) valid++;
  const used = process.cpuUsage(cpu);
  return { rows: records.length, valid, schemaCpuMs: (used.user + used.system) / 1000 };
}

async function ingest(send: "stub" | "batch" | "single", partMs = Infinity): Promise<Record<string, number | string>> {
  let requests = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let reportStatus = "";
  // Only what ingestFile calls: GetObject streams the file (from an offset for a later part) as S3
  // would, PutObject takes the report; checkpoints are kept here, with S3's conditional writes.
  const size = statSync(file).size;
  const checkpoints = new Map<string, { body: string; etag: string }>();
  let writes = 0;
  const refused = (name: string) => Object.assign(new Error(name), { name });
  const s3 = {
    async send(command: unknown) {
      if (command instanceof GetObjectCommand) {
        const { Key, Range } = command.input;
        const saved = checkpoints.get(Key!);
        if (Key!.startsWith("checkpoints/")) {
          if (!saved) throw refused("NoSuchKey");
          return { Body: { transformToString: async () => saved.body }, ETag: saved.etag };
        }
        const start = Range ? Number(/bytes=(\d+)-/.exec(Range)![1]) : 0;
        const body = createReadStream(file, { highWaterMark: CHUNK, start });
        return {
          Body: body,
          ETag: '"bench"',
          ContentLength: size - start,
          ...(Range ? { ContentRange: `bytes ${start}-${size - 1}/${size}` } : {}),
        };
      }
      if (command instanceof PutObjectCommand) {
        const { Key, Body, IfMatch, IfNoneMatch } = command.input;
        if (Key!.startsWith("checkpoints/")) {
          const saved = checkpoints.get(Key!);
          if ((IfNoneMatch && saved) || (IfMatch && saved?.etag !== IfMatch)) throw refused("PreconditionFailed");
          const etag = `"${++writes}"`;
          checkpoints.set(Key!, { body: String(Body), etag });
          return { ETag: etag };
        }
        reportStatus = JSON.parse(String(Body)).status;
      }
      return {};
    },
  } as unknown as S3Client;
  const queueUrl = process.env.QUEUE_URL ?? "";
  const sqs = send === "stub" ? undefined : new SQSClient({ useQueueUrlAsEndpoint: false });
  const deliver: SendBatch = async (entries) => {
    if (send === "stub") {
      requests++;
      // A turn of the event loop stands for the network, so batches really overlap.
      await new Promise((resolve) => setImmediate(resolve));
      return { Successful: entries.map((entry) => ({ Id: entry.Id, MessageId: entry.Id, MD5OfMessageBody: "" })), Failed: [] };
    }
    if (send === "batch") {
      requests++;
      return sqs!.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    }
    const successful: SendMessageBatchResultEntry[] = [];
    for (const entry of entries) {
      requests++;
      const sent = await sqs!.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: entry.MessageBody }));
      successful.push({ Id: entry.Id, MessageId: sent.MessageId, MD5OfMessageBody: sent.MD5OfMessageBody });
    }
    return { Successful: successful, Failed: [] };
  };
  const counted: SendBatch = async (entries) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      return await deliver(entries);
    } finally {
      inFlight--;
    }
  };
  const continuations: ContinuationEvent[] = [];
  const deps = {
    s3,
    sendBatch: counted,
    maxBatchesInFlight: Number(inFlightArg),
    uploadPrefix: "job_offers/",
    reportPrefix: "reports/",
    checkpointPrefix: "checkpoints/",
    continueWith: async (event: ContinuationEvent) => void continuations.push(event),
  };
  // Each part gets partMs from its own start, as a new invocation would.
  const clockFrom = (started: number) => ({ remainingMs: () => partMs - (performance.now() - started) });
  let outcome = await ingestFile(
    deps,
    { bucket: "bench", key: "job_offers/bench.csv", eventTime: new Date().toISOString(), part: 1 },
    clockFrom(performance.now()),
  );
  let parts = 1;
  for (let next = continuations.shift(); next; next = continuations.shift()) {
    if (outcome.error) break;
    parts++;
    outcome = await ingestFile(deps, next.continueIngestion, clockFrom(performance.now()));
  }
  const { summary, error } = outcome;
  if (error) throw error;
  sqs?.destroy();
  return { rows: summary.rows, queued: summary.queued, rejected: summary.rejected, requests, maxInFlight, reportStatus, parts };
}

async function main() {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result =
    mode === "parse"
      ? await parseOnly()
      : mode === "validate"
        ? await validateOnly()
        : mode === "schema"
          ? await schemaOnly()
          : mode === "ingest-parts"
            ? await ingest("stub", Number(partMsArg))
            : await ingest(mode === "ingest" ? "stub" : mode === "ingest-sqs" ? "batch" : "single");
  const used = process.cpuUsage(cpu);
  process.stdout.write(
    `${JSON.stringify({
      ...result,
      cpuMs: (used.user + used.system) / 1000,
      wallMs: performance.now() - started,
      // Kilobytes on Linux.
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
    })}\n`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
