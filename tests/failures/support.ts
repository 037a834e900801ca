import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { eventually, repoRoot, type TestSandbox } from "../support/sandbox-harness";

/** Runs `npm run reconcile -- <file> [...args]` against a test sandbox. */
export function runReconcile(
  local: TestSandbox,
  file: string,
  args: string[] = [],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", join(repoRoot, "scripts", "reconcile.ts"), file, ...args],
      { cwd: repoRoot, env: { ...process.env, SANDBOX_STATE_DIR: local.sandbox.stateDir } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A CSV file on disk (reconcile reads files) and its bytes, for the upload. */
export function csvFile(name: string, lines: string[]): { path: string; body: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), "failures-"));
  const path = join(dir, name);
  const body = Buffer.from(lines.map((line) => `${line}\n`).join(""));
  writeFileSync(path, body);
  return { path, body };
}

/** `id,city,title` and `count` distinct rows whose ids start with `prefix`. */
export function jobRows(prefix: string, count: number): string[] {
  return ["id,city,title", ...Array.from({ length: count }, (_, index) => `${prefix}-${index + 1},City ${index % 7},Job ${index + 1}`)];
}

export async function upload(local: TestSandbox, key: string, body: Buffer): Promise<void> {
  await local.s3.send(new PutObjectCommand({ Bucket: local.output("bucketName"), Key: key, Body: body }));
}

export async function readJson<T>(local: TestSandbox, key: string): Promise<T | undefined> {
  try {
    const object = await local.s3.send(new GetObjectCommand({ Bucket: local.output("bucketName"), Key: key }));
    return JSON.parse(await object.Body!.transformToString()) as T;
  } catch {
    return undefined;
  }
}

export async function queueDepth(local: TestSandbox, queueUrl: string): Promise<number> {
  const { Attributes } = await local.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible);
}

/** The queue held nothing, visible or in flight, on three checks in a row. */
export async function queueQuiet(local: TestSandbox, queueUrl: string, timeoutMs = 60_000): Promise<void> {
  let quiet = 0;
  await eventually(
    async () => {
      quiet = (await queueDepth(local, queueUrl)) === 0 ? quiet + 1 : 0;
      return quiet >= 3 || undefined;
    },
    timeoutMs,
    `${queueUrl.split("/").pop()} to be empty`,
  );
}
