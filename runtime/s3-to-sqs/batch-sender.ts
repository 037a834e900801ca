import type { SendMessageBatchRequestEntry, SendMessageBatchResult } from "@aws-sdk/client-sqs";

/** SQS limits for one SendMessageBatch call. */
export const MAX_BATCH_ENTRIES = 10;
export const MAX_BATCH_BYTES = 1_048_576;

/** Sends one batch to the queue (SendMessageBatch with the queue URL bound). */
export type SendBatch = (entries: SendMessageBatchRequestEntry[]) => Promise<SendMessageBatchResult>;

export interface BatchSenderOptions {
  /** Batches that may be outstanding at once; `add` waits while the window is full. */
  readonly maxInFlight: number;
  /** Tries per entry that SQS reports as failed through no fault of ours. */
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** A row that did not reach the queue, and why. */
export interface Unqueued {
  readonly line: number;
  readonly reason: string;
}

export interface SendOutcome {
  readonly queued: number;
  /** Refused by SQS for their content (SenderFault): sending them again cannot help. */
  readonly refused: Unqueued[];
  /** Still failing after every attempt, or lost with a call that failed: worth another run. */
  readonly unsent: Unqueued[];
}

interface Entry {
  readonly id: string;
  readonly body: string;
  readonly bytes: number;
  readonly line: number;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Packs messages into SendMessageBatch calls (at most 10 entries and 1 MiB each) with a bounded
 * number of calls in flight. Entries that SQS reports as failed are retried with exponential
 * backoff and full jitter; a call that throws has already been retried by the SDK, so its entries
 * are counted as unsent. Nothing here throws: the caller decides from the outcome.
 */
export class BatchSender {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private pending: Entry[] = [];
  private pendingBytes = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private queued = 0;
  private readonly refused: Unqueued[] = [];
  private readonly unsent: Unqueued[] = [];

  constructor(
    private readonly send: SendBatch,
    private readonly options: BatchSenderOptions,
  ) {
    if (!Number.isInteger(options.maxInFlight) || options.maxInFlight < 1) {
      throw new Error(`BatchSender: maxInFlight must be a positive integer, got ${options.maxInFlight}`);
    }
    this.maxAttempts = options.maxAttempts ?? 5;
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 2_000;
    this.sleep = options.sleep ?? sleepFor;
  }

  /** Queues one message; resolves once there is room for more (backpressure for the reader). */
  async add(body: string, line: number): Promise<void> {
    const bytes = Buffer.byteLength(body, "utf8");
    if (bytes > MAX_BATCH_BYTES) {
      this.refused.push({ line, reason: `the row makes a ${bytes}-byte message, over the queue's ${MAX_BATCH_BYTES}-byte limit` });
      return;
    }
    if (this.pendingBytes + bytes > MAX_BATCH_BYTES) await this.dispatch();
    this.pending.push({ id: `line-${line}`, body, bytes, line });
    this.pendingBytes += bytes;
    if (this.pending.length === MAX_BATCH_ENTRIES) await this.dispatch();
  }

  /**
   * Sends what is left and waits for every call: the outcome of every row added since the last
   * flush (a part of a large file flushes before each checkpoint, then goes on adding).
   */
  async flush(): Promise<SendOutcome> {
    if (this.pending.length > 0) await this.dispatch();
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
    const outcome = {
      queued: this.queued,
      refused: this.refused.splice(0).sort(byLine),
      unsent: this.unsent.splice(0).sort(byLine),
    };
    this.queued = 0;
    return outcome;
  }

  private async dispatch(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    while (this.inFlight.size >= this.options.maxInFlight) await Promise.race(this.inFlight);
    const call: Promise<void> = this.sendWithRetries(batch).finally(() => this.inFlight.delete(call));
    this.inFlight.add(call);
  }

  private async sendWithRetries(batch: Entry[]): Promise<void> {
    let remaining = batch;
    for (let attempt = 1; ; attempt++) {
      let result: SendMessageBatchResult;
      try {
        result = await this.send(remaining.map((entry) => ({ Id: entry.id, MessageBody: entry.body })));
      } catch (error) {
        const reason = `SendMessageBatch failed: ${describe(error)}`;
        for (const entry of remaining) this.unsent.push({ line: entry.line, reason });
        return;
      }
      const failures = new Map((result.Failed ?? []).map((failure) => [failure.Id, failure]));
      const succeeded = new Set((result.Successful ?? []).map((success) => success.Id));
      const retry: Entry[] = [];
      for (const entry of remaining) {
        const failure = failures.get(entry.id);
        if (succeeded.has(entry.id) && !failure) this.queued++;
        else if (failure?.SenderFault) {
          this.refused.push({ line: entry.line, reason: `the queue refused the row: ${failure.Code}: ${failure.Message}` });
        } else retry.push(entry);
      }
      if (retry.length === 0) return;
      if (attempt >= this.maxAttempts) {
        for (const entry of retry) {
          const failure = failures.get(entry.id);
          const why = failure ? `${failure.Code}: ${failure.Message}` : "not in the response";
          this.unsent.push({ line: entry.line, reason: `still failing after ${attempt} attempts (${why})` });
        }
        return;
      }
      const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
      await this.sleep(Math.random() * ceiling);
      remaining = retry;
    }
  }
}

function byLine(a: Unqueued, b: Unqueued): number {
  return a.line - b.line;
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
