import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LocalFunction } from "../../sandbox/services/lambda/function";
import type { FunctionSpec } from "../../sandbox/model/function-spec";
import { FaultPlan } from "../../sandbox/faults/plan";

const stateDir = mkdtempSync(join(tmpdir(), "sandbox-fn-"));
const started: LocalFunction[] = [];
afterAll(async () => {
  await Promise.all(started.map((fn) => fn.stop()));
  rmSync(stateDir, { recursive: true, force: true });
});

function spec(code: string, overrides: Partial<FunctionSpec> = {}): FunctionSpec {
  return {
    name: "probe-1234567",
    logicalName: "probe",
    arn: "arn:aws:lambda:us-east-1:000000000000:function:probe-1234567",
    handler: "index.handler",
    runtime: "nodejs24.x",
    files: { "index.js": code },
    links: {},
    codeHash: String(code.length) + code.slice(-20).replace(/\W/g, ""),
    environment: { GREETING: "hello" },
    timeoutSeconds: 3,
    memorySizeMb: 128,
    ...overrides,
  };
}

function start(code: string, overrides: Partial<FunctionSpec> = {}, idleEnvironmentMs?: number) {
  const fn = new LocalFunction(spec(code, overrides), { stateDir, awsEndpoint: "http://127.0.0.1:4566", idleEnvironmentMs });
  started.push(fn);
  return fn;
}

describe("a local function", () => {
  it("runs the artifact with its own environment, context and captured output", async () => {
    const fn = start(`
      let count = 0;
      exports.handler = async (event, context) => {
        count++;
        console.log("got", event.n);
        return {
          greeting: process.env.GREETING,
          endpoint: process.env.AWS_ENDPOINT_URL,
          name: process.env.AWS_LAMBDA_FUNCTION_NAME,
          memory: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
          requestId: context.awsRequestId,
          remaining: context.getRemainingTimeInMillis(),
          nodeFlags: process.execArgv,
          gc: typeof globalThis.gc,
          count,
        };
      };`);
    const first = await fn.invoke({ n: 1 });
    const second = await fn.invoke({ n: 2 });
    expect(first.ok && first.value).toMatchObject({
      greeting: "hello",
      endpoint: "http://127.0.0.1:4566",
      name: "probe-1234567",
      memory: "128",
      // Node started as Lambda's runtime starts it for 128 MB: 12 MB of young generation, 116 MB of old.
      nodeFlags: ["--expose-gc", "--max-http-header-size=81920", "--max-semi-space-size=6", "--max-old-space-size=116"],
      gc: "function",
      requestId: first.requestId,
      count: 1,
    });
    expect((first.ok && (first.value as { remaining: number }).remaining) || 0).toBeGreaterThan(2000);
    expect(first.logs).toEqual([{ level: "log", text: "got 1" }]);
    // Warm reuse: the second invocation meets the module state of the first.
    expect(second.ok && second.value).toMatchObject({ count: 2 });
    expect(process.env.GREETING).toBeUndefined();
  });

  it("fails a run that outlives its timeout like Lambda does, then serves the next one", async () => {
    const fn = start(
      `exports.handler = async (event) => { if (event.hang) await new Promise(() => setInterval(() => {}, 1000)); return "done"; };`,
      {
        timeoutSeconds: 1,
      },
    );
    const result = await fn.invoke({ hang: true });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.errorMessage).toMatch(/Task timed out after 1\.00 seconds/);
    expect(await fn.invoke({})).toMatchObject({ ok: true, value: "done" });
  });

  it("an injected crash fails even an invocation whose handler returns first: what the handler did stays done", async () => {
    const marks = join(stateDir, "crash-marks");
    const faults = new FaultPlan([], 1);
    faults.replace("probe:crash=1");
    const fn = new LocalFunction(
      spec(`let calls = 0; exports.handler = async () => { require("fs").appendFileSync(process.env.MARKS, "ran;"); return ++calls; };`, {
        environment: { MARKS: marks },
      }),
      { stateDir, awsEndpoint: "http://127.0.0.1:4566", faults },
    );
    started.push(fn);
    const crashed = await fn.invoke({});
    expect(crashed).toMatchObject({ ok: false, error: { errorType: "Runtime.ExitError" } });
    expect(!crashed.ok && crashed.error.errorMessage).toMatch(/Runtime exited with error: signal: killed \(injected fault, --faults\)$/);
    // Well before the crash's own time (a third of 3 s): it came as the handler returned.
    expect(crashed.durationMs).toBeLessThan(900);
    expect(readFileSync(marks, "utf8")).toBe("ran;");
    faults.replace("");
    // The environment died with it: the next invocation starts a new one.
    expect(await fn.invoke({})).toMatchObject({ ok: true, value: 1 });
  });

  it("reports a handler error with its type and message", async () => {
    const fn = start(`exports.handler = async () => { class Boom extends Error { name = "Boom" }; throw new Boom("no"); };`);
    expect(await fn.invoke({})).toMatchObject({ ok: false, error: { errorType: "Boom", errorMessage: "no" } });
  });

  it("swaps to new code without a restart", async () => {
    const fn = start(`exports.handler = async () => "v1";`);
    expect(await fn.invoke({})).toMatchObject({ value: "v1" });
    fn.update(spec(`exports.handler = async () => "v2";`));
    expect(await fn.invoke({})).toMatchObject({ value: "v2" });
  });
  it("ends an environment left idle, so the next invocation starts cold; one in use stays warm", async () => {
    const fn = start(`let count = 0; exports.handler = async () => ++count;`, {}, 300);
    const first = await fn.invoke({});
    const soon = await fn.invoke({});
    expect([first.ok && first.value, first.initMs > 0, soon.ok && soon.value, soon.initMs]).toEqual([1, true, 2, 0]);
    await new Promise((resolve) => setTimeout(resolve, 600));
    const later = await fn.invoke({});
    expect([later.ok && later.value, later.initMs > 0]).toEqual([1, true]);
  });

  it("gives initialisation its own time, as Lambda's init phase: the timeout starts with the handler", async () => {
    const fn = start(
      `
      const until = Date.now() + 1500;
      while (Date.now() < until) {}
      exports.handler = async (event, context) => ({ remaining: context.getRemainingTimeInMillis() });`,
      { timeoutSeconds: 1 },
    );
    const result = await fn.invoke({});
    expect(result.ok, JSON.stringify(result)).toBe(true);
    expect(result.ok && (result.value as { remaining: number }).remaining).toBeGreaterThan(500);
  });
});
