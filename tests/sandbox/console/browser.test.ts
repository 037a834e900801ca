import { existsSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, startTestSandbox, type TestSandbox } from "../../support/sandbox-harness";

/**
 * A Chromium the machine has: Debian's `chromium`, installed by `.ci/run`, or the Google Chrome
 * that GitHub's Ubuntu runners carry. `CHROMIUM_PATH` names the one to use, and the test fails
 * rather than skips when it is not there. playwright-core drives it,
 * nothing is downloaded (it starts it with a fresh profile of its own each time).
 */
const chromiumPath = process.env.CHROMIUM_PATH ?? ["/usr/bin/chromium", "/usr/bin/google-chrome"].find((path) => existsSync(path));
/** Set to a path (docs/console.png) to save the console's overview once the ingestion has run. */
const screenshotPath = process.env.CONSOLE_SCREENSHOT;

const csv = [
  "id,city,title,salary_min,salary_max",
  "web-1,Paris,Backend engineer,50000,60000",
  "web-2,Lyon,Data analyst,40000,45000",
  "web-3,Paris,Designer,45000,40000",
  "web-4,Nantes,Support engineer,35000,38000",
].join("\n");

/**
 * The console in a real browser against the project's own program: one sandbox and one browser
 * session for the whole story, in order (each step needs the one before). One receive before the
 * DLQ and a 1 s timeout of sqs-to-dynamo (`consumerTimeout`: a 6 s visibility timeout) keep the poison message's trip short.
 */
