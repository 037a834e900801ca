process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

import { createReadStream, statSync } from "node:fs";
import { basename } from "node:path";
import { Upload } from "@aws-sdk/lib-storage";
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { fail, parseFlags, usageError } from "./args";
import { commandLine, programOption, programUsage, sandboxContext } from "./context";
import {
  failureRecordFor,
  notificationRules,
  progressLine,
  ruleMatches,
  storedOf,
  timedOutMessage,
  unmatchedKeyMessage,
  uploadBucket,
  uploadKey,
  watchedQueues,
  type IngestionState,
  type WatchedQueue,
} from "./ingestion-watch";

const usage = `npm run upload -- <file.csv> [--wait] [--timeout <seconds>] [--bucket <name>] [--key <key>] ${programUsage}`;
/** Without a report to wait for, the queues must stay empty this long before the ingestion counts as done. */
const quietMs = 2_000;
/** A 300,000-row file takes about 6 minutes on a 2-core laptop: the default leaves room for it. */
const defaultTimeoutSeconds = 900;
/** The AWS CLI's default part size: a large file goes up in parts, as it would to S3, with progress per part. */
const partSize = 8 * 1024 * 1024;

function bar(done: number, total: number): string {
  const width = 30;
  const filled = Math.round((done / Math.max(total, 1)) * width);
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${(done / 1048576).toFixed(1)}/${(total / 1048576).toFixed(1)} MiB`;
}

interface Report {
  key?: string;
  status?: string;
  reason?: string;
  queued?: number;
}

/** The report the ingestion wrote for this upload: found by its own `key` field, newer than the upload. */
async function findReport(
  s3: S3Client,
  bucket: string,
  prefix: string,
  key: string,
  since: number,
): Promise<{ reportKey: string; report: Report } | undefined> {
  const listing = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  const fresh = (listing.Contents ?? []).filter((object) => (object.LastModified?.getTime() ?? 0) >= since - 1000);
  for (const object of fresh) {
    const body = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key! }))).Body!.transformToString();
    try {
      const report = JSON.parse(body) as Report;
      if (report.key === key) return { reportKey: object.Key!, report };
    } catch {
      // Not a report: keep looking.
    }
  }
  return undefined;
}

/** The messages of the queues, added up. */
async function queueCounts(sqs: SQSClient, queues: WatchedQueue[]): Promise<{ waiting: number; inFlight: number }> {
  const counts = { waiting: 0, inFlight: 0 };
  for (const queue of queues) {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queue.url,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    counts.waiting += Number(Attributes?.ApproximateNumberOfMessages ?? 0);
    counts.inFlight += Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
  }
  return counts;
}

/** Every message of a queue, looked at without receiving it (receive counts stay as they are). */
async function peekBodies(awsEndpoint: string, queueArn: string): Promise<Array<{ body: string; sentTimestamp: number }>> {
  const response = await fetch(`${awsEndpoint}/_fauxqs/queues/${encodeURIComponent(queueArn.split(":").pop()!)}`);
  if (!response.ok) return [];
  const { messages } = (await response.json()) as {
    messages: { ready: PeekedMessage[]; delayed: PeekedMessage[]; inflight: Array<{ message: PeekedMessage }> };
  };
  return [...messages.ready, ...messages.delayed, ...messages.inflight.map((entry) => entry.message)];
}
type PeekedMessage = { body: string; sentTimestamp: number };

/** The file's size, or the command ends saying what is wrong with the path. */
function fileSize(file: string): number {
  try {
    const stats = statSync(file);
    if (stats.isFile()) return stats.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") fail(error);
    fail(new Error(`${file}: no such file`));
  }
  fail(new Error(`${file} is not a file`));
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  const { values, positionals } = parseFlags(usage, {
    wait: { type: "boolean" },
    timeout: { type: "string" },
    bucket: { type: "string" },
    key: { type: "string" },
    ...programOption,
  });
  if (positionals.length !== 1) usageError(usage, "give one file to upload");
  if (values.timeout !== undefined && !values.wait) usageError(usage, "--timeout goes with --wait: without it the upload does not wait");
  const file = positionals[0];
  const timeoutSeconds = Number(values.timeout ?? defaultTimeoutSeconds);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0)
    usageError(usage, `--timeout takes a number of seconds above 0, not '${values.timeout}'`);
  const size = fileSize(file);
  const { outputs, s3, sqs, resources } = sandboxContext(values.program);
  const declared = await resources();
  const bucket = uploadBucket(declared, values.bucket);
  const rules = notificationRules(declared, bucket);
  const key = values.key ?? uploadKey(rules, basename(file));
  const matching = rules.filter((rule) => ruleMatches(rule, key));
  const { queues, deadLetterQueues } = watchedQueues(declared);
  const deadBefore = (await queueCounts(sqs, deadLetterQueues)).waiting;

  const started = Date.now();
  const upload = new Upload({
    client: s3,
    params: { Bucket: bucket, Key: key, Body: createReadStream(file), ContentType: "text/csv" },
    partSize,
    queueSize: 4,
  });
  const showProgress = process.stdout.isTTY && size > partSize;
  upload.on("httpUploadProgress", (progress) => {
    if (showProgress) process.stdout.write(`\r\x1b[2Kuploading ${bar(progress.loaded ?? 0, size)}`);
  });
  await upload.done();
  if (showProgress) process.stdout.write("\n");
  console.log(`uploaded s3://${bucket}/${key} (${size} bytes) in ${Date.now() - started} ms`);
  if (matching.length === 0) {
    console.error(unmatchedKeyMessage(bucket, key, rules));
    if (values.wait) process.exit(1);
    return;
  }
  if (!values.wait) return;

  // Only a function that writes a report says where: without one, the wait ends when the queues drain.
  const reportPrefix = matching.find((rule) => rule.reportPrefix !== undefined)?.reportPrefix;
  const failureQueues = matching.flatMap((rule) => (rule.onFailure ? [rule.onFailure] : []));
  const deadline = started + timeoutSeconds * 1000;
  const progress = (line: string | undefined) => {
    if (process.stdout.isTTY) process.stdout.write(line === undefined ? "\r\x1b[2K" : `\r\x1b[2K${line}`);
  };
  let found: { reportKey: string; report: Report } | undefined;
  const readers = matching.map((rule) => rule.target);
  let state: IngestionState = { readers, elapsedSeconds: 0, waiting: 0, inFlight: 0, deadLettered: 0 };
  const samples: Array<{ at: number; stored: number }> = [];
  let quietSince: number | undefined;
  for (;;) {
    // A failed reading of the file stops the wait at once: once in the failures queue, nothing more will come.
    for (const queueArn of failureQueues) {
      for (const message of await peekBodies(outputs.awsEndpoint, queueArn)) {
        const record = message.sentTimestamp >= started - 1000 ? failureRecordFor(message.body, bucket, key) : undefined;
        if (!record) continue;
        progress(undefined);
        const context = record.requestContext as { condition?: string; approximateInvokeCount?: number } | undefined;
        console.log(
          `the ingestion of s3://${bucket}/${key} failed after ${context?.approximateInvokeCount ?? "?"} attempt(s) (${context?.condition ?? "failed"}); its record in ${queueArn.split(":").pop()}:`,
        );
        console.log(JSON.stringify(record, null, 2));
        process.exit(1);
      }
    }
    if (reportPrefix !== undefined) found = (await findReport(s3, bucket, reportPrefix, key, started)) ?? found;
    const counts = await queueCounts(sqs, queues);
    const deadLettered = Math.max(0, (await queueCounts(sqs, deadLetterQueues)).waiting - deadBefore);
    state = { readers, elapsedSeconds: Math.round((Date.now() - started) / 1000), queued: found?.report.queued, ...counts, deadLettered };
    if (found) {
      samples.push({ at: Date.now(), stored: storedOf(state) });
      while (samples.length > 1 && samples[0].at < Date.now() - 5_000) samples.shift();
      const [first, last] = [samples[0], samples[samples.length - 1]];
      if (last.at - first.at >= 1_000) state.rate = ((last.stored - first.stored) * 1000) / (last.at - first.at);
    }
    // A large file is read in parts: its report says in-progress, with the counts so far, until the last part ends.
    const drained = counts.waiting === 0 && counts.inFlight === 0;
    if (found && found.report.status !== "in-progress" && drained) break;
    quietSince = drained ? (quietSince ?? Date.now()) : undefined;
    if (reportPrefix === undefined && quietSince !== undefined && Date.now() - quietSince >= quietMs) break;
    if (Date.now() >= deadline) {
      progress(undefined);
      if (found) printReport(bucket, found);
      console.log(timedOutMessage(state, timeoutSeconds));
      process.exit(1);
    }
    progress(progressLine(state));
    await pause(500);
  }
  progress(undefined);
  let failed = false;
  if (!found) {
    const quiet =
      queues.length > 0
        ? `the queues functions consume (${queues.map((queue) => queue.name).join(", ")}) stayed empty for ${quietMs / 1000} s`
        : `waited ${quietMs / 1000} s (the program declares no queue a function consumes)`;
    console.log(`done: ${quiet}; no report to show (${matching.map((rule) => rule.target).join(", ")} writes none)`);
  } else {
    printReport(bucket, found);
  }
  if (found?.report.status === "failed") {
    console.log(`the ingestion failed: ${found.report.reason ?? "see the report's errors"}`);
    failed = true;
  }
  if (state.deadLettered > 0) {
    console.log(
      `${state.deadLettered} message(s) reached the dead-letter queue while waiting: see \`${commandLine("dlq -- list", values.program)}\``,
    );
    failed = true;
  }
  if (failed) process.exitCode = 1;
}

function printReport(bucket: string, found: { reportKey: string; report: Report }): void {
  console.log(`ingestion report s3://${bucket}/${found.reportKey}:`);
  console.log(JSON.stringify(found.report, null, 2));
}

main().catch(fail);
