import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { LocalFunction } from "../lambda/function";
import type { Reporter } from "../../shared/log";
import { recordsToDelete, sqsEventRecord, type SqsEventRecord } from "./sqs-record";

export interface MappingSettings {
  name: string;
  queueUrl: string;
  queueArn: string;
  batchSize: number;
  batchWindowSeconds: number;
  reportsItemFailures: boolean;
  maximumConcurrency: number;
}

/** Lambda starts this many pollers when a mapping sets no maximum concurrency. */
const defaultConcurrency = 5;
/** Invocation lines printed per burst before the progress line takes over for plain successes. */
const linesPerBurst = 20;

export function mappingSettings(name: string, inputs: Record<string, unknown>, queue: { url: string; arn: string }): MappingSettings {
  const scaling = inputs.scalingConfig as { maximumConcurrency?: number } | undefined;
  const responseTypes = (inputs.functionResponseTypes as string[] | undefined) ?? [];
  return {
    name,
    queueUrl: queue.url,
    queueArn: queue.arn,
    batchSize: Number(inputs.batchSize ?? 10),
    batchWindowSeconds: Number(inputs.maximumBatchingWindowInSeconds ?? 0),
    reportsItemFailures: responseTypes.includes("ReportBatchItemFailures"),
    maximumConcurrency: Number(scaling?.maximumConcurrency ?? defaultConcurrency),
  };
}

/**
 * An SQS event source mapping: pollers long-poll the queue, hand batches to the function, delete
 * what succeeded and leave failures in the queue, where they reappear after the visibility timeout
 * and the queue's own redrive policy moves them to the DLQ at maxReceiveCount.
 */
export class SqsPoller {
  private stopped = false;
  private readonly abort = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private processed = 0;
  private burst = 0;
  private progressTimer?: NodeJS.Timeout;
  private lastReported = 0;
  /** Messages delivered before the current burst began: the progress line counts this burst only. */
  private burstStartedAt = 0;

  constructor(
    private readonly settings: MappingSettings,
    private readonly fn: () => LocalFunction,
    private readonly sqs: SQSClient,
    private readonly reporter: Reporter,
    /** Told the body of each batch's last accepted record (what a sample event replays). */
    private readonly onAccepted?: (body: string) => void,
  ) {}

  start(): void {
    for (let slot = 0; slot < this.settings.maximumConcurrency; slot++) this.loops.push(this.poll());
    // Progress is best effort: a failed look at the queue (e.g. while stopping) is skipped.
    this.progressTimer = setInterval(() => void this.reportProgress().catch(() => undefined), 1_000);
    this.progressTimer.unref();
  }

  private async poll(): Promise<void> {
    while (!this.stopped) {
      try {
        const records = await this.collect();
        if (records.length > 0) await this.deliver(records);
      } catch (error) {
        if (this.stopped) return;
        this.reporter.warn(`${this.settings.name}: polling failed (${(error as Error).message}); retrying`);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  }

  private async receive(max: number, waitSeconds: number): Promise<Message[]> {
    const { Messages } = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.settings.queueUrl,
        MaxNumberOfMessages: Math.min(10, max),
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
      }),
      { abortSignal: this.abort.signal },
    );
    return Messages ?? [];
  }

  /** A batch: up to batchSize records, gathered for at most the batching window. */
  private async collect(): Promise<SqsEventRecord[]> {
    const first = await this.receive(this.settings.batchSize, 5);
    if (first.length === 0) return [];
    const messages = [...first];
    const windowEnds = Date.now() + this.settings.batchWindowSeconds * 1000;
    while (messages.length < this.settings.batchSize && !this.stopped) {
      const remainingSeconds = Math.floor((windowEnds - Date.now()) / 1000);
      if (this.settings.batchWindowSeconds === 0 && messages.length % 10 !== 0) break;
      if (this.settings.batchWindowSeconds > 0 && Date.now() >= windowEnds) break;
      const more = await this.receive(this.settings.batchSize - messages.length, Math.max(0, Math.min(remainingSeconds, 20)));
      if (more.length === 0 && this.settings.batchWindowSeconds === 0) break;
      messages.push(...more);
    }
    return messages.map((message) => sqsEventRecord(message, this.settings.queueArn));
  }

  private async deliver(records: SqsEventRecord[]): Promise<void> {
    const fn = this.fn();
    const result = await fn.invoke({ Records: records });
    const toDelete = recordsToDelete(records, result, this.settings.reportsItemFailures);
    const failed = records.length - toDelete.length;
    this.burst++;
    // In a burst (a large file), plain successes go to the progress line; failures are always shown.
    const quiet = result.ok && failed === 0 && this.burst > linesPerBurst;
    const queueName = this.settings.queueArn.split(":").pop();
    this.reporter.invocation(
      fn.spec,
      { source: "sqs", detail: `${records.length} message(s) from ${queueName}`, messageIds: records.map((record) => record.messageId!) },
      result,
      { event: { Records: records }, quiet },
    );
    if (result.ok && failed > 0) {
      this.reporter.info(`    ${failed} of ${records.length} reported as batchItemFailures: they return after the visibility timeout`);
    }
    for (let start = 0; start < toDelete.length; start += 10) {
      const chunk = toDelete.slice(start, start + 10);
      await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.settings.queueUrl,
          Entries: chunk.map((record, position) => ({ Id: String(position), ReceiptHandle: record.receiptHandle })),
        }),
      );
    }
    this.processed += toDelete.length;
    if (toDelete.length > 0) this.onAccepted?.(toDelete[toDelete.length - 1].body ?? "");
  }

  private async reportProgress(): Promise<void> {
    if (this.processed === this.lastReported) {
      if (this.burst > linesPerBurst) this.reporter.progress(undefined);
      this.burst = 0;
      this.burstStartedAt = this.processed;
      return;
    }
    const delta = this.processed - this.lastReported;
    this.lastReported = this.processed;
    if (this.burst <= linesPerBurst) return;
    const { Attributes } = await this.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.settings.queueUrl,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    const waiting = Number(Attributes?.ApproximateNumberOfMessages ?? 0);
    const inFlight = Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
    // Named as the invocation lines and the banner name the function, not by the mapping's name.
    const queueName = this.settings.queueArn.split(":").pop();
    this.reporter.progress(
      `${this.fn().spec.logicalName} <- sqs ${queueName}: ${this.processed - this.burstStartedAt} messages delivered in this burst, ${waiting} waiting, ${inFlight} in flight (${delta}/s)`,
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.progressTimer);
    this.abort.abort();
    await Promise.allSettled(this.loops);
  }
}
