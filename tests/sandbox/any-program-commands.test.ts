import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, describe, expect, it } from "vitest";
import { readyBanner } from "../../sandbox/cli/banner";
import { eventually, fixtureSandbox, repoRoot, runCommand, type TestSandbox } from "../support/sandbox-harness";

/**
 * The commands against programs that are not this project's: they find the bucket, the queues
 * and the functions by what the program declared, never by our output names.
 */

/** A command as `npm run` runs it, with the environment given (runCommand always sets SANDBOX_STATE_DIR). */
function command(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", join(repoRoot, file), ...args], { cwd: repoRoot, env }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const markOf = (local: TestSandbox) => async (key: string) => {
  try {
    return await (await local.s3.send(new GetObjectCommand({ Bucket: local.output("bucketName"), Key: key }))).Body!.transformToString();
  } catch {
    return undefined;
  }
};

describe("the commands against a program of serialized callbacks", () => {
  const fixture = fixtureSandbox("callbacks");
  const files = mkdtempSync(join(tmpdir(), "any-program-upload-"));

  afterAll(() => rmSync(files, { recursive: true, force: true }));

  it("upload --wait takes the bucket that has a notification, keys the file under its prefix, and waits for the consumed queue to drain", async () => {
    const file = join(files, "hello.txt");
    writeFileSync(file, "hello\n");
    const upload = await runCommand(fixture.local, "upload", [file, "--wait", "--timeout", "30"]);
    const bucket = fixture.local.output("bucketName");
    const queue = fixture.local.output("queueUrl").split("/").pop();
    expect(upload.stderr).toBe("");
    expect(upload.stdout.replace(/in \d+ ms/, "in N ms")).toBe(
      `uploaded s3://${bucket}/incoming/hello.txt (6 bytes) in N ms\n` +
        `done: the queues functions consume (${queue}) stayed empty for 2 s; no report to show (on-incoming writes none)\n`,
    );
    expect(upload.code).toBe(0);
    expect(await eventually(() => markOf(fixture.local)("seen/incoming/hello.txt"), 15_000, "the callback's mark")).toBe(
      "ObjectCreated:Put",
    );
  }, 60_000);

  it("--key chooses the key (and says at once when no notification takes it); --bucket must name a declared bucket", async () => {
    const file = join(files, "other.txt");
    writeFileSync(file, "x");
    const bucket = fixture.local.output("bucketName");
    const [elsewhere, unknown] = await Promise.all([
      runCommand(fixture.local, "upload", [file, "--key", "elsewhere/other.txt", "--wait"]),
      runCommand(fixture.local, "upload", [file, "--bucket", "no-such-bucket"]),
    ]);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toBe(
      `nothing will ingest s3://${bucket}/elsewhere/other.txt: no notification of the bucket matches this key (on-incoming takes keys that start with 'incoming/')\n`,
    );
    expect(unknown).toEqual({
      code: 1,
      stdout: "",
      stderr: `error: --bucket no-such-bucket: the program declares no such bucket (its buckets: ${bucket})\n`,
    });
  });

  it("--program finds the sandbox in the program's own .sandbox, as npm start -- --program does", async () => {
    symlinkSync(fixture.local.sandbox.stateDir, join(fixture.dir, ".sandbox"), "dir");
    const { SANDBOX_STATE_DIR: _ignored, ...env } = process.env;
    const file = join(files, "via-program.txt");
    writeFileSync(file, "x");
    const result = await command("sandbox/cli/upload.ts", [file, "--program", fixture.dir], env);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(
      new RegExp(`^uploaded s3://${fixture.local.output("bucketName")}/incoming/via-program\\.txt \\(1 bytes\\) in \\d+ ms\n$`),
    );
    expect(result.code).toBe(0);
  });

  it("reconcile finds the bucket and key as upload does, and says the program has no table to reconcile against", async () => {
    const file = join(files, "rows.csv");
    writeFileSync(file, "id,city\n1,Paris\n");
    const result = await command("scripts/reconcile.ts", [file], { ...process.env, SANDBOX_STATE_DIR: fixture.local.sandbox.stateDir });
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr: "error: the program declares no DynamoDB table, so there are no stored rows to reconcile against\n",
    });
  });

  it("the banner's upload line names the notification's prefix and the program", () => {
    const tryIt = readyBanner(fixture.local.sandbox, 0).split("\nTry it\n")[1].split("\n");
    expect(tryIt).toContain(`  npm run upload -- <file> --wait --program ${fixture.dir}  (on-incoming takes incoming/*)`);
  });
});

