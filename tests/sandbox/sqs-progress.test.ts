import { afterEach, describe, expect, it } from "vitest";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { SqsPoller } from "../../sandbox/services/sqs/event-source-mapping";
import { memoryReporter } from "../../sandbox/shared/log";
import type { LocalFunction } from "../../sandbox/services/lambda/function";
import { eventually } from "../support/sandbox-harness";

/** A queue in memory, answering the three calls a poller makes. */
function fakeQueue() {
  const pending: string[] = [];
  let next = 0;
  const sqs = {
    async send(command: { constructor: { name: string }; input: { MaxNumberOfMessages?: number } }) {
      switch (command.constructor.name) {
        case "ReceiveMessageCommand": {
          const taken = pending.splice(0, command.input.MaxNumberOfMessages ?? 1);
          if (taken.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
          return { Messages: taken.map((body) => ({ MessageId: `m-${next++}`, ReceiptHandle: `h-${next}`, Body: body, Attributes: {} })) };
        }
        case "GetQueueAttributesCommand":
          return { Attributes: { ApproximateNumberOfMessages: String(pending.length), ApproximateNumberOfMessagesNotVisible: "0" } };
        default:
          return {};
      }
    },
  };
  return {
    sqs: sqs as unknown as SQSClient,
    send: (count: number) => pending.push(...Array.from({ length: count }, (_, index) => `body-${index}`)),
  };
}

describe("the progress line of a busy SQS mapping", () => {
  let poller: SqsPoller | undefined;
  afterEach(async () => poller?.stop());

  it("names the function as its invocation lines do, and counts the messages of the current burst only", async () => {
    const queue = fakeQueue();
    const reporter = memoryReporter();
    const fn = {
      spec: { name: "consumer-fn-4f2a", logicalName: "consumer-fn" },
      invoke: async () => ({ ok: true, value: {}, logs: [], durationMs: 1, initMs: 0, requestId: "r" }),
    } as unknown as LocalFunction;
    const settings = {
      name: "consumer-mapping",
      queueUrl: "http://127.0.0.1:4566/000000000000/work-queue",
      queueArn: "arn:aws:sqs:us-east-1:000000000000:work-queue",
      batchSize: 10,
      batchWindowSeconds: 0,
      reportsItemFailures: true,
      maximumConcurrency: 1,
    };
    poller = new SqsPoller(settings, () => fn, queue.sqs, reporter);
    poller.start();
    const progress = () => reporter.lines.filter((line) => line.includes("in this burst"));

    queue.send(300);
    await eventually(
      () =>
        progress().some((line) =>
          line.startsWith("consumer-fn <- sqs work-queue: 300 messages delivered in this burst, 0 waiting, 0 in flight"),
        ) || undefined,
      15_000,
      "the first burst's progress line",
    );
    // The burst ends (a second without deliveries); a second burst is counted on its own.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const firstBurst = progress().length;
    queue.send(250);
    await eventually(() => progress().length > firstBurst || undefined, 15_000, "the second burst's progress line");
    expect(progress().at(-1)).toMatch(
      /^consumer-fn <- sqs work-queue: \d+ messages delivered in this burst, \d+ waiting, 0 in flight \(\d+\/s\)$/,
    );
    await eventually(
      () => progress().some((line) => line.startsWith("consumer-fn <- sqs work-queue: 250 messages delivered in this burst,")) || undefined,
      15_000,
      "the second burst counted alone",
    );
    expect(progress().some((line) => line.includes("550 messages"))).toBe(false);
  });
});
