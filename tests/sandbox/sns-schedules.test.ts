import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { ReceiveMessageCommand, type Message } from "@aws-sdk/client-sqs";
import { CreateTopicCommand, PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxCredentials, sandboxRegion } from "../../sandbox/shared/constants";
import { readyBanner } from "../../sandbox/cli/banner";
import { eventually, fixtureProgram, startTestSandbox, type TestSandbox } from "../support/sandbox-harness";

/**
 * SNS and EventBridge as a program declares them: a topic fanned out to a serialized callback
 * (`topic.onEvent`), an enveloped queue and a raw queue behind a filter policy; a daily schedule
 * (`aws.cloudwatch.onSchedule`) and a weekday cron rule into a queue, fired on demand.
 */
describe("SNS fan-out and schedules", () => {
  const program = fixtureProgram("sns-schedules");
  let local: TestSandbox;
  let sns: SNSClient;

  beforeAll(async () => {
    local = await startTestSandbox({ programDir: program.dir });
    sns = new SNSClient({ endpoint: local.sandbox.awsEndpoint, region: sandboxRegion, credentials: sandboxCredentials });
  });
  afterAll(async () => {
    sns?.destroy();
    await local?.stop();
    program.remove();
  });

  const receiveAll = async (queue: string, expected: number): Promise<Message[]> => {
    const received: Message[] = [];
    await eventually(
      async () => {
        const batch = await local.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: local.output(queue),
            MaxNumberOfMessages: 10,
            MessageAttributeNames: ["All"],
            WaitTimeSeconds: 1,
          }),
        );
        received.push(...(batch.Messages ?? []));
        return received.length >= expected;
      },
      15_000,
      `${expected} message(s) in ${queue}`,
    );
    return received;
  };
  const mark = async (key: string) => {
    try {
      return await (await local.s3.send(new GetObjectCommand({ Bucket: local.output("bucketName"), Key: key }))).Body!.transformToString();
    } catch {
      return undefined;
    }
  };

  it("fans a publication out to the function, the enveloped queue and, through its filter policy, the raw queue", async () => {
    const topicArn = local.output("topicArn");
    const order = await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: "order-1",
        Subject: "new order",
        MessageAttributes: { kind: { DataType: "String", StringValue: "order" }, amount: { DataType: "Number", StringValue: "25" } },
      }),
    );
    await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: "small-1",
        MessageAttributes: { kind: { DataType: "String", StringValue: "order" }, amount: { DataType: "Number", StringValue: "5" } },
      }),
    );

    const enveloped = (await receiveAll("everythingQueueUrl", 2)).map((message) => JSON.parse(message.Body!));
    expect(enveloped.map((notification) => notification.Message).sort()).toEqual(["order-1", "small-1"]);
    expect(enveloped.find((notification) => notification.Message === "order-1")).toMatchObject({
      Type: "Notification",
      MessageId: order.MessageId,
      TopicArn: topicArn,
      Subject: "new order",
      MessageAttributes: { kind: { Type: "String", Value: "order" }, amount: { Type: "Number", Value: "25" } },
    });

    const raw = await receiveAll("ordersQueueUrl", 1);
    expect(raw.map((message) => message.Body)).toEqual(["order-1"]);
    expect(raw[0].MessageAttributes).toMatchObject({
      kind: { DataType: "String", StringValue: "order" },
      amount: { DataType: "Number", StringValue: "25" },
    });

    expect(JSON.parse((await eventually(() => mark("sns/order-1"), 15_000, "the callback's mark"))!)).toEqual({
      kind: { Type: "String", Value: "order" },
      amount: { Type: "Number", Value: "25" },
    });
    // The small order was filtered out of the raw queue only.
    const again = await local.sqs.send(new ReceiveMessageCommand({ QueueUrl: local.output("ordersQueueUrl"), WaitTimeSeconds: 1 }));
    expect(again.Messages ?? []).toEqual([]);
  });

  it("answers SNS calls it does not emulate with SNS's error, saying so", async () => {
    await expect(sns.send(new CreateTopicCommand({ Name: "another" }))).rejects.toMatchObject({
      name: "InvalidAction",
      message: expect.stringContaining("The action CreateTopic is not emulated by the sandbox's SNS"),
    });
  });

  it("lists each schedule with its next firing and the command that fires it, and fires a rule on demand to its function and its queue", async () => {
    const banner = readyBanner(local.sandbox, 0).split("\n");
    const nextWeekday3am = new Date();
    nextWeekday3am.setUTCHours(3, 0, 0, 0);
    while (nextWeekday3am <= new Date() || [0, 6].includes(nextWeekday3am.getUTCDay()))
      nextWeekday3am.setUTCDate(nextWeekday3am.getUTCDate() + 1);
    expect(banner).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^  schedule  nightly cron\\(0 3 \\? \\* MON-FRI \\*\\) -> everything-[0-9a-f]{7} \\(next ${nextWeekday3am.toISOString().replace(/\.\d{3}Z$/, "Z")}; npm run fire -- nightly --program ${program.dir}\\)$`,
        ),
      ),
    );
    expect(banner).toContainEqual(
      expect.stringMatching(
        new RegExp(`^ {2}schedule {2}tick rate\\(1 day\\) -> tick \\(next \\S+Z; npm run fire -- tick --program ${program.dir}\\)$`),
      ),
    );
    const fired = await fetch(`${local.sandbox.awsEndpoint}/_sandbox/rules/tick/fire`, { method: "POST" });
    expect(await fired.json()).toMatchObject({ schedule: "rate(1 day)", targets: 1 });
    const key = await eventually(
      async () => {
        const listed = await local.s3.send(new ListObjectsV2Command({ Bucket: local.output("bucketName"), Prefix: "schedule/" }));
        return listed.Contents?.[0]?.Key;
      },
      15_000,
      "the schedule callback's mark",
    );
    expect(JSON.parse((await mark(key))!)).toMatchObject({
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: "000000000000",
      detail: {},
    });

    const nightly = (await (await fetch(`${local.sandbox.awsEndpoint}/_sandbox/rules/nightly/fire`, { method: "POST" })).json()) as {
      targets: number;
    };
    expect(nightly.targets).toBe(1);
    const [event] = (await receiveAll("everythingQueueUrl", 1)).map((message) => JSON.parse(message.Body!));
    expect(event).toMatchObject({
      "detail-type": "Scheduled Event",
      resources: [expect.stringMatching(/^arn:aws:events:us-east-1:000000000000:rule\/nightly-/)],
    });

    const missing = await fetch(`${local.sandbox.awsEndpoint}/_sandbox/rules/weekly/fire`, { method: "POST" });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { message: string }).message).toBe("no schedule rule 'weekly'; the program's rules: nightly, tick");
  });

  it("says so when a sample is of a trigger the function does not have, and not when it has it", async () => {
    const noteOf = async (source: string, fn: string) => {
      const response = await fetch(`${local.sandbox.awsEndpoint}/_sandbox/sample?source=${source}&function=${fn}`);
      expect(response.status).toBe(200);
      const note = response.headers.get("x-sandbox-sample-note");
      return note === null ? undefined : decodeURIComponent(note);
    };
    const onEvent = [...local.sandbox.wiring.functions.values()].find((fn) => fn.spec.logicalName === "on-event")?.name;
    expect(await noteOf("schedule", "on-event")).toBe(
      `${onEvent} has no EventBridge rule target: the sample is shaped as one would deliver it, aimed at the program's first such resource (or a made-up one), and the function may refuse it`,
    );
    expect(await noteOf("sns", "on-event")).toBeUndefined();
    expect(await noteOf("schedule", "tick")).toBeUndefined();
  });
});
