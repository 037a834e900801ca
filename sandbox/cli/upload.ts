process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

import { createReadStream, statSync } from "node:fs";
import { basename } from "node:path";
import { Upload } from "@aws-sdk/lib-storage";
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { fail, parseFlags } from "./args";
import { sandboxContext, stringOutput } from "./context";

const usage = "npm run upload -- <file.csv> [--wait] [--timeout <seconds>]";
/** fauxqs refuses single requests over ~11 MiB; parts stay well below. */
const partSize = 8 * 1024 * 1024;

function bar(done: number, total: number): string {
  const width = 30;
  const filled = Math.round((done / Math.max(total, 1)) * width);
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${(done / 1048576).toFixed(1)}/${(total / 1048576).toFixed(1)} MiB`;
}

/** The report the ingestion wrote for this upload: found by its own `key` field, newer than the upload. */
async function waitForReport(s3: S3Client, bucket: string, prefix: string, key: string, since: number, deadline: number) {
  while (Date.now() < deadline) {
    const listing = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    const fresh = (listing.Contents ?? []).filter((object) => (object.LastModified?.getTime() ?? 0) >= since - 1000);
    for (const object of fresh) {
      const body = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key! }))).Body!.transformToString();
      try {
        const report = JSON.parse(body) as { key?: string; status?: string; rows?: number };
        // A large file is read in parts: its report says in-progress, with the rows so far, until the last part.
        if (report.key === key && report.status === "in-progress" && process.stdout.isTTY) process.stdout.write(`\r\x1b[2Kingesting: ${report.rows} rows so far`);
        else if (report.key === key) return { reportKey: object.Key!, report };
      } catch {
        // Not a report: keep looking.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no ingestion report for ${key} under ${prefix} yet: see the sandbox's log for the s3 invocation`);
}

/**
 * Rows are in the table once nothing waits in the queue and nothing in flight still moves. A
 * message that keeps failing stays in flight until its visibility timeout, so a count that stops
 * changing means what is left is failing: it is reported rather than waited for.
 */
async function waitForQueue(sqs: SQSClient, queueUrl: string, deadline: number): Promise<number> {
  let inFlight = -1;
  let steadySince = Date.now();
  while (Date.now() < deadline) {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }),
    );
    const waiting = Number(Attributes?.ApproximateNumberOfMessages ?? 0);
    const current = Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
    if (current !== inFlight) steadySince = Date.now();
    inFlight = current;
    if (waiting === 0 && (inFlight === 0 || Date.now() - steadySince > 2_000)) return inFlight;
    if (process.stdout.isTTY) process.stdout.write(`\r\x1b[2Kconsuming: ${waiting} waiting, ${inFlight} in flight`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return inFlight;
}

async function main() {
  const { values, positionals } = parseFlags(usage, { wait: { type: "boolean" }, timeout: { type: "string" } });
  if (positionals.length !== 1) fail(new Error(`give one file to upload\nusage: ${usage}`));
  const file = positionals[0];
  const size = statSync(file).size;
  const { outputs, s3, sqs } = sandboxContext();
  const bucket = stringOutput(outputs, "bucketName");
  const key = `${typeof outputs.uploadPrefix === "string" ? outputs.uploadPrefix : ""}${basename(file)}`;
  const started = Date.now();
  const upload = new Upload({ client: s3, params: { Bucket: bucket, Key: key, Body: createReadStream(file), ContentType: "text/csv" }, partSize, queueSize: 4 });
  const showProgress = process.stdout.isTTY && size > partSize;
  upload.on("httpUploadProgress", (progress) => {
    if (showProgress) process.stdout.write(`\r\x1b[2Kuploading ${bar(progress.loaded ?? 0, size)}`);
  });
  await upload.done();
  if (showProgress) process.stdout.write("\n");
  console.log(`uploaded s3://${bucket}/${key} (${size} bytes) in ${Date.now() - started} ms`);
  if (!values.wait) return;

  const deadline = Date.now() + Number(values.timeout ?? 300) * 1000;
  const reportPrefix = typeof outputs.reportPrefix === "string" ? outputs.reportPrefix : "reports/";
  const { reportKey, report } = await waitForReport(s3, bucket, reportPrefix, key, started, deadline);
  const stuck = typeof outputs.queueUrl === "string" ? await waitForQueue(sqs, outputs.queueUrl, deadline) : 0;
  if (process.stdout.isTTY) process.stdout.write("\r\x1b[2K");
  console.log(`ingestion report s3://${bucket}/${reportKey}:`);
  console.log(JSON.stringify(report, null, 2));
  if (stuck > 0) {
    console.log(`${stuck} message(s) of the queue are still failing: they return after the visibility timeout (see \`npm run dlq -- list\`)`);
  }
}

main().catch(fail);
