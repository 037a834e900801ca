import { randomUUID } from "node:crypto";
import type { InvocationResult } from "../model/function-spec";

/**
 * How far into its timeout an injected crash kills the runtime: early enough that a handler that
 * stops short of its timeout on its own (the program's s3-to-sqs stops at half when a part is retried) does
 * not outrun the crash, so a crash rule of 1 fails every attempt.
 */
export const CRASH_AT_FRACTION_OF_TIMEOUT = 1 / 3;

/**
 * An invocation that fails before its handler runs, the way a crashed runtime or an init failure
 * looks to the caller: an error result, nothing done.
 */
export function injectedError(functionName: string): InvocationResult {
  return {
    ok: false,
    error: {
      errorType: "Sandbox.InjectedFault",
      errorMessage: `injected fault: ${functionName} failed before its handler ran (--faults)`,
      trace: [],
    },
    requestId: randomUUID(),
    durationMs: 0,
    initMs: 0,
    logs: [],
  };
}

/**
 * An invocation that runs past its timeout: whatever the handler did stays done, but its result
 * never reaches the caller, which sees Lambda's timeout error once the timeout has elapsed. The
 * execution environment is discarded (`discard`), as Lambda discards a timed-out one.
 */
export async function pastTimeout(
  running: Promise<InvocationResult>,
  timeoutSeconds: number,
  discard: () => void,
): Promise<InvocationResult> {
  const started = performance.now();
  const [result] = await Promise.all([running, new Promise((resolve) => setTimeout(resolve, timeoutSeconds * 1000))]);
  discard();
  return {
    ok: false,
    error: {
      errorType: "Sandbox.Timedout",
      errorMessage: `${new Date().toISOString()} ${result.requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds (injected fault, --faults)`,
      trace: [],
    },
    requestId: result.requestId,
    durationMs: performance.now() - started,
    initMs: result.initMs,
    logs: result.logs,
  };
}
