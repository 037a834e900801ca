import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { eventually, repoRoot, runCommand, startTestSandbox, type TestSandbox } from "../support/sandbox-harness";

interface Job {
  id: string;
  city: string;
  [key: string]: unknown;
}

/**
 * The product's own program (index.ts) and handlers in the sandbox, end to end. A timeout of 1 s
 * for sqs-to-dynamo (`consumerTimeout`) makes the program set a 6 s visibility timeout, so a poison message reaches the
 * DLQ in seconds; nothing else differs from a developer's `npm start`.
 */
describe("the job-offers program in the sandbox", () => {
  let local: TestSandbox;
  let apiUrl: string;
  let poisonId: string;

  beforeAll(async () => {
    local = await startTestSandbox({ programDir: repoRoot, config: { consumerTimeout: "1" } });
    apiUrl = local.output("apiUrl");
    // Sent first: its four receives, 6 s apart, run while the other tests do.
    const sent = await local.sqs.send(new SendMessageCommand({ QueueUrl: local.output("queueUrl"), MessageBody: "this is not a job" }));
    poisonId = sent.MessageId!;
  });
  afterAll(async () => {
    await local?.stop();
  });

  it("ingests an uploaded CSV: a report with the rejected lines, every valid row through the API", async () => {
    const csv = readFileSync(join(repoRoot, "fixtures", "jobs.csv"));
    const bucket = local.output("bucketName");
    await local.s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${local.output("uploadPrefix")}jobs.csv`, Body: csv }));

    const report = await eventually(
      async () => {
        try {
          const object = await local.s3.send(new GetObjectCommand({ Bucket: bucket, Key: "reports/jobs.json" }));
          return JSON.parse(await object.Body!.transformToString());
        } catch {
          return undefined;
        }
      },
      20_000,
      "the ingestion report",
    );
    expect(report).toMatchObject({ status: "complete", rows: 8, queued: 6, rejected: 2 });
    expect(report.errors.map((error: { line: number }) => error.line)).toEqual([7, 8]);

    const expected = ["j-001/Paris", "j-002/Lyon", "j-003/São Paulo", "j-004/Berlin", "j-001/Lyon", "j-007/New York"].sort();
    const listed = await eventually(
      async () => {
        const body = (await (await fetch(`${apiUrl}/v1/jobs?limit=100`)).json()) as { items: Job[] };
        const keys = body.items.map((job) => `${job.id}/${job.city}`).sort();
        return keys.length === expected.length ? keys : undefined;
      },
      20_000,
      "every valid row in the API",
    );
    expect(listed).toEqual(expected);
    const saoPaulo = await fetch(`${apiUrl}/v1/jobs/j-003/S%C3%A3o%20Paulo`);
    expect(saoPaulo.status).toBe(200);
    expect(await saoPaulo.json()).toMatchObject({ id: "j-003", city: "São Paulo", title: "Site reliability engineer" });
  });

  it("refuses writes without the API token and accepts them with it", async () => {
    const job = JSON.stringify({ id: "w-1", city: "Nantes", title: "Writer" });
    const headers = { "content-type": "application/json" };
    const anonymous = await fetch(`${apiUrl}/v1/jobs`, { method: "POST", body: job, headers });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ message: "Unauthorized" });
    const authorized = await fetch(`${apiUrl}/v1/jobs`, {
      method: "POST",
      body: job,
      headers: { ...headers, authorization: `Bearer ${local.sandbox.outputs.secrets["job-offers:apiToken"]}` },
    });
    expect(authorized.status).toBe(201);
    expect((await fetch(`${apiUrl}/v1/jobs/w-1/Nantes`)).status).toBe(200);
  });

  it("answers a browser's preflight at the gateway, without a token, as API Gateway does with CORS configured", async () => {
    const origin = "http://localhost:5173";
    const preflight = await fetch(`${apiUrl}/v1/jobs`, {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" },
    });
    expect(preflight.status).toBe(204);
    expect(Object.fromEntries([...preflight.headers].filter(([name]) => name.startsWith("access-control-")))).toEqual({
      "access-control-allow-origin": "*",
      "access-control-allow-methods": "GET,POST,PUT,DELETE,HEAD",
      "access-control-allow-headers": "authorization,content-type",
      "access-control-max-age": "300",
    });
    const read = await fetch(`${apiUrl}/v1/health`, { headers: { origin } });
    expect(read.headers.get("access-control-allow-origin")).toBe("*");
    expect(read.headers.get("access-control-expose-headers")).toBe("location");
  });

  it("answers HEAD on public reads without a token, with GET's status and no body", async () => {
    const health = await fetch(`${apiUrl}/v1/health`, { method: "HEAD" });
    expect(health.status).toBe(200);
    expect(health.headers.get("content-type")).toBe("application/json");
    expect(await health.text()).toBe("");
    expect((await fetch(`${apiUrl}/v1/jobs/no-such-id/Nowhere`, { method: "HEAD" })).status).toBe(404);
  });

  it("upload --wait waits until the queue is empty and exits 1 when a message reached the dead-letter queue meanwhile", async () => {
    // The poison message sent first is still being retried: it reaches the DLQ while this waits.
    const upload = await runCommand(local, "upload", [join(repoRoot, "fixtures", "jobs.csv"), "--wait", "--timeout", "60"]);
    expect(upload.code, upload.stderr).toBe(1);
    expect(upload.stdout).toContain(`uploaded s3://${local.output("bucketName")}/job_offers/jobs.csv`);
    expect(upload.stdout).toMatch(/"queued": 6,\s+"rejected": 2/);
    expect(upload.stdout.trimEnd().split("\n").pop()).toBe(
      "1 message(s) reached the dead-letter queue while waiting: see `npm run dlq -- list`",
    );
  }, 60_000);

  it("moves a poison message to the dead-letter queue after exactly 4 receives", async () => {
    const dead = await eventually(
      async () => {
        const { Messages } = await local.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: local.output("deadLetterQueueUrl"), WaitTimeSeconds: 1, VisibilityTimeout: 0 }),
        );
        return Messages?.find((message) => message.MessageId === poisonId);
      },
      40_000,
      "the poison message in the DLQ",
    );
    expect(dead.Body).toBe("this is not a job");
    const receives = local.reporter.invocations.filter((invocation) => invocation.trigger.messageIds?.includes(poisonId));
    expect(receives).toHaveLength(4);
    const listed = await runCommand(local, "dlq", ["list"]);
    expect(listed.stdout).toContain("1 message(s)");
    expect(listed.stdout).toContain("this is not a job");
    // Looking receives nothing: the count is the same however often one looks.
    const receivedLine = (text: string) => text.split("\n").find((line) => line.includes(poisonId));
    const listedAgain = await runCommand(local, "dlq", ["list"]);
    const shown = await runCommand(local, "dlq", ["show", poisonId]);
    expect(receivedLine(listed.stdout)).toMatch(new RegExp(`^- ${poisonId}  received \\d+ times, sent `));
    expect(receivedLine(listedAgain.stdout)).toBe(receivedLine(listed.stdout));
    expect(receivedLine(shown.stdout)).toBe(
      `${local.output("deadLetterQueueUrl").split("/").pop()}: ${receivedLine(listed.stdout)!.slice(2)}`,
    );
  }, 45_000);

  it("has commands to upload and wait for the report (exit 0 when every row is through), and to invoke a function with a sample event", async () => {
    const [upload, invoke] = await Promise.all([
      runCommand(local, "upload", [join(repoRoot, "fixtures", "jobs.csv"), "--wait", "--timeout", "20"]),
      runCommand(local, "invoke", ["apiFunctionName", "--sample", "http"]),
    ]);
    expect(upload.code, upload.stderr).toBe(0);
    expect(upload.stdout).toContain(`uploaded s3://${local.output("bucketName")}/job_offers/jobs.csv`);
    expect(upload.stdout).toMatch(/"queued": 6,\s+"rejected": 2/);
    expect(upload.stdout).not.toContain("dead-letter");
    expect(invoke.code, invoke.stderr).toBe(0);
    expect(JSON.parse(invoke.stdout)).toMatchObject({ statusCode: expect.any(Number), body: expect.any(String) });
  }, 60_000);

  it("invoke's samples run each function's happy path: an object that exists, a message sqs-to-dynamo accepted, a route that exists", async () => {
    const [s3ToSqs, sqsToDynamo, health] = await Promise.all([
      runCommand(local, "invoke", ["s3ToSqsFunctionName", "--sample", "s3"]),
      runCommand(local, "invoke", ["sqsToDynamoFunctionName", "--sample", "sqs"]),
      runCommand(local, "invoke", ["apiFunctionName", "--sample", "http", "--path", "/v1/health"]),
    ]);
    expect(s3ToSqs.code, s3ToSqs.stderr).toBe(0);
    expect(s3ToSqs.stderr).not.toContain("note:");
    // The newest object the notification takes is the file uploaded above: read whole, as S3 would have it read.
    const report = JSON.parse(
      await (
        await local.s3.send(new GetObjectCommand({ Bucket: local.output("bucketName"), Key: "reports/jobs.json" }))
      ).Body!.transformToString(),
    );
    expect(report).toMatchObject({ key: "job_offers/jobs.csv", status: "complete", rows: 8, queued: 6, rejected: 2 });
    expect(sqsToDynamo.code, sqsToDynamo.stderr).toBe(0);
    expect(sqsToDynamo.stderr).not.toContain("note:");
    expect(JSON.parse(sqsToDynamo.stdout)).toEqual({ batchItemFailures: [] });
    expect(health.code, health.stderr).toBe(0);
    const answer = JSON.parse(health.stdout);
    expect({ statusCode: answer.statusCode, body: JSON.parse(answer.body) }).toEqual({ statusCode: 200, body: { status: "ok" } });
  }, 60_000);

  it("logs a handler's error as Lambda's runtime does, its stack at the TypeScript lines of runtime/ (the bundle's source map)", async () => {
    const response = await fetch(`${local.sandbox.awsEndpoint}/2015-03-31/functions/${local.output("s3ToSqsFunctionName")}/invocations`, {
      method: "POST",
      headers: { "x-amz-log-type": "Tail" },
      body: JSON.stringify({ Records: [{}] }),
    });
    expect(response.headers.get("x-amz-function-error")).toBe("Unhandled");
    const logged = Buffer.from(response.headers.get("x-amz-log-result") ?? "", "base64")
      .toString("utf8")
      .split("\n");
    const record = JSON.parse(logged.find((line) => line.includes('"level":"ERROR"')) ?? "{}");
    expect(record.message).toMatchObject({
      errorType: "TypeError",
      errorMessage: "Cannot read properties of undefined (reading 'startsWith')",
    });
    expect(record.message.stackTrace[1]).toMatch(/^ {4}at .*[/\\]runtime[/\\]s3-to-sqs[/\\]index\.ts:\d+:\d+\)?$/);
  });

  it("says at once that nothing ingests a key outside the notification's prefix and suffix, and exits 1 instead of waiting", async () => {
    const dir = mkdtempSync(join(tmpdir(), "upload-"));
    const file = join(dir, "JOBS.CSV");
    writeFileSync(file, readFileSync(join(repoRoot, "fixtures", "jobs.csv")));
    const upload = await runCommand(local, "upload", [file, "--wait"]);
    rmSync(dir, { recursive: true, force: true });
    expect(upload.code).toBe(1);
    expect(upload.stdout).toMatch(
      new RegExp(`^uploaded s3://${local.output("bucketName")}/job_offers/JOBS.CSV \\(\\d+ bytes\\) in \\d+ ms\n$`),
    );
    expect(upload.stderr).toBe(
      `nothing will ingest s3://${local.output("bucketName")}/job_offers/JOBS.CSV: no notification of the bucket matches this key (ingest-s3-to-sqs takes keys that start with 'job_offers/' and end with '.csv')\n`,
    );
  });

  it("ingests a CSV over 12 MiB uploaded in one PutObject as it ingests a small one", async () => {
    // Wide rows (about 60 KB, under the producer's 64 KiB record limit) make the size; each has a
    // salary that is not a number, so the report lists them and the consumer has nothing to write.
    // A valid row at each end shows the file was read whole.
    const wide = (row: number) => `Notes on job ${row}. `.repeat(600).slice(0, 9_900).trimEnd();
    const lines = [
      "id,city,title,salary_min,description,notes_a,notes_b,notes_c,notes_d,notes_e",
      "wide-first,Lille,First job,30000,,,,,,",
    ];
    for (let row = 1; row <= 215; row++) lines.push(`wide-${row},Lille,Job ${row},lots,${Array(6).fill(wide(row)).join(",")}`);
    lines.push("wide-last,Lille,Last job,31000,,,,,,");
    const csv = Buffer.from(`${lines.join("\n")}\n`);
    expect(csv.length).toBeGreaterThan(12 * 1024 * 1024);
    const bucket = local.output("bucketName");
    await local.s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${local.output("uploadPrefix")}wide.csv`, Body: csv }));

    const report = await eventually(
      async () => {
        try {
          const object = await local.s3.send(new GetObjectCommand({ Bucket: bucket, Key: "reports/wide.json" }));
          const json = JSON.parse(await object.Body!.transformToString());
          return json.status === "complete" ? json : undefined;
        } catch {
          return undefined;
        }
      },
      60_000,
      "the complete report of wide.csv",
    );
    expect(report).toMatchObject({ key: "job_offers/wide.csv", rows: 217, queued: 2, rejected: 215 });
    expect(report.errors).toEqual(
      Array.from({ length: 215 }, (_, index) => ({ line: index + 3, reasons: ["salary_min: 'lots' is not a number"] })),
    );
    const last = await eventually(
      async () => {
        const response = await fetch(`${apiUrl}/v1/jobs/wide-last/Lille`);
        return response.status === 200 ? ((await response.json()) as Job) : undefined;
      },
      20_000,
      "the file's last row through the API",
    );
    expect(last).toMatchObject({ id: "wide-last", city: "Lille", title: "Last job", salary_min: 31000 });
  }, 120_000);
});
