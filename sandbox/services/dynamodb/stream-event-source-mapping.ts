import type { InvocationResult } from "../../model/function-spec";
import type { LocalFunction } from "../lambda/function";
import type { Reporter } from "../../shared/log";
import type { StreamLog, StreamRecord } from "./streams";

export interface StreamMappingSettings {
  name: string;
  streamArn: string;
  batchSize: number;
  batchWindowSeconds: number;
  startingPosition: "TRIM_HORIZON" | "LATEST";
  bisectOnError: boolean;
  /** -1: retried until it succeeds or its records expire, as Lambda's default. */
  maximumRetryAttempts: number;
  /** -1: no limit (records expire with the stream's 24 hours). */
  maximumRecordAgeSeconds: number;
  reportsItemFailures: boolean;
  onFailure?: string;
}

/** A record as Lambda hands it over: the stream record and the stream it came from. */
export type StreamEventRecord = Omit<StreamRecord, "userIdentity"> & {
  eventSourceARN: string;
  userIdentity?: { type: string; principalId: string };
};

/** Lambda's defaults for a DynamoDB stream mapping. */
const defaultBatchSize = 100;
const firstRetryDelayMs = 100;
const longestRetryDelayMs = 5_000;

/** The mapping's settings from its inputs, or what makes it unusable (named, never guessed). */
export function streamMappingSettings(name: string, inputs: Record<string, unknown>, streamArn: string): StreamMappingSettings | string {
  const startingPosition = inputs.startingPosition;
  if (startingPosition !== "TRIM_HORIZON" && startingPosition !== "LATEST") {
    return `${name}: a DynamoDB stream mapping needs startingPosition TRIM_HORIZON or LATEST (got ${JSON.stringify(startingPosition ?? null)})`;
  }
  const destination = inputs.destinationConfig as { onFailure?: { destinationArn?: string } } | undefined;
  const responseTypes = (inputs.functionResponseTypes as string[] | undefined) ?? [];
  return {
    name,
    streamArn,
    batchSize: Number(inputs.batchSize ?? defaultBatchSize),
    batchWindowSeconds: Number(inputs.maximumBatchingWindowInSeconds ?? 0),
    startingPosition,
    bisectOnError: inputs.bisectBatchOnFunctionError === true,
    maximumRetryAttempts: Number(inputs.maximumRetryAttempts ?? -1),
    maximumRecordAgeSeconds: Number(inputs.maximumRecordAgeInSeconds ?? -1),
    reportsItemFailures: responseTypes.includes("ReportBatchItemFailures"),
    onFailure: destination?.onFailure?.destinationArn,
  };
}

/**
 * A DynamoDB stream event source mapping: one reader per shard (a stream here has one), handing
 * the function batches in stream order and moving on only once a batch succeeded, was reported
 * partly failed (it resumes at the first failed record), or ran out of retries or age (then the
 * batch's description goes to the on-failure destination and it is skipped). With
 * bisectBatchOnFunctionError a failed batch is split in two and each half retried.
 */
export class StreamPoller {
  private stopped = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private unsubscribe?: () => void;

  constructor(
    private readonly settings: StreamMappingSettings,
    private readonly fn: () => LocalFunction,
    private readonly streams: StreamLog,
    private readonly reporter: Reporter,
    /** Sends a batch's failure record to the on-failure destination (an SQS queue). */
    private readonly sendFailure: (destination: string, record: unknown) => Promise<void>,
    /** Told each batch that succeeded: what a sample event replays. */
    private readonly onAccepted?: (records: StreamEventRecord[]) => void,
  ) {}

  /** Starts at the mapping's checkpoint if it ran before (a redeploy rewired it), else at its starting position. */
  start(): void {
    this.unsubscribe = this.streams.subscribe(this.settings.streamArn, () => this.wake?.());
    const checkpoint = this.streams.checkpoints.get(this.checkpointKey);
    const position = checkpoint ?? (this.settings.startingPosition === "LATEST" ? this.streams.latest(this.settings.streamArn) : undefined);
    this.loop = this.poll(position);
  }

  private get checkpointKey(): string {
    return `${this.settings.name}\u0000${this.settings.streamArn}`;
  }

  private async poll(start: bigint | undefined): Promise<void> {
    let position = start;
    const read = () => this.streams.read(this.settings.streamArn, position, this.settings.batchSize).records;
    while (!this.stopped) {
      let records = read();
      if (records.length === 0) {
        await this.waitForRecords(60_000);
        continue;
      }
      // A batching window: wait for a full batch, at most that long.
      const windowEnds = Date.now() + this.settings.batchWindowSeconds * 1000;
      while (!this.stopped && records.length < this.settings.batchSize && Date.now() < windowEnds) {
        await this.waitForRecords(windowEnds - Date.now());
        records = read();
      }
      if (this.stopped) return;
      const done = await this.process(records.map((record) => this.eventRecord(record)));
      if (done === undefined) return;
      position = done;
      this.streams.checkpoints.set(this.checkpointKey, position);
    }
  }

  private eventRecord(record: StreamRecord): StreamEventRecord {
    const { userIdentity, ...rest } = record;
    return {
      ...rest,
      eventSourceARN: this.settings.streamArn,
      ...(userIdentity ? { userIdentity: { type: userIdentity.Type, principalId: userIdentity.PrincipalId } } : {}),
    };
  }

