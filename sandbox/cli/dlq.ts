process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageBatchCommand, type Message, type SQSClient } from "@aws-sdk/client-sqs";
import { fail, parseFlags } from "./args";
import { sandboxContext } from "./context";

const usage = "npm run dlq -- list | redrive";

interface Pair {
  source: { name: string; url: string };
  dlq: { name: string; url: string; arn: string };
}

/** Dead-letter queues as the program declared them: every queue's redrive policy names one. */
function pairsOf(resources: Array<{ type: string; state: Record<string, unknown> }>): Pair[] {
  const queues = resources.filter((resource) => resource.type === "aws:sqs/queue:Queue");
  return queues.flatMap((queue) => {
    if (!queue.state.redrivePolicy) return [];
    const target = JSON.parse(String(queue.state.redrivePolicy)).deadLetterTargetArn;
    const dlq = queues.find((candidate) => candidate.state.arn === target);
    if (!dlq) return [];
    return [{
      source: { name: String(queue.state.name), url: String(queue.state.url) },
      dlq: { name: String(dlq.state.name), url: String(dlq.state.url), arn: String(dlq.state.arn) },
    }];
  });
}

/**
 * Reads every message of a queue once. Receiving hides them for the visibility timeout given,
 * so a listing does not loop over the same messages.
 */
async function drain(sqs: SQSClient, url: string, visibilitySeconds: number): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: visibilitySeconds, MessageSystemAttributeNames: ["All"], MessageAttributeNames: ["All"] }),
    );
    if (!Messages?.length) return messages;
    messages.push(...Messages);
  }
}

async function main() {
  const { positionals } = parseFlags(usage, {});
  const command = positionals[0];
  if (command !== "list" && command !== "redrive") fail(new Error(`usage: ${usage}`));
  const context = sandboxContext();
  const pairs = pairsOf(await context.resources());
  if (pairs.length === 0) return console.log("the program declares no queue with a dead-letter queue");
  for (const { source, dlq } of pairs) {
    if (command === "list") {
      // A short visibility: the listing is a look, not a consumption.
      const messages = await drain(context.sqs, dlq.url, 2);
      console.log(`${dlq.name} (dead letters of ${source.name}): ${messages.length} message(s)`);
      for (const message of messages) {
        console.log(`- ${message.MessageId}  received ${message.Attributes?.ApproximateReceiveCount ?? "?"} times, sent ${new Date(Number(message.Attributes?.SentTimestamp)).toISOString()}`);
        console.log(`  ${(message.Body ?? "").slice(0, 300)}`);
      }
      continue;
    }
    const messages = await drain(context.sqs, dlq.url, 30);
    for (let start = 0; start < messages.length; start += 10) {
      const chunk = messages.slice(start, start + 10);
      await context.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: source.url,
          Entries: chunk.map((message, position) => ({ Id: String(position), MessageBody: message.Body ?? "", MessageAttributes: message.MessageAttributes })),
        }),
      );
      await context.sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: dlq.url, Entries: chunk.map((message, position) => ({ Id: String(position), ReceiptHandle: message.ReceiptHandle })) }),
      );
    }
    console.log(`moved ${messages.length} message(s) from ${dlq.name} back to ${source.name}`);
  }
}

main().catch(fail);
