/**
 * Where did every row of an uploaded CSV go?
 *
 *   npm run reconcile -- <file.csv> [--key <object key>] [--stack <name>] [--verbose]
 *
 * Against the running sandbox (its `.sandbox/outputs.json`, or `$SANDBOX_STATE_DIR`) by default;
 * with `--stack`, against a deployed stack (`pulumi stack output --json`, default AWS credentials).
 * The object key defaults to the upload prefix plus the file's name. Prints the counts and every
 * unaccounted row; exits 1 if there is any or the report says the upload failed, 2 on a usage or
 * access error. The accounting itself is
 * in lib/reconcile.ts.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

import { execFileSync } from "node:child_process";
import { createReadStream, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parseArgs } from "node:util";
import { BatchGetItemCommand, DynamoDBClient, type BatchGetItemCommandOutput, type KeysAndAttributes } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, NoSuchKey, S3Client } from "@aws-sdk/client-s3";
import { ChangeMessageVisibilityBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { s3ClientConfig, sqsClientConfig } from "../runtime/aws";
import { sandboxCredentials } from "../sandbox/shared/constants";
import { assertSandboxAnswers } from "../sandbox/cli/context";
import type { IngestReport } from "../runtime/s3-to-sqs/report";
import { reportKey } from "../runtime/s3-to-sqs/report";
import { VERSION_ATTRIBUTE } from "../runtime/jobs/store";
import { deadLetterOf, keyOf, readFileRows, reconcile, renderReconciliation, type DeadLetter } from "./lib/reconcile";

const usage = "npm run reconcile -- <file.csv> [--key <object key>] [--stack <name>] [--verbose]";

interface Target {
  outputs: Record<string, unknown>;
  s3: S3Client;
  sqs: SQSClient;
  dynamo: DynamoDBClient;
  describe: string;
}

function sandboxTarget(): Target {
  const stateDir = process.env.SANDBOX_STATE_DIR ?? join(process.cwd(), ".sandbox");
  let outputs: Record<string, unknown>;
  try {
    outputs = JSON.parse(readFileSync(join(stateDir, "outputs.json"), "utf8"));
  } catch {
    throw new Error(`no running sandbox (${join(stateDir, "outputs.json")} is missing): start one with \`npm start\`, or pass --stack <name>`);
  }
  const common = { endpoint: String(outputs.awsEndpoint), region: String(outputs.region), credentials: sandboxCredentials };
  return {
    outputs,
    s3: new S3Client({ ...common, forcePathStyle: true }),
    sqs: new SQSClient(common),
    dynamo: new DynamoDBClient(common),
    describe: `the sandbox at ${common.endpoint}`,
  };
}

function stackTarget(stack: string): Target {
  let outputs: Record<string, unknown>;
  try {
    outputs = JSON.parse(execFileSync("pulumi", ["stack", "output", "--json", "--stack", stack], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
  } catch (error) {
    throw new Error(`could not read the outputs of stack ${stack} (pulumi stack output --json --stack ${stack}): ${(error as Error).message}`);
  }
  // Queue URLs name their region (https://sqs.<region>.amazonaws.com/...): the stack's, whatever the shell's default is.
  const region = /sqs\.([a-z0-9-]+)\.amazonaws\.com/.exec(String(outputs.queueUrl ?? ""))?.[1] ?? process.env.AWS_REGION;
  const common = region ? { region } : {};
  // An endpoint override (LocalStack, a stand-in for AWS) has no bucket host names, and the queue
  // URLs' AWS hosts are not where to send: the handlers' own client settings cover both.
  return {
    outputs,
    s3: new S3Client({ ...s3ClientConfig, ...common }),
    sqs: new SQSClient({ ...sqsClientConfig, ...common }),
    dynamo: new DynamoDBClient(common),
    describe: `stack ${stack}`,
  };
}

function output(target: Target, name: string): string {
  const value = target.outputs[name];
  if (typeof value !== "string" || value === "") throw new Error(`${target.describe} has no '${name}' output, which reconcile needs`);
  return value;
}

async function readReport(target: Target, bucket: string, key: string): Promise<IngestReport | undefined> {
  try {
    const object = await target.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return JSON.parse(await object.Body!.transformToString()) as IngestReport;
  } catch (error) {
    if (error instanceof NoSuchKey || (error as { name?: string }).name === "NoSuchKey") return undefined;
    throw error;
  }
}

async function tableVersions(target: Target, table: string, keys: Array<{ id: string; city: string }>): Promise<Map<string, string | undefined>> {
  const versions = new Map<string, string | undefined>();
  const unique = [...new Map(keys.map((key) => [keyOf(key.id, key.city), key])).values()];
  for (let start = 0; start < unique.length; start += 100) {
    let request: Record<string, KeysAndAttributes> | undefined = {
      [table]: {
        Keys: unique.slice(start, start + 100).map(({ id, city }) => ({ id: { S: id }, city: { S: city } })),
        ProjectionExpression: "id, city, #v",
        ExpressionAttributeNames: { "#v": VERSION_ATTRIBUTE },
        ConsistentRead: true,
      },
    };
    for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 50 * 2 ** attempt)));
      const response: BatchGetItemCommandOutput = await target.dynamo.send(new BatchGetItemCommand({ RequestItems: request }));
      for (const item of response.Responses?.[table] ?? []) {
        versions.set(keyOf(String(item.id?.S), String(item.city?.S)), item[VERSION_ATTRIBUTE]?.S);
      }
      request = response.UnprocessedKeys;
    }
  }
  return versions;
}

/**
 * Every message of the dead-letter queue, read without consuming: each one received is hidden
 * while the loop runs, so it sees each once (by id) and ends when nothing new comes back; then
 * they are made visible again, so a redrive right after finds them all.
 */
