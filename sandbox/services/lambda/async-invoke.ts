import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { LocalFunction } from "./function";
import type { InvocationResult, Trigger } from "../../model/function-spec";
import type { Reporter } from "../../shared/log";
import { localTimeScale } from "../../shared/constants";
import { queueUrlOfArn, type ResourceIndex } from "../../model/resource-index";

export interface AsyncInvokeConfig {
  maximumRetryAttempts: number;
  maximumEventAgeInSeconds: number;
  onFailure?: string;
  onSuccess?: string;
}

/** Lambda's defaults for asynchronous invocation when no FunctionEventInvokeConfig says otherwise. */
export const defaultAsyncConfig: AsyncInvokeConfig = { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 21_600 };

/** A function's asynchronous invocation settings: its FunctionEventInvokeConfig, else Lambda's defaults. */
export function asyncConfigFor(index: ResourceIndex, functionName: string): AsyncInvokeConfig {
  const declared = index.eventInvokeConfigOf(functionName)?.inputs as
    | {
        maximumRetryAttempts?: number;
        maximumEventAgeInSeconds?: number;
        destinationConfig?: { onFailure?: { destination?: string }; onSuccess?: { destination?: string } };
      }
    | undefined;
  return {
    maximumRetryAttempts: declared?.maximumRetryAttempts ?? defaultAsyncConfig.maximumRetryAttempts,
    maximumEventAgeInSeconds: declared?.maximumEventAgeInSeconds ?? defaultAsyncConfig.maximumEventAgeInSeconds,
    onFailure: declared?.destinationConfig?.onFailure?.destination,
    onSuccess: declared?.destinationConfig?.onSuccess?.destination,
  };
}

/**
 * Asynchronous invocation as Lambda does it: on error, the event is retried (Lambda waits about
 * 1 and then 2 minutes; the sandbox waits `retryDelaysMs`, by default as many seconds, see
 * `localTimeScale`, so a developer sees the outcome), and once retries or the event's age run out
 * it goes to the on-failure destination in Lambda's destination record format.
 */
export class AsyncInvoker {
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly deps: {
      sqs: SQSClient;
      awsEndpoint: string;
      reporter: Reporter;
      retryDelaysMs?: number[];
    },
  ) {}

  invoke(fn: LocalFunction, event: unknown, trigger: Trigger, config: AsyncInvokeConfig): Promise<void> {
    const run = this.run(fn, event, trigger, config).catch((error) => this.deps.reporter.warn(`async invoke of ${fn.name}: ${error}`));
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
    return run;
  }

  private async run(fn: LocalFunction, event: unknown, trigger: Trigger, config: AsyncInvokeConfig): Promise<void> {
    const delays = this.deps.retryDelaysMs ?? [60_000, 120_000].map((ms) => ms / localTimeScale);
    const queuedAt = Date.now();
    let result: InvocationResult | undefined;
    let attempts = 0;
    let condition = "RetriesExhausted";
    for (; attempts <= config.maximumRetryAttempts;) {
      if (this.stopped) return;
      if (Date.now() - queuedAt > config.maximumEventAgeInSeconds * 1000) {
        condition = "EventAgeExceeded";
        break;
      }
      attempts++;
      const attemptTrigger = attempts === 1 ? trigger : { ...trigger, detail: `${trigger.detail} (retry ${attempts - 1})` };
      result = await fn.invoke(event);
      this.deps.reporter.invocation(fn.spec, attemptTrigger, result, { event });
      if (result.ok) break;
      if (attempts <= config.maximumRetryAttempts) {
        await new Promise((resolve) => setTimeout(resolve, delays[Math.min(attempts - 1, delays.length - 1)]));
      }
    }
    const destination = result?.ok ? config.onSuccess : config.onFailure;
    if (!result?.ok && !this.stopped) {
      // Counted once the event leaves Lambda for good, destination or not (AsyncEventsDropped).
      const dropped = () => this.deps.reporter.asyncEventDropped?.(fn.spec, condition);
      if (!destination) return dropped();
      await this.deliver(destination, this.recordOf(fn, event, result, condition, attempts), fn.name).finally(dropped);
      return;
    }
    if (!destination || this.stopped) return;
    await this.deliver(destination, this.recordOf(fn, event, result, condition, attempts), fn.name);
  }

  /** Lambda's destination record of an invocation. */
  private recordOf(fn: LocalFunction, event: unknown, result: InvocationResult | undefined, condition: string, attempts: number) {
    const record = {
      version: "1.0",
      timestamp: new Date().toISOString(),
      requestContext: {
        requestId: result?.requestId,
        functionArn: `${fn.spec.arn}:$LATEST`,
        condition: result?.ok ? "Success" : condition,
        approximateInvokeCount: attempts,
      },
      requestPayload: event,
      responseContext: {
        statusCode: 200,
        executedVersion: "$LATEST",
        ...(result && !result.ok ? { functionError: "Unhandled" } : {}),
      },
      responsePayload: result ? (result.ok ? result.value : result.error) : null,
    };
    return record;
  }

  private async deliver(destination: string, record: unknown, functionName: string) {
    if (!destination.startsWith("arn:aws:sqs:")) {
      this.deps.reporter.warn(`${functionName}: destination ${destination} is not emulated (only SQS queues are); the record was dropped`);
      return;
    }
    await this.deps.sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrlOfArn(destination, this.deps.awsEndpoint), MessageBody: JSON.stringify(record) }),
    );
    this.deps.reporter.info(`    -> destination ${destination.split(":").pop()}`);
  }

  /** Waits for invocations in progress (retries included) to settle; used on stop and by tests. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  stop(): void {
    this.stopped = true;
  }
}
