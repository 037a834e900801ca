import { copyFileSync, existsSync, mkdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { dirname, join } from "node:path";
import type { FunctionSpec, InvocationResult } from "../../model/function-spec";
import { Environment } from "./environment";
import { sandboxRegion, sandboxAccountId } from "../../shared/constants";
import type { FaultPlan } from "../../faults/plan";
import { CRASH_AT_FRACTION_OF_TIMEOUT, injectedError, pastTimeout } from "../../faults/invocation";
import { nodeBinaryFor } from "./node-runtimes";

/** Concurrency when the program reserves none: enough to overlap I/O, few enough for a laptop. */
const defaultConcurrency = 10;
/**
 * How long an environment stays warm without an invocation. Lambda keeps idle environments for
 * some minutes (it does not say how long); the sandbox gives a laptop its memory back sooner,
 * so the next invocation after a minute's pause is a cold start.
 */
const IDLE_ENVIRONMENT_MS = 60_000;

/**
 * A deployed function: a pool of warm execution environments (processes of the Node.js its runtime
 * declares) running its artifact. Updating the code retires the old environments after their
 * current invocation, so nothing in flight is lost.
 */
export class LocalFunction {
  private idle: Environment[] = [];
  /** When each idle environment ends unless an invocation takes it first. */
  private readonly idleTimers = new Map<Environment, NodeJS.Timeout>();
  private busy = new Set<Environment>();
  private waiting: Array<() => void> = [];
  private codeDir = "";
  private stopped = false;
  spec!: FunctionSpec;

  constructor(
    spec: FunctionSpec,
    private readonly options: { stateDir: string; awsEndpoint: string; faults?: FaultPlan; idleEnvironmentMs?: number },
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
    this.reload();
    return true;
  }

  /**
   * Lays out the artifact and retires the environments running the previous one. Also called when
   * a linked file (a FileArchive's folder, a FileAsset) is saved: the artifact `pulumi up` would
   * zip now; a warm environment keeps the modules it loaded, so it retires as for new code.
   */
  reload(): void {
    const spec = this.spec;
    for (const [file, text] of Object.entries(spec.files)) {
      const path = join(this.codeDir, file);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    }
    for (const [file, source] of Object.entries(spec.links)) {
      const path = join(this.codeDir, file);
      mkdirSync(dirname(path), { recursive: true });
      // A folder (a package the callback needs) is linked: its files are what would be zipped;
      // a single file is copied byte for byte.
      if (statSync(source).isDirectory()) {
        if (!existsSync(path)) symlinkSync(source, path, "dir");
      } else copyFileSync(source, path);
    }
    [...this.idle].forEach((environment) => this.end(environment));
    for (const environment of this.busy) environment.retire = true;
  }

  get concurrency(): number {
    return this.spec.reservedConcurrency && this.spec.reservedConcurrency > 0 ? this.spec.reservedConcurrency : defaultConcurrency;
  }

  async invoke(event: unknown): Promise<InvocationResult> {
    if (this.stopped) throw new Error(`function ${this.name} is stopped`);
    const fault = this.options.faults?.invocationFault(this.spec);
    if (fault === "error") return injectedError(this.name);
    // Never a silent run on another Node: a runtime without its binary stops here, saying the fix.
    const node = nodeBinaryFor(this.spec.runtime);
    if (!node.ok) return runtimeUnavailable(node.message);
    while (this.busy.size >= this.concurrency) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    const environment =
      this.takeIdle() ??
      new Environment(
        this.spec,
        {
          codeDir: this.codeDir,
          awsEndpoint: this.options.awsEndpoint,
          nodeBinary: node.path,
          tmpRoot: join(this.options.stateDir, "tmp"),
          compileCacheDir: join(this.options.stateDir, "compile-cache"),
        },
        (exited) => this.forget(exited),
      );
    this.busy.add(environment);
    // Events cross the process boundary as JSON, as they reach Lambda.
    // A crash comes a third of the way through the invocation's own time, whatever its init took.
    const crashAfterMs = fault === "crash" ? this.spec.timeoutSeconds * 1000 * CRASH_AT_FRACTION_OF_TIMEOUT : undefined;
    const running = environment.invoke(JSON.parse(JSON.stringify(event ?? null)), this.spec.timeoutSeconds, crashAfterMs);
    const result =
      fault === "timeout" ? await pastTimeout(running, this.spec.timeoutSeconds, () => (environment.dead = true)) : await running;
    this.busy.delete(environment);
    if (environment.dead || environment.retire || this.stopped) void environment.end();
    else this.keepIdle(environment);
    this.waiting.shift()?.();
    return result;
  }

  /** The most recently used idle environment: the others stay idle long enough to end. */
  private takeIdle(): Environment | undefined {
    const environment = this.idle.at(-1);
    if (environment) this.forget(environment);
    return environment;
  }

  private keepIdle(environment: Environment) {
    this.idle.push(environment);
    const timer = setTimeout(() => this.end(environment), this.options.idleEnvironmentMs ?? IDLE_ENVIRONMENT_MS);
    timer.unref();
    this.idleTimers.set(environment, timer);
  }

  private end(environment: Environment) {
    this.forget(environment);
    void environment.end();
  }

  private forget(environment: Environment) {
    this.idle = this.idle.filter((candidate) => candidate !== environment);
    clearTimeout(this.idleTimers.get(environment));
    this.idleTimers.delete(environment);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const all = [...this.idle, ...this.busy];
    all.forEach((environment) => this.forget(environment));
    await Promise.all(all.map((environment) => environment.end()));
  }
}

function runtimeUnavailable(message: string): InvocationResult {
  return {
    ok: false,
    error: { errorType: "Sandbox.RuntimeUnavailable", errorMessage: message, trace: [] },
    requestId: randomUUID(),
    durationMs: 0,
    initMs: 0,
    logs: [],
  };
}

export function functionArn(name: string): string {
  return `arn:aws:lambda:${sandboxRegion}:${sandboxAccountId}:function:${name}`;
}
