import { dirname, join } from "node:path";
import { Worker } from "node:worker_threads";
import { randomUUID } from "node:crypto";
import type { FunctionSpec, HandlerLog, InvocationError, InvocationResult } from "../../model/function-spec";
import { logStreamName, workerEnvironment } from "./worker-env";

const bootstrap = join(__dirname, "worker-bootstrap.mjs");
/**
 * Where the AWS SDK v3 that Lambda's Node.js runtimes provide is found: the sandbox's own copy.
 * A function that requires `@aws-sdk/...` without packaging it works on Lambda, so it does here.
 */
const runtimeModulesDir = dirname(dirname(dirname(require.resolve("@aws-sdk/client-s3/package.json"))));
/** Lambda gives a function's initialisation its own 10 s, apart from the invocation's timeout. */
const INIT_LIMIT_SECONDS = 10;

interface Pending {
  requestId: string;
  started: number;
  logs: HandlerLog[];
  settle(result: InvocationResult): void;
  timer: NodeJS.Timeout;
  /** Starts the invocation's timeout (after the init phase of a cold environment). */
  startTimeout(): NodeJS.Timeout;
}

/** One execution environment: a worker thread that keeps its loaded handler between invocations. */
export class Environment {
  readonly worker: Worker;
  pending?: Pending;
  dead = false;
  /** Set when new code arrived while this environment was busy: it ends after the invocation. */
  retire = false;
  /** Whether the handler module has been loaded (its init ran) in this environment. */
  private initialized = false;

  constructor(spec: FunctionSpec, codeDir: string, awsEndpoint: string, onExit: (environment: Environment) => void) {
    this.worker = new Worker(bootstrap, {
      env: workerEnvironment(spec, awsEndpoint, codeDir),
      // Not the sandbox's own loaders (tsx): the artifact is plain JavaScript, as on Lambda.
      execArgv: [],
      workerData: {
        codeDir,
        handler: spec.handler,
        functionName: spec.name,
        functionVersion: "$LATEST",
        memorySizeMb: spec.memorySizeMb,
        invokedFunctionArn: spec.arn,
        logGroupName: spec.logGroupName ?? `/aws/lambda/${spec.name}`,
        logStreamName: logStreamName(),
        runtimeModulesDir,
      },
      // Lambda's memory size is the limit of the whole sandbox; the heap is what a worker can bound.
      resourceLimits: { maxOldGenerationSizeMb: spec.memorySizeMb },
      stdout: true,
      stderr: true,
    });
    // Raw writes to process.stdout belong to whatever is running now.
    for (const stream of [this.worker.stdout, this.worker.stderr]) {
      stream.setEncoding("utf8");
      stream.on("data", (text: string) => this.pending?.logs.push({ level: "log", text: text.replace(/\n$/, "") }));
    }
    this.worker.on("message", (message) => this.onMessage(message));
    this.worker.on("error", (error: Error & { code?: string }) => {
      const errorType = error.code === "ERR_WORKER_OUT_OF_MEMORY" ? "Runtime.OutOfMemory" : "Runtime.ExitError";
      this.fail({ errorType, errorMessage: error.message, trace: String(error.stack ?? "").split("\n") });
    });
    this.worker.on("exit", (code) => {
      this.dead = true;
      this.fail({ errorType: "Runtime.ExitError", errorMessage: `RequestId: ${this.pending?.requestId} Error: Runtime exited with error: exit status ${code}`, trace: [] });
      onExit(this);
    });
  }

  private onMessage(message: { type: string; requestId?: string; level?: string; text?: string; ok?: boolean; value?: unknown; error?: InvocationError; initMs?: number }) {
    const pending = this.pending;
    if (message.type === "log") {
      pending?.logs.push({ level: message.level ?? "log", text: message.text ?? "" });
      return;
    }
    if (!pending || message.requestId !== pending.requestId) return;
    if (message.type === "initialized") {
      // The invocation's own timeout starts once the init phase is over, as on Lambda.
      this.initialized = true;
      clearTimeout(pending.timer);
      pending.timer = pending.startTimeout();
      return;
    }
    if (message.type === "crash") {
      // An unhandled rejection ends the execution environment, as it does on Lambda.
      this.dead = true;
      this.fail(message.error!);
      void this.worker.terminate();
      return;
    }
    if (message.type === "result") {
      this.pending = undefined;
      clearTimeout(pending.timer);
      const base = { requestId: pending.requestId, durationMs: performance.now() - pending.started, initMs: message.initMs ?? 0, logs: pending.logs };
      pending.settle(message.ok ? { ...base, ok: true, value: message.value } : { ...base, ok: false, error: message.error! });
    }
  }

  /** The runtime dies in the middle of the invocation (an injected fault): the caller sees Lambda's exit error. */
  crash(why: string) {
    if (!this.pending) return;
    this.dead = true;
    this.fail({ errorType: "Runtime.ExitError", errorMessage: `RequestId: ${this.pending.requestId} Error: Runtime exited with error: signal: killed (${why})`, trace: [] });
    void this.worker.terminate();
  }

  fail(error: InvocationError) {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    pending.settle({ ok: false, error, requestId: pending.requestId, durationMs: performance.now() - pending.started, initMs: 0, logs: pending.logs });
  }

  /** `crashAfterMs`: an injected fault, the runtime dies that long into the invocation's own time (after init). */
  invoke(event: unknown, timeoutSeconds: number, crashAfterMs?: number): Promise<InvocationResult> {
    const requestId = randomUUID();
    const started = performance.now();
    const timedOut = (errorMessage: string) => {
      this.fail({ errorType: "Sandbox.Timedout", errorMessage, trace: [] });
      // A timed-out environment is discarded: its handler may still be running.
      this.dead = true;
      void this.worker.terminate();
    };
    return new Promise((settle) => {
      const startTimeout = () => {
        if (crashAfterMs !== undefined) setTimeout(() => this.pending?.requestId === requestId && this.crash("injected fault, --faults"), crashAfterMs);
        return setTimeout(
          () => timedOut(`${new Date().toISOString()} ${requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`),
          timeoutSeconds * 1000,
        );
      };
      const timer = this.initialized
        ? startTimeout()
        : setTimeout(() => timedOut(`${new Date().toISOString()} ${requestId} INIT timed out after ${INIT_LIMIT_SECONDS.toFixed(2)} seconds`), INIT_LIMIT_SECONDS * 1000);
      this.pending = { requestId, started, logs: [], settle, timer, startTimeout };
      this.worker.postMessage({ type: "invoke", requestId, event, timeoutMs: timeoutSeconds * 1000 });
    });
  }
}
