import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import type { FunctionSpec, HandlerLog, InvocationError, InvocationResult } from "../../model/function-spec";
import { logStreamName, runtimeEnvironment } from "./runtime-env";

const bootstrap = join(__dirname, "bootstrap.mjs");
/**
 * Where the AWS SDK v3 that Lambda's Node.js runtimes provide is found: the sandbox's own copy.
 * A function that requires `@aws-sdk/...` without packaging it works on Lambda, so it does here.
 */
const runtimeModulesDir = dirname(dirname(dirname(require.resolve("@aws-sdk/client-s3/package.json"))));
/** Lambda gives a function's initialisation its own 10 s, apart from the invocation's timeout. */
const INIT_LIMIT_SECONDS = 10;
/** How much of a process's stderr is kept to explain its death (a bad NODE_OPTIONS, running out of heap). */
const STDERR_TAIL_CHARS = 2000;

/**
 * The flags Lambda's Node.js runtimes start Node with (their bootstrap script): a tenth of the
 * memory size for V8's young generation (two semi-spaces), the rest for the old generation, `gc()`
 * exposed, 80 KB HTTP headers. Lambda bounds the whole environment; V8's heap is what Node can bound.
 */
function lambdaNodeFlags(memorySizeMb: number): string[] {
  const newSpaceMb = Math.floor(memorySizeMb / 10);
  return [
    "--expose-gc",
    "--max-http-header-size=81920",
    `--max-semi-space-size=${Math.floor(newSpaceMb / 2)}`,
    `--max-old-space-size=${memorySizeMb - newSpaceMb}`,
  ];
}

interface Pending {
  requestId: string;
  started: number;
  logs: HandlerLog[];
  initMs: number;
  settle(result: InvocationResult): void;
  timer: NodeJS.Timeout;
  /** Starts the invocation's timeout (after the init phase of a cold environment). */
  startTimeout(): NodeJS.Timeout;
  /** An injected crash: the runtime dies at its time, or as the handler returns if that comes first. */
  crashes: boolean;
}

export interface EnvironmentOptions {
  codeDir: string;
  awsEndpoint: string;
  /** The Node.js binary of the function's runtime. */
  nodeBinary: string;
  /** Under which this environment's /tmp is made, and removed when it ends. */
  tmpRoot: string;
  /** Where Node (22 and later) keeps compiled code between environments. */
  compileCacheDir: string;
}

/**
 * One execution environment: a process of the function's Node.js that keeps its loaded handler
 * between invocations, as Lambda keeps an environment warm. Invocations reach it over IPC.
 */
export class Environment {
  private readonly child: ChildProcess;
  pending?: Pending;
  dead = false;
  /** Set when new code arrived while this environment was busy: it ends after the invocation. */
  retire = false;
  /** Whether the handler module has been loaded (its init ran) in this environment. */
  private initialized = false;
  private readonly ready: Promise<boolean>;
  private readonly exited: Promise<void>;
  private stderrTail = "";
  private readonly tmpDir: string;
  private readonly spawnedAt = performance.now();