  private waitForRecords(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /** Delivers one batch until it is done with: the sequence number of its last record (undefined if stopped first). */
  private async process(batch: StreamEventRecord[]): Promise<bigint | undefined> {
    const last = BigInt(batch[batch.length - 1].dynamodb.SequenceNumber);
    const pending: Array<{ records: StreamEventRecord[]; attempts: number }> = [{ records: batch, attempts: 0 }];
    while (pending.length > 0 && !this.stopped) {
      const current = pending[0];
      const result = await this.fn().invoke({ Records: current.records });
      current.attempts++;
      const failedFrom = this.firstFailed(current.records, result);
      this.report(current.records, result, failedFrom, current.attempts);
      if (failedFrom === undefined) {
        pending.shift();
        this.onAccepted?.(current.records);
        continue;
      }
      // Partly failed: what succeeded before the first failure is done; the rest is retried.
      if (failedFrom > 0) current.records = current.records.slice(failedFrom);
      // Split in two rather than retried whole; halves count their own retries, so a bad record ends up alone.
      if (this.settings.bisectOnError && current.records.length > 1 && failedFrom === 0) {
        const half = Math.ceil(current.records.length / 2);
        pending.splice(
          0,
          1,
          { records: current.records.slice(0, half), attempts: 0 },
          { records: current.records.slice(half), attempts: 0 },
        );
        continue;
      }
      const tooOld =
        this.settings.maximumRecordAgeSeconds >= 0 &&
        Date.now() / 1000 - current.records[0].dynamodb.ApproximateCreationDateTime > this.settings.maximumRecordAgeSeconds;
      const exhausted = this.settings.maximumRetryAttempts >= 0 && current.attempts > this.settings.maximumRetryAttempts;
      if (tooOld || exhausted) {
        pending.shift();
        await this.giveUp(current.records, result, current.attempts, tooOld ? "RecordAgeExceeded" : "RetryAttemptsExhausted");
        continue;
      }
      await this.pause(Math.min(longestRetryDelayMs, firstRetryDelayMs * 2 ** Math.min(current.attempts - 1, 10)));
    }
    return this.stopped && pending.length > 0 ? undefined : last;
  }

  /** Where the batch failed: undefined if it succeeded, else the position of the first record to retry. */
  private firstFailed(records: StreamEventRecord[], result: InvocationResult): number | undefined {
    if (!result.ok) return 0;
    if (!this.settings.reportsItemFailures) return undefined;
    const value = result.value as { batchItemFailures?: Array<{ itemIdentifier?: unknown }> } | null;
    const failures = value && typeof value === "object" ? value.batchItemFailures : undefined;
    if (failures === undefined || failures === null || (Array.isArray(failures) && failures.length === 0)) return undefined;
    if (!Array.isArray(failures)) return 0;
    let first: number | undefined;
    for (const failure of failures) {
      const position = records.findIndex((record) => record.dynamodb.SequenceNumber === failure?.itemIdentifier);
      // An identifier that is not a sequence number of the batch fails the whole batch, as Lambda does.
      if (position < 0) return 0;
      first = first === undefined ? position : Math.min(first, position);
    }
    return first;
  }

  private report(records: StreamEventRecord[], result: InvocationResult, failedFrom: number | undefined, attempts: number): void {
    const tableName = this.settings.streamArn.split("/")[1];
    const detail = `${records.length} record(s) from ${tableName}'s stream${attempts > 1 ? ` (retry ${attempts - 1})` : ""}`;
    this.reporter.invocation(this.fn().spec, { source: "dynamodb", detail }, result, { event: { Records: records } });
    if (result.ok && failedFrom !== undefined) {
      this.reporter.info(
        `    ${records.length - failedFrom} of ${records.length} reported as batchItemFailures: retried from sequence number ${records[failedFrom].dynamodb.SequenceNumber}`,
      );
    }
  }

  private async giveUp(records: StreamEventRecord[], result: InvocationResult, attempts: number, condition: string): Promise<void> {
    const first = records[0].dynamodb;
    const last = records[records.length - 1].dynamodb;
    const functionArn = `${this.fn().spec.arn}`;
    if (!this.settings.onFailure) {
      this.reporter.warn(
        `${this.settings.name}: ${records.length} record(s) skipped after ${attempts} attempt(s) (${condition}); no on-failure destination`,
      );
      return;
    }
    const record = {
      requestContext: { requestId: result.requestId, functionArn, condition, approximateInvokeCount: attempts },
      responseContext: { statusCode: 200, executedVersion: "$LATEST", ...(result.ok ? {} : { functionError: "Unhandled" }) },
      version: "1.0",
      timestamp: new Date().toISOString(),
      DDBStreamBatchInfo: {
        shardId: this.streams.shardIdOf(this.settings.streamArn),
        startSequenceNumber: first.SequenceNumber,
        endSequenceNumber: last.SequenceNumber,
        approximateArrivalOfFirstRecord: new Date(first.ApproximateCreationDateTime * 1000).toISOString(),
        approximateArrivalOfLastRecord: new Date(last.ApproximateCreationDateTime * 1000).toISOString(),
        batchSize: records.length,
        streamArn: this.settings.streamArn,
      },
    };
    try {
      await this.sendFailure(this.settings.onFailure, record);
      this.reporter.info(
        `    ${records.length} record(s) given up after ${attempts} attempt(s) (${condition}) -> destination ${this.settings.onFailure.split(":").pop()}`,
      );
    } catch (error) {
      this.reporter.warn(
        `${this.settings.name}: the failure record could not be sent to ${this.settings.onFailure} (${(error as Error).message}); the records were skipped`,
      );
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.wake?.();
    await this.loop?.catch(() => undefined);
  }
}
