import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/sandbox-harness";

/**
 * `npm run dlq -- redrive --stack <name>` on AWS starts an SQS message move task from the stack's
 * DLQ (SQS moves the messages back to their source itself). No emulator has that call, so a small
 * SQS stand-in records what the command asks for; `pulumi` is a script that prints the outputs.
 */
describe("npm run dlq -- redrive --stack", () => {
  const dlqArn = "arn:aws:sqs:eu-west-3:123456789012:ingest-dlq-abc";
  const calls: Array<{ target: string; body: Record<string, unknown> }> = [];
  let server: Server;
  let bin: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const target = String(request.headers["x-amz-target"]).replace("AmazonSQS.", "");
        calls.push({ target, body: JSON.parse(Buffer.concat(chunks).toString() || "{}") });
        const answers: Record<string, unknown> = {
          GetQueueAttributes: { Attributes: { QueueArn: dlqArn } },
          StartMessageMoveTask: { TaskHandle: "task-1" },
          ListMessageMoveTasks: {
            Results: [{ Status: "RUNNING", SourceArn: dlqArn, ApproximateNumberOfMessagesMoved: 3, ApproximateNumberOfMessagesToMove: 12 }],
          },
        };
        response.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
        response.end(JSON.stringify(answers[target] ?? {}));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    bin = mkdtempSync(join(tmpdir(), "fake-pulumi-"));
    const outputs = {
      queueUrl: "https://sqs.eu-west-3.amazonaws.com/123456789012/ingest-queue-abc",
      deadLetterQueueUrl: "https://sqs.eu-west-3.amazonaws.com/123456789012/ingest-dlq-abc",
    };
    writeFileSync(join(bin, "outputs.json"), JSON.stringify(outputs));
    writeFileSync(
      join(bin, "pulumi"),
      `#!/bin/sh\n[ "$*" = "stack output --json --stack alice" ] || exit 3\ncat "${join(bin, "outputs.json")}"\n`,
    );
    chmodSync(join(bin, "pulumi"), 0o755);
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    rmSync(bin, { recursive: true, force: true });
  });

  it("starts a message move task from the stack's DLQ and says how far it got", async () => {
    const { port } = server.address() as AddressInfo;
    const env = {
      ...process.env,
      PATH: `${bin}:${process.env.PATH}`,
      AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
    };
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ["--import", "tsx", join(repoRoot, "scripts", "dlq.ts"), "redrive", "--stack", "alice"],
        { cwd: repoRoot, env },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
    expect(result.code, result.stderr).toBe(0);
    expect(calls.map((call) => call.target)).toEqual(["GetQueueAttributes", "StartMessageMoveTask", "ListMessageMoveTasks"]);
    // No destination: SQS sends each message back to the queue it was dead-lettered from.
    expect(calls[1].body).toEqual({ SourceArn: dlqArn });
    expect(result.stdout).toContain("started moving the messages of ingest-dlq-abc back to ingest-queue-abc (task task-1)");
    expect(result.stdout).toContain("status RUNNING: 3 of 12 moved");
  }, 30_000);
});