  constructor(spec: FunctionSpec, options: EnvironmentOptions, onExit: (environment: Environment) => void) {
    this.tmpDir = join(options.tmpRoot, randomUUID());
    mkdirSync(this.tmpDir, { recursive: true });
    const settings = {
      codeDir: options.codeDir,
      handler: spec.handler,
      functionName: spec.name,
      functionVersion: "$LATEST",
      memorySizeMb: spec.memorySizeMb,
      invokedFunctionArn: spec.arn,
      logGroupName: spec.logGroupName ?? `/aws/lambda/${spec.name}`,
      logStreamName: logStreamName(),
      runtimeModulesDir,
      compileCacheDir: options.compileCacheDir,
    };
    this.child = spawn(options.nodeBinary, [...lambdaNodeFlags(spec.memorySizeMb), bootstrap, JSON.stringify(settings)], {
      cwd: options.codeDir,
      env: runtimeEnvironment(spec, options.awsEndpoint, options.codeDir, this.tmpDir),
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      windowsHide: true,
    });
    // Raw writes to process.stdout belong to whatever is running now.
    this.child.stdout!.setEncoding("utf8");
    this.child.stdout!.on("data", (text: string) => this.pending?.logs.push({ level: "log", text: text.replace(/\n$/, "") }));
    this.child.stderr!.setEncoding("utf8");
    this.child.stderr!.on("data", (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL_CHARS);
      this.pending?.logs.push({ level: "error", text: text.replace(/\n$/, "") });
    });
    this.ready = new Promise((resolve) => {
      this.child.on("message", (message: { type: string }) => (message.type === "ready" ? resolve(true) : this.onMessage(message)));
      this.child.on("exit", () => resolve(false));
      this.child.on("error", () => resolve(false));
    });
    this.exited = new Promise((resolve) => {
      this.child.on("error", (error: Error) => {
        this.dead = true;
        this.fail({
          errorType: "Runtime.ExitError",
          errorMessage: `the runtime could not start (${options.nodeBinary}): ${error.message}`,
          trace: [],
        });
        onExit(this);
        resolve();
      });
      this.child.on("exit", (code, signal) => {
        this.dead = true;
        const outOfMemory = /heap out of memory|Reached heap limit/.test(this.stderrTail);
        const status = signal ? `signal: ${signal}` : `exit status ${code}`;
        // What the process said before dying explains a start that failed (a bad NODE_OPTIONS).
        const said = this.initialized || outOfMemory ? "" : this.stderrTail.trim() ? `\n${this.stderrTail.trim()}` : "";
        this.fail({
          errorType: outOfMemory ? "Runtime.OutOfMemory" : "Runtime.ExitError",
          errorMessage: `RequestId: ${this.pending?.requestId} Error: Runtime exited with error: ${status}${said}`,
          trace: [],
        });
        rmSync(this.tmpDir, { recursive: true, force: true });
        onExit(this);
        resolve();
      });
    });
  }

  /** Ends the process (whatever it is doing) and waits until it is gone. */
  end(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    return this.exited;
  }

  private onMessage(message: {
    type: string;
    requestId?: string;
    level?: string;
    text?: string;
    ok?: boolean;
    value?: unknown;
    error?: InvocationError;
  }) {
    const pending = this.pending;
    if (message.type === "log") {
      pending?.logs.push({ level: message.level ?? "log", text: message.text ?? "" });
      return;
    }
    if (message.type === "crash") {
      // An uncaught exception or unhandled rejection ends the execution environment, as it does on
      // Lambda, whether an invocation is running or it came from work left over between them.
      this.dead = true;
      this.fail(message.error!);
      void this.end();
      return;
    }
    if (!pending || message.requestId !== pending.requestId) return;
    if (message.type === "initialized") {
      // The invocation's own timeout starts once the init phase is over, as on Lambda.
      this.initialized = true;
      // Lambda's init duration: the runtime's start (this process) and the handler's module init.
      pending.initMs = performance.now() - this.spawnedAt;
      clearTimeout(pending.timer);
      pending.timer = pending.startTimeout();
      return;
    }
    if (message.type === "result") {
      // The work is done, but the runtime dies before the caller hears of it.
      if (pending.crashes) return this.crash("injected fault, --faults");
      this.pending = undefined;
      clearTimeout(pending.timer);
      const base = {
        requestId: pending.requestId,
        durationMs: performance.now() - pending.started,
        initMs: pending.initMs,
        logs: pending.logs,
      };
      pending.settle(message.ok ? { ...base, ok: true, value: message.value } : { ...base, ok: false, error: message.error! });
    }
  }

  /** The runtime dies in the middle of the invocation (an injected fault): the caller sees Lambda's exit error. */
  crash(why: string) {
    if (!this.pending) return;
    this.dead = true;
    this.fail({
      errorType: "Runtime.ExitError",
      errorMessage: `RequestId: ${this.pending.requestId} Error: Runtime exited with error: signal: killed (${why})`,
      trace: [],
    });
    void this.end();
  }

  fail(error: InvocationError) {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    pending.settle({
      ok: false,
      error,
      requestId: pending.requestId,
      durationMs: performance.now() - pending.started,
      initMs: pending.initMs,
      logs: pending.logs,
    });
  }

  /**
   * `crashAfterMs`: an injected fault, the runtime dies that long into the invocation's own time
   * (after init), or as its handler returns when that comes first: a crash rule fails the invocation.
   */
  invoke(event: unknown, timeoutSeconds: number, crashAfterMs?: number): Promise<InvocationResult> {
    const requestId = randomUUID();
    const started = performance.now();
    const timedOut = (errorMessage: string) => {
      this.fail({ errorType: "Sandbox.Timedout", errorMessage, trace: [] });
      // A timed-out environment is discarded: its handler may still be running.
      this.dead = true;
      void this.end();
    };
    return new Promise((settle) => {
      const startTimeout = () => {
        if (crashAfterMs !== undefined)
          setTimeout(() => this.pending?.requestId === requestId && this.crash("injected fault, --faults"), crashAfterMs);
        return setTimeout(
          () => timedOut(`${new Date().toISOString()} ${requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`),
          timeoutSeconds * 1000,
        );
      };
      const timer = this.initialized
        ? startTimeout()
        : setTimeout(
            () => timedOut(`${new Date().toISOString()} ${requestId} INIT timed out after ${INIT_LIMIT_SECONDS.toFixed(2)} seconds`),
            INIT_LIMIT_SECONDS * 1000,
          );
      this.pending = { requestId, started, logs: [], initMs: 0, settle, timer, startTimeout, crashes: crashAfterMs !== undefined };
      // The first invocation waits until the runtime listens; a process that died first has failed it already.
      void this.ready.then((listening) => {
        if (listening && this.child.connected && this.pending?.requestId === requestId)
          this.child.send({ type: "invoke", requestId, event, timeoutMs: timeoutSeconds * 1000 });
      });
    });
  }
}
