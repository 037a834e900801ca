import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { Context, S3Event, SQSEvent } from "aws-lambda";
import { region } from "./emulators";

/**
 * Lambda events shaped like AWS's own samples (the S3 put and SQS receive events), built from
 * what the emulators really hold, so handlers are tested with every field they would get.
 */

/** An object key as S3 writes it in event notifications: form-URL-encoded, a space as `+`. */
export function s3EventKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, "+");
}

export function s3PutEvent(options: { bucket: string; key: string; size: number; eTag: string; eventTime: string }): S3Event {
  return {
    Records: [
      {
        eventVersion: "2.1",
        eventSource: "aws:s3",
        awsRegion: region,
        eventTime: options.eventTime,
        eventName: "ObjectCreated:Put",
        userIdentity: { principalId: "AWS:AIDAINPONIXQXHT3IKHL2" },
        requestParameters: { sourceIPAddress: "127.0.0.1" },
        responseElements: {
          "x-amz-request-id": "C3D13FE58DE4C810",
          "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD",
        },
        s3: {
          s3SchemaVersion: "1.0",
          configurationId: "job-offers-uploads",
          bucket: { name: options.bucket, ownerIdentity: { principalId: "A3NL1KOZZKExample" }, arn: `arn:aws:s3:::${options.bucket}` },
          object: {
            key: s3EventKey(options.key),
            size: options.size,
            eTag: options.eTag.replace(/"/g, ""),
            sequencer: "0055AED6DCD90281E5",
          },
        },
      },
    ],
  };
}

/** The event S3 sends once when a bucket notification is configured. */
export function s3TestEvent(bucket: string) {
  return {
    Service: "Amazon S3",
    Event: "s3:TestEvent" as const,
    Time: "2026-11-22T09:30:00.000Z",
    Bucket: bucket,
    RequestId: "5582815E1AEA5ADF",
    HostId: "8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE",
  };
}

/** Every message now in the queue, received (so invisible for a while) and then deleted. */
export async function drainQueue(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageSystemAttributeNames: ["All"] }),
    );
    if (Messages.length === 0) return messages;
    messages.push(...Messages);
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
      }),
    );
  }
}

/** Received messages as the event source mapping hands them to the function. */
export function sqsEvent(messages: readonly Message[], queueArn: string): SQSEvent {
  return {
    Records: messages.map((message) => ({
      messageId: message.MessageId as string,
      receiptHandle: message.ReceiptHandle as string,
      body: message.Body as string,
      attributes: {
        ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? "1",
        SentTimestamp: message.Attributes?.SentTimestamp ?? String(Date.now()),
        SenderId: message.Attributes?.SenderId ?? "AIDAIENQZJOLO23YVJ4VO",
        ApproximateFirstReceiveTimestamp: message.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: message.MD5OfBody as string,
      eventSource: "aws:sqs",
      eventSourceARN: queueArn,
      awsRegion: region,
    })),
  };
}

export const FUNCTION_ARN = `arn:aws:lambda:${region}:000000000000:function:ingest-s3-to-sqs`;

/**
 * The context Lambda hands a handler. `remainingMs` answers getRemainingTimeInMillis(): a number
 * (time standing still, far from the timeout by default) or a function of how often it was asked.
 */
export function lambdaContext(remainingMs: number | ((calls: number) => number) = 300_000): Context {
  let calls = 0;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: "ingest-s3-to-sqs",
    functionVersion: "$LATEST",
    invokedFunctionArn: FUNCTION_ARN,
    memoryLimitInMB: "512",
    awsRequestId: "c6af9ac6-7b61-11e6-9a41-93e812345678",
    logGroupName: "/aws/lambda/ingest-s3-to-sqs",
    logStreamName: "2026/11/22/[$LATEST]abcdef",
    getRemainingTimeInMillis: () => (typeof remainingMs === "number" ? remainingMs : remainingMs(++calls)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