describe.skipIf(!chromiumPath)("the console in a browser", () => {
  let local: TestSandbox;
  let browser: Browser;
  let page: Page;
  const name = (url: string) => url.split("/").pop()!;

  beforeAll(async () => {
    [local, browser] = await Promise.all([
      startTestSandbox({ programDir: repoRoot, config: { consumerTimeout: "1", maxReceiveCount: "1" } }),
      chromium.launch({
        executablePath: chromiumPath,
        args: [
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
        ],
      }),
    ]);
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    // The project's program and a browser at once: slower than one sandbox on a loaded machine.
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await local?.stop();
  });

  const tab = (name: string) => page.click(`nav button[data-tab=${name}]`);
  const cell = (row: string, column: number) => page.locator(`${row} td`).nth(column);

  it("opens at the URL in outputs.json and finds the program's table, bucket, queues and functions", async () => {
    expect(local.sandbox.outputs.consoleUrl).toBe(`${local.sandbox.awsEndpoint}/_console/`);
    await page.goto(String(local.sandbox.outputs.consoleUrl));
    await expect.poll(() => page.textContent("#live"), { timeout: 15_000 }).toBe("live");
    expect(await page.textContent("#program")).toBe("job-offers / sandbox");

    await tab("resources");
    const service = (service: string) => page.locator(`section.service[data-service=${service}]`).innerText();
    expect(await service("dynamodb")).toContain(local.output("tableName"));
    expect(await service("s3")).toContain(local.output("bucketName"));
    expect(await service("sqs")).toContain(name(local.output("queueUrl")));
    expect(await service("sqs")).toContain(name(local.output("deadLetterQueueUrl")));
    // What is not emulated is said, by name.
    expect(await service("s3")).toMatch(/bucketPolicy.*not emulated/);

    await tab("queues");
    const dlq = name(local.output("deadLetterQueueUrl"));
    // The DLQ is listed right under its source, as its dead letters.
    const order = await page.locator("#queues-table tbody tr").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-queue")));
    expect(order.indexOf(dlq)).toBe(order.indexOf(name(local.output("queueUrl"))) + 1);
    expect(await cell(`tr[data-queue="${dlq}"]`, 6).innerText()).toBe(`dead letters of ${name(local.output("queueUrl"))}`);

    await tab("invocations");
    const functions = await page.locator("#functions-table").innerText();
    for (const key of ["s3ToSqsFunctionName", "sqsToDynamoFunctionName", "apiFunctionName", "authorizerFunctionName"])
      expect(functions).toContain(local.output(key));
  }, 60_000);

  it("uploads a CSV dropped on the page, and shows the invocations, the rows and the report's rejected line", async () => {
    await tab("buckets");
    expect(await page.inputValue("#upload-prefix")).toBe(local.output("uploadPrefix"));
    // What a browser hands the page when a file is dropped on it.
    const dropped = await page.evaluateHandle(
      `(() => { const transfer = new DataTransfer(); transfer.items.add(new File([${JSON.stringify(csv)}], "from-the-page.csv", { type: "text/csv" })); return transfer; })()`,
    );
    await page.dispatchEvent("#drop-zone", "drop", { dataTransfer: dropped });
    await expect
      .poll(() => page.textContent("#upload-status"))
      .toBe(`uploaded ${local.output("uploadPrefix")}from-the-page.csv (${csv.length} bytes)`);

    // Pushed by the server: s3-to-sqs's and then sqs-to-dynamo's invocations appear unasked.
    await tab("invocations");
    const s3ToSqs = `#invocation-log tr[data-function="${local.output("s3ToSqsFunctionName")}"]`;
    const sqsToDynamo = `#invocation-log tr[data-function="${local.output("sqsToDynamoFunctionName")}"]`;
    await page.waitForSelector(s3ToSqs, { timeout: 20_000 });
    await page.waitForSelector(sqsToDynamo, { timeout: 20_000 });
    expect(await cell(s3ToSqs, 2).innerText()).toContain(`ObjectCreated:Put ${local.output("uploadPrefix")}from-the-page.csv`);
    expect(await cell(s3ToSqs, 5).innerText()).toBe("ok");
    await page.click(s3ToSqs);
    expect(await page.textContent("#detail pre.event")).toContain(`"key": "${local.output("uploadPrefix")}from-the-page.csv"`);
    expect(await page.textContent("#detail pre.result")).not.toBe("");
    await page.click("#detail header button");
    await page.selectOption("#invocation-filter", local.output("sqsToDynamoFunctionName"));
    const shown = await page
      .locator("#invocation-log tbody tr")
      .evaluateAll((rows) => rows.map((row) => row.getAttribute("data-function")));
    expect(new Set(shown)).toEqual(new Set([local.output("sqsToDynamoFunctionName")]));

    await tab("tables");
    // Three rows were valid: they reach the table through the queue and sqs-to-dynamo.
    const ids = async () => {
      await page.click("#scan-button");
      return (await page.locator("#items-table tbody tr td:first-child").allInnerTexts()).sort();
    };
    await expect.poll(ids, { timeout: 15_000 }).toEqual(["web-1", "web-2", "web-4"]);
    // By the index whose partition key is the city.
    await page.selectOption("#query-index", "byCity");
    await page.fill("#query-hash", "Paris");
    await page.click("#query-form button[type=submit]");
    await expect.poll(() => page.locator("#items-table tbody tr").count()).toBe(1);
    await page.click("#items-table tbody tr");
    expect(JSON.parse(await page.locator("#item-json pre").innerText())).toMatchObject({
      id: "web-1",
      city: "Paris",
      title: "Backend engineer",
    });

    await tab("buckets");
    const reportKey = `${local.output("reportPrefix")}from-the-page.json`;
    await expect
      .poll(async () => (await page.click("nav button[data-tab=buckets]"), await page.locator(`a[data-key="${reportKey}"]`).count()), {
        timeout: 15_000,
      })
      .toBe(1);
    await page.click(`a[data-key="${reportKey}"]`);
    const rejected = page.locator('#object-view table[data-list="errors"]');
    // The object is fetched after the click: wait for its table rather than read it at once.
    await expect.poll(() => rejected.locator("th").allInnerTexts()).toEqual(["line", "reasons"]);
    expect(await rejected.locator("tbody tr").count()).toBe(1);
    expect(await rejected.locator("tbody td").first().innerText()).toBe("4");
    expect(await rejected.locator("tbody td").nth(1).innerText()).toMatch(/salary_min/);
  }, 90_000);

  it("shows a poison message in the DLQ with the DLQ alarm in ALARM, redrives it and sees the alarm return to OK", async () => {
    const dlq = name(local.output("deadLetterQueueUrl"));
    await local.sqs.send(new SendMessageCommand({ QueueUrl: local.output("queueUrl"), MessageBody: "not a job message" }));
    await tab("queues");
    await expect.poll(() => cell(`tr[data-queue="${dlq}"]`, 2).innerText(), { timeout: 30_000 }).toBe("1");
    await page.click(`button[data-messages="${dlq}"]`);
    const message = page.locator("#messages-table tbody tr");
    await expect.poll(() => message.count()).toBe(1);
    // Looked at, not received: its receives are those that sent it to the DLQ, more than maxReceiveCount (1).
    expect(Number(await message.locator("td").nth(2).innerText())).toBeGreaterThan(1);
    expect(await message.locator("pre").innerText()).toBe("not a job message");

    await tab("alarms");
    const alarm = page.locator("#alarms-table tbody tr").filter({ hasText: `QueueName=${dlq}` });
    await expect.poll(() => alarm.locator(".state").innerText(), { timeout: 10_000 }).toBe("ALARM");
    // Published to the alarm's SNS action, as CloudWatch does, and told on the terminal.
    const topic = String(local.sandbox.outputs.alarmTopicArn).split(":").pop();
    expect(await page.locator("#alarm-changes tbody tr").first().innerText()).toMatch(
      new RegExp(`alarms-dead-letter-queue-not-empty-\\S+\\s+OK -> ALARM\\s+${topic}`),
    );
    expect(local.reporter.lines).toContainEqual(
      expect.stringMatching(
        new RegExp(`^alarm alarms-dead-letter-queue-not-empty-\\S+: OK -> ALARM \\(Threshold Crossed.*\\); notified ${topic}$`),
      ),
    );

    if (screenshotPath) {
      await tab("overview");
      await page.waitForTimeout(1_500);
      mkdirSync(dirname(resolve(repoRoot, screenshotPath)), { recursive: true });
      await page.screenshot({ path: resolve(repoRoot, screenshotPath) });
      await tab("alarms");
    }

    await tab("queues");
    await page.click(`button[data-redrive="${dlq}"]`);
    await expect
      .poll(() => page.textContent("#queue-status"))
      .toBe(`moved 1 of 1 message(s) from ${dlq} back to ${name(local.output("queueUrl"))}`);
    await tab("alarms");
    await expect.poll(() => alarm.locator(".state").innerText(), { timeout: 10_000 }).toBe("OK");
    expect(await page.locator("#alarm-changes").innerText()).toMatch(/ALARM -> OK/);
  }, 90_000);
});
