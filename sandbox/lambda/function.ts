import { Worker } from "node:worker_threads";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { randomUUID } from "node:crypto";
import type { FunctionSpec, HandlerLog, InvocationError, InvocationResult } from "./function-spec";
import { logStreamName, workerEnvironment } from "./worker-env";
import { sandboxRegion, sandboxAccountId } from "../constants";

const bootstrap = join(__dirname, "worker-bootstrap.mjs");
/** Concurrency when the program reserves none: enough to overlap I/O, few enough for a laptop. */
const defaultConcurrency = 10;

interface Pending {
  requestId: string;
  started: number;
  logs: HandlerLog[];
  settle(result: InvocationResult): void;
  timer: NodeJS.Timeout;
}

/** One execution environment: a worker thread that keeps its loaded handler between invocations. */
class Environment {
  readonly worker: Worker;
  pending?: Pending;
  dead = false;

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

  fail(error: InvocationError) {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    pending.settle({ ok: false, error, requestId: pending.requestId, durationMs: performance.now() - pending.started, initMs: 0, logs: pending.logs });
  }

  invoke(event: unknown, timeoutSeconds: number): Promise<InvocationResult> {
    const requestId = randomUUID();
    const started = performance.now();
    const deadline = Date.now() + timeoutSeconds * 1000;
    return new Promise((settle) => {
      const timer = setTimeout(() => {
        this.fail({
          errorType: "Sandbox.Timedout",
          errorMessage: `${new Date().toISOString()} ${requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
          trace: [],
        });
        // A timed-out environment is discarded: its handler may still be running.
        this.dead = true;
        void this.worker.terminate();
      }, timeoutSeconds * 1000);
      this.pending = { requestId, started, logs: [], settle, timer };
      this.worker.postMessage({ type: "invoke", requestId, event, deadline });
    });
  }
}

/**
 * A deployed function: a pool of warm execution environments running its artifact. Updating the
 * code retires the old environments after their current invocation, so nothing in flight is lost.
 */
export class LocalFunction {
  private idle: Environment[] = [];
  private busy = new Set<Environment>();
  private waiting: Array<() => void> = [];
  private codeDir = "";
  private stopped = false;
  spec!: FunctionSpec;

  constructor(
    spec: FunctionSpec,
    private readonly options: { stateDir: string; awsEndpoint: string },
  ) {
    this.update(spec);
  }

  get name() {
    return this.spec.name;
  }

  /** Swaps in new code or settings; returns false when nothing changed. */
  update(spec: FunctionSpec): boolean {
    if (this.spec && JSON.stringify(this.spec) === JSON.stringify(spec)) return false;
    this.spec = spec;
    this.codeDir = join(this.options.stateDir, "functions", `${spec.name}-${spec.codeHash.slice(0, 12)}`);
    for (const [file, text] of Object.entries(spec.files)) {
      const path = join(this.codeDir, file);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    }
    const retired = this.idle;
    this.idle = [];
    retired.forEach((environment) => void environment.worker.terminate());
    for (const environment of this.busy) (environment as Environment & { retire?: boolean }).retire = true;
    return true;
  }

  get concurrency(): number {
    return this.spec.reservedConcurrency && this.spec.reservedConcurrency > 0 ? this.spec.reservedConcurrency : defaultConcurrency;
  }

  async invoke(event: unknown): Promise<InvocationResult> {
    if (this.stopped) throw new Error(`function ${this.name} is stopped`);
    while (this.busy.size >= this.concurrency) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    const environment =
      this.idle.pop() ??
      new Environment(this.spec, this.codeDir, this.options.awsEndpoint, (exited) => this.forget(exited));
    this.busy.add(environment);
    // Events cross the thread boundary as JSON, as they reach Lambda.
    const result = await environment.invoke(JSON.parse(JSON.stringify(event ?? null)), this.spec.timeoutSeconds);
    this.busy.delete(environment);
    const retired = (environment as Environment & { retire?: boolean }).retire;
    if (environment.dead || retired || this.stopped) void environment.worker.terminate();
    else this.idle.push(environment);
    this.waiting.shift()?.();
    return result;
  }

  private forget(environment: Environment) {
    this.idle = this.idle.filter((candidate) => candidate !== environment);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const all = [...this.idle, ...this.busy];
    this.idle = [];
    await Promise.all(all.map((environment) => environment.worker.terminate()));
  }
}

export function functionArn(name: string): string {
  return `arn:aws:lambda:${sandboxRegion}:${sandboxAccountId}:function:${name}`;
}