describe("the commands against a program of SNS topics and schedules", () => {
  const fixture = fixtureSandbox("sns-schedules");
  const files = mkdtempSync(join(tmpdir(), "any-program-upload-"));

  afterAll(() => rmSync(files, { recursive: true, force: true }));

  it("invoke --sample schedule gives the function the Scheduled Event of the rule that targets it", async () => {
    const invoked = await runCommand(fixture.local, "invoke", ["tick", "--sample", "schedule"]);
    expect(invoked.code, invoked.stderr).toBe(0);
    const rule = fixture.local.sandbox.wiring.schedules.rules.find((candidate) => candidate.logicalName === "tick")!;
    const mark = await eventually(
      async () => {
        const keys =
          (await fixture.local.s3.send(new ListObjectsV2Command({ Bucket: fixture.local.output("bucketName"), Prefix: "schedule/" })))
            .Contents ?? [];
        return keys[0]?.Key ? markOf(fixture.local)(keys[0].Key) : undefined;
      },
      15_000,
      "the schedule callback's mark",
    );
    expect(JSON.parse(mark)).toMatchObject({ "detail-type": "Scheduled Event", source: "aws.events", resources: [rule.arn], detail: {} });
  });

  it("invoke --sample sns gives the subscribed function a notification of its topic", async () => {
    const invoked = await runCommand(fixture.local, "invoke", ["on-event", "--sample", "sns"]);
    expect(invoked.code, invoked.stderr).toBe(0);
    expect(await eventually(() => markOf(fixture.local)('sns/{"hello":"from the sandbox"}'), 15_000, "the topic callback's mark")).toBe(
      "{}",
    );
  });

  it("upload says there is no bucket with a notification and lists the buckets to choose from", async () => {
    const file = join(files, "x.txt");
    writeFileSync(file, "x");
    const upload = await runCommand(fixture.local, "upload", [file]);
    expect(upload).toEqual({
      code: 1,
      stdout: "",
      stderr: `error: the program declares no bucket with a notification for created objects, so nothing would ingest an upload; to upload anyway, choose one with --bucket <name> (its buckets: ${fixture.local.output("bucketName")})\n`,
    });
  });

  it("the banner suggests the samples of the subscribed and the scheduled functions", () => {
    const tryIt = readyBanner(fixture.local.sandbox, 0).split("\nTry it\n")[1].split("\n");
    expect(tryIt).toEqual([
      `  npm run invoke -- on-event --sample sns --program ${fixture.dir}`,
      `  npm run invoke -- tick --sample schedule --program ${fixture.dir}`,
    ]);
  });
});

describe("the commands against a program whose queues have other output names", () => {
  const fixture = fixtureSandbox("dead-letters");

  it("dlq list and redrive find the dead-letter queue by the redrive policy", async () => {
    const sent = await fixture.local.sqs.send(
      new SendMessageCommand({ QueueUrl: fixture.local.output("ordersUrl"), MessageBody: "poison" }),
    );
    const [orders, dead] = [fixture.local.output("ordersUrl"), fixture.local.output("refusedUrl")].map((url) => url.split("/").pop());
    await eventually(
      async () => {
        const listed = await runCommand(fixture.local, "dlq", ["list"]);
        return listed.stdout.includes(sent.MessageId!) ? listed : undefined;
      },
      30_000,
      "the poison message in the dead-letter queue",
    );
    const listed = await runCommand(fixture.local, "dlq", ["list"]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout.replace(/sent \S+Z/, "sent T")).toBe(
      `${dead} (dead letters of ${orders}): 1 message(s)\n- ${sent.MessageId}  received 2 times, sent T\n  poison\n`,
    );
    const redriven = await runCommand(fixture.local, "dlq", ["redrive"]);
    expect(redriven).toEqual({ code: 0, stdout: `moved 1 message(s) from ${dead} back to ${orders}\n`, stderr: "" });
  }, 60_000);
});
