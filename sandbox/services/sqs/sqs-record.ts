import type { Message, MessageAttributeValue } from "@aws-sdk/client-sqs";
import { sandboxRegion } from "../../shared/constants";

function lambdaAttribute(value: MessageAttributeValue) {
  return {
    stringValue: value.StringValue,
    binaryValue: value.BinaryValue ? Buffer.from(value.BinaryValue).toString("base64") : undefined,
    stringListValues: value.StringListValues ?? [],
    binaryListValues: (value.BinaryListValues ?? []).map((item) => Buffer.from(item).toString("base64")),
    dataType: value.DataType,
  };
}

/** One record of an SQS event as Lambda's poller builds it, from a received message. */
export function sqsEventRecord(message: Message, queueArn: string) {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    body: message.Body ?? "",
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? "1",
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? "AIDASANDBOX",
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(attributes.MessageGroupId ? { MessageGroupId: attributes.MessageGroupId } : {}),
      ...(attributes.MessageDeduplicationId ? { MessageDeduplicationId: attributes.MessageDeduplicationId } : {}),
      ...(attributes.SequenceNumber ? { SequenceNumber: attributes.SequenceNumber } : {}),
      ...(attributes.AWSTraceHeader ? { AWSTraceHeader: attributes.AWSTraceHeader } : {}),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, lambdaAttribute(value)]),
    ),
    md5OfBody: message.MD5OfBody,
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: "aws:sqs",
    eventSourceARN: queueArn,
    awsRegion: sandboxRegion,
  };
}

export type SqsEventRecord = ReturnType<typeof sqsEventRecord>;

/**
 * Which records to delete after an invocation, as Lambda decides: all on success; none on error;
 * with ReportBatchItemFailures, all but the reported ones, unless the response is malformed
 * (then the whole batch counts as failed).
 */
export function recordsToDelete(
  records: SqsEventRecord[],
  result: { ok: boolean; value?: unknown },
  reportsItemFailures: boolean,
): SqsEventRecord[] {
  if (!result.ok) return [];
  if (!reportsItemFailures) return records;
  const value = result.value as { batchItemFailures?: Array<{ itemIdentifier?: unknown }> } | null;
  const failures = value && typeof value === "object" ? value.batchItemFailures : undefined;
  if (failures === undefined || failures === null) return records;
  if (!Array.isArray(failures)) return [];
  const ids = new Set(records.map((record) => record.messageId));
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = failure?.itemIdentifier;
    if (typeof id !== "string" || !ids.has(id)) return [];
    failed.add(id);
  }
  return records.filter((record) => !failed.has(record.messageId!));
}
