import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type Message,
  type SQSClient,
} from "@aws-sdk/client-sqs";

/**
 * Reads every message of a queue once, each by its id: receiving hides a message for
 * `visibilitySeconds`, and one that comes back while the loop still runs is not counted twice.
 */
export async function drain(sqs: SQSClient, url: string, visibilitySeconds: number): Promise<Message[]> {
  const messages = new Map<string, Message>();
  for (;;) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: visibilitySeconds,
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
      }),
    );
    const fresh = (Messages ?? []).filter((message) => !messages.has(message.MessageId!));
    if (fresh.length === 0) return [...messages.values()];
    for (const message of fresh) messages.set(message.MessageId!, message);
  }
}

/** Makes messages that were only looked at visible again at once. */
export async function release(sqs: SQSClient, url: string, messages: Message[]): Promise<void> {
  for (let start = 0; start < messages.length; start += 10) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: messages
          .slice(start, start + 10)
          .map((message, position) => ({ Id: String(position), ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 })),
      }),
    );
  }
}

/**
 * Moves every message of a dead-letter queue back to a source queue, body and attributes as they
 * are; only what the source accepted leaves the DLQ, so a failed send can be redriven again.
 */
export async function redriveMessages(sqs: SQSClient, dlqUrl: string, sourceUrl: string): Promise<{ moved: number; total: number }> {
  const messages = await drain(sqs, dlqUrl, 30);
  let moved = 0;
  for (let start = 0; start < messages.length; start += 10) {
    const chunk = messages.slice(start, start + 10);
    const { Successful } = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: sourceUrl,
        Entries: chunk.map((message, position) => ({
          Id: String(position),
          MessageBody: message.Body ?? "",
          MessageAttributes: message.MessageAttributes,
        })),
      }),
    );
    const sent = (Successful ?? []).map((entry) => Number(entry.Id));
    await release(
      sqs,
      dlqUrl,
      chunk.filter((_, position) => !sent.includes(position)),
    );
    if (sent.length === 0) continue;
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: dlqUrl,
        Entries: sent.map((position) => ({ Id: String(position), ReceiptHandle: chunk[position].ReceiptHandle })),
      }),
    );
    moved += sent.length;
  }
  return { moved, total: messages.length };
}
