/**
 * Where did every row of an uploaded CSV go?
 *
 *   npm run reconcile -- <file.csv> [--key <object key>] [--bucket <name>] [--table <name>] [--stack <name>] [--program <dir>] [--verbose]
 *
 * Against the running sandbox (the program's `.sandbox/outputs.json`, or `$SANDBOX_STATE_DIR`) by
 * default, where the bucket, table and queues are the ones the program declared; with `--stack`,
 * against a deployed stack (`pulumi stack output --json`, default AWS credentials). The object key
 * defaults to the upload prefix plus the file's name. Prints the counts and every
 * unaccounted row; exits 1 if there is any or the report says the upload failed, 2 on a usage or
 * access error. The accounting itself is
 * in lib/reconcile.ts.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

import { createReadStream } from "node:fs";
import { basename } from "node:path";
import { parseArgs } from "node:util";
import { BatchGetItemCommand, type BatchGetItemCommandOutput, type KeysAndAttributes } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, NoSuchKey } from "@aws-sdk/client-s3";
import { ChangeMessageVisibilityBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { DEFAULT_REPORT_PREFIX } from "../components/setting-rules";
import { assertSandboxAnswers } from "../sandbox/cli/context";
import { notificationRules, ruleMatches, uploadBucket, uploadKey, watchedQueues, type Resource } from "../sandbox/cli/ingestion-watch";
import type { IngestReport } from "../runtime/s3-to-sqs/report";
import { reportKey } from "../runtime/s3-to-sqs/report";
import { VERSION_ATTRIBUTE } from "../runtime/jobs/store";
import { deadLetterOf, keyOf, readFileRows, reconcile, renderReconciliation, type DeadLetter } from "./lib/reconcile";
import { requiredOutput, type Target, targetOf } from "./lib/target";

/** Why a report may be missing in the sandbox only: its objects, reports included, are gone after a stop. */
const SANDBOX_REPORTS_HINT = "The sandbox keeps objects, reports included, only until it stops: after a restart, upload the file again.";

const usage =
  "npm run reconcile -- <file.csv> [--key <object key>] [--bucket <name>] [--table <name>] [--stack <name>] [--program <dir>] [--verbose]";

/** What reconcile reads: where the upload and its report are, the table, the queues the rows go through. */
interface Places {
  bucket: string;
  objectKey: string;
  uploadPrefix: string;
  /** Undefined when the program's function writes no report. */
  reportPrefix?: string;
  table: string;
  queueUrls: string[];
  deadLetterQueueUrls: string[];
}

/** A deployed stack's places, from its outputs (the names this project's program exports). */
function stackPlaces(target: Target, file: string, key: string | undefined): Places {
  const uploadPrefix = output(target, "uploadPrefix");
  return {
    bucket: output(target, "bucketName"),
    objectKey: key ?? `${uploadPrefix}${basename(file)}`,
    uploadPrefix,
    reportPrefix: typeof target.outputs.reportPrefix === "string" ? target.outputs.reportPrefix : DEFAULT_REPORT_PREFIX,
    table: output(target, "tableName"),
    queueUrls: [output(target, "queueUrl")],
    deadLetterQueueUrls: [output(target, "deadLetterQueueUrl")],
  };
}

/** The sandbox's places, from what the program declared, as `npm run upload` finds them. */
function sandboxPlaces(
  resources: Resource[],
  file: string,
  key: string | undefined,
  requested: { bucket?: string; table?: string },
): Places {
  const bucket = uploadBucket(resources, requested.bucket);
  const rules = notificationRules(resources, bucket);
  const objectKey = key ?? uploadKey(rules, basename(file));
  const rule = rules.find((candidate) => ruleMatches(candidate, objectKey));
  const tables = resources
    .filter((resource) => resource.type === "aws:dynamodb/table:Table")
    .map((table) => String(table.state.name ?? table.id));
  if (requested.table !== undefined && !tables.includes(requested.table)) {
    throw new Error(
      `--table ${requested.table}: the program declares no such table (${tables.length > 0 ? `its tables: ${tables.join(", ")}` : "it declares none"})`,
    );
  }
  const table = requested.table ?? tables[0];
  if (tables.length === 0) throw new Error("the program declares no DynamoDB table, so there are no stored rows to reconcile against");
  if (requested.table === undefined && tables.length > 1)
    throw new Error(
      `the program declares several DynamoDB tables: choose the one the rows are stored in with --table <name> (${tables.join(", ")})`,
    );
  const { queues, deadLetterQueues } = watchedQueues(resources);
  return {
    bucket,
    objectKey,
    uploadPrefix: rule?.prefix ?? "",
    ...(rule?.reportPrefix !== undefined ? { reportPrefix: rule.reportPrefix } : {}),
    table,
    queueUrls: queues.map((queue) => queue.url),
    deadLetterQueueUrls: deadLetterQueues.map((queue) => queue.url),
  };
}

function output(target: Target, name: string): string {
  return requiredOutput(target, name, "reconcile");
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

async function tableVersions(
  target: Target,
  table: string,
  keys: Array<{ id: string; city: string }>,
): Promise<Map<string, string | undefined>> {
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
      const { Messages } = await target.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60, WaitTimeSeconds: 0 }),
      );
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
          Entries: handles
            .slice(start, start + 10)
            .map((handle, position) => ({ Id: String(position), ReceiptHandle: handle, VisibilityTimeout: 0 })),
        }),
      );
    }
  }
}

async function queueDepth(target: Target, queueUrl: string): Promise<number> {
  const { Attributes } = await target.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        key: { type: "string" },
        bucket: { type: "string" },
        table: { type: "string" },
        stack: { type: "string" },
        program: { type: "string" },
        verbose: { type: "boolean", short: "v" },
        help: { type: "boolean", short: "h" },
      },
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
  const target = targetOf(values);
  try {
    let places: Places;
    if (target.resources) {
      await assertSandboxAnswers(target.awsEndpoint!);
      places = sandboxPlaces(await target.resources(), path, values.key, { bucket: values.bucket, table: values.table });
    } else {
      places = stackPlaces(target, path, values.key);
    }
    const { objectKey } = places;
    const file = await readFileRows(createReadStream(path));
    const [report, table, letters, inQueues] = await Promise.all([
      places.reportPrefix === undefined
        ? undefined
        : readReport(target, places.bucket, reportKey(objectKey, places.uploadPrefix, places.reportPrefix)),
      tableVersions(
        target,
        places.table,
        file.rows.flatMap((row) => (row.key ? [row.key] : [])),
      ),
      Promise.all(places.deadLetterQueueUrls.map((url) => deadLetters(target, url))),
      Promise.all(places.queueUrls.map((url) => queueDepth(target, url))),
    ]);
    const inQueue = inQueues.reduce((sum, depth) => sum + depth, 0);
    const result = reconcile({
      objectKey,
      file,
      report,
      table,
      deadLetters: letters.flat(),
      ...(target.resources ? { missingReportHint: SANDBOX_REPORTS_HINT } : {}),
    });
    console.log(`reconcile ${path} against ${target.describe}`);
    console.log(renderReconciliation(objectKey, result, { listRows: values.verbose || inQueue === 0, inQueue }));
    // A failed upload is not done even when the rows read so far are all accounted for.
    return result.unaccounted.length > 0 || report?.status === "failed" ? 1 : 0;
  } finally {
    target.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`error: ${error.message}`);
    process.exit(2);
  },
);