async function deadLetters(target: Target, queueUrl: string): Promise<DeadLetter[]> {
  const seen = new Map<string, DeadLetter>();
  const handles: string[] = [];
  // Messages someone else is reading (`npm run dlq -- list` hides them for a moment) come back soon.
  const deadline = Date.now() + 15_000;
  try {
    for (;;) {
      const { Messages } = await target.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60, WaitTimeSeconds: 0 }));
      const fresh = (Messages ?? []).filter((message) => !seen.has(message.MessageId!));
      if (fresh.length === 0) {
        const inFlightElsewhere = (await queueDepth(target, queueUrl)) - seen.size;
        if (inFlightElsewhere <= 0 || Date.now() > deadline) return [...seen.values()];
        await new Promise((resolve) => setTimeout(resolve, 500));
        continue;
      }
      for (const message of fresh) {
        seen.set(message.MessageId!, deadLetterOf(message.MessageId!, message.Body ?? ""));
        handles.push(message.ReceiptHandle!);
      }
    }
  } finally {
    for (let start = 0; start < handles.length; start += 10) {
      await target.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: handles.slice(start, start + 10).map((handle, position) => ({ Id: String(position), ReceiptHandle: handle, VisibilityTimeout: 0 })),
        }),
      );
    }
  }
}

async function queueDepth(target: Target, queueUrl: string): Promise<number> {
  const { Attributes } = await target.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      options: { key: { type: "string" }, stack: { type: "string" }, verbose: { type: "boolean", short: "v" }, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    console.error(`${(error as Error).message}\nusage: ${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(`usage: ${usage}`);
    return 0;
  }
  if (positionals.length !== 1) {
    console.error(`usage: ${usage}`);
    return 2;
  }
  const path = positionals[0];
  const target = values.stack ? stackTarget(values.stack) : sandboxTarget();
  try {
    if (!values.stack) await assertSandboxAnswers(String(target.outputs.awsEndpoint));
    const uploadPrefix = output(target, "uploadPrefix");
    const objectKey = values.key ?? `${uploadPrefix}${basename(path)}`;
    const bucket = output(target, "bucketName");
    const reportPrefix = typeof target.outputs.reportPrefix === "string" ? target.outputs.reportPrefix : "reports/";
    const file = await readFileRows(createReadStream(path));
    const [report, table, letters, inQueue] = await Promise.all([
      readReport(target, bucket, reportKey(objectKey, uploadPrefix, reportPrefix)),
      tableVersions(target, output(target, "tableName"), file.rows.flatMap((row) => (row.key ? [row.key] : []))),
      deadLetters(target, output(target, "deadLetterQueueUrl")),
      queueDepth(target, output(target, "queueUrl")),
    ]);
    const result = reconcile({ objectKey, file, report, table, deadLetters: letters });
    console.log(`reconcile ${path} against ${target.describe}`);
    console.log(renderReconciliation(objectKey, result, { listRows: values.verbose || inQueue === 0, inQueue }));
    // A failed upload is not done even when the rows read so far are all accounted for.
    return result.unaccounted.length > 0 || report?.status === "failed" ? 1 : 0;
  } finally {
    target.s3.destroy();
    target.sqs.destroy();
    target.dynamo.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`error: ${error.message}`);
    process.exit(2);
  },
);
