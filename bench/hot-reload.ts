import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { bundle, BUNDLE_FILE, SOURCE_MAP_FILE, SOURCE_MAP_NODE_OPTIONS } from "../components/bundle";
import { codeHashOf, type FunctionSpec } from "../sandbox/model/function-spec";
import { LocalFunction } from "../sandbox/services/lambda/function";
import type { BenchContext } from "./context";
import { handlerEnvironment, HANDLERS } from "./handler-env";
import { fmt, progress, yesNo, type Figure } from "./report";
import { median } from "./stats";

const HOT_RELOAD_GOAL_MS = 500;

/** `GET /v1/health` as API Gateway hands it to the function: it answers without an AWS call. */
const healthEvent = {
  version: "2.0",
  routeKey: "$default",
  rawPath: "/dev/v1/health",
  rawQueryString: "",
  headers: { host: "127.0.0.1" },
  requestContext: { http: { method: "GET", path: "/dev/v1/health", sourceIp: "127.0.0.1" }, stage: "dev", requestId: "bench" },
  isBase64Encoded: false,
};

/**
 * What hot reload costs the function itself: the API function's deployed artifact (bundle, source
 * map, NODE_OPTIONS) swapped for a new version, then the time until the first invocation answers
 * on the new code, which starts a new execution environment (a process of its runtime's Node and
 * the handler's init). The watcher's rebuild comes on top (its own log line says how long).
 * Beside it, a warm invocation of the same function: the per-invocation overhead of the IPC.
 */
export async function hotReload(ctx: BenchContext): Promise<Figure[]> {
  const api = HANDLERS.find((handler) => handler.name === "job-api")!;
  const built = bundle(api.entry);
  const stateDir = join(ctx.work, "hot-reload");
  mkdirSync(stateDir, { recursive: true });
  const files = (version: number) => ({ [BUNDLE_FILE]: `${built.code}\n// version ${version}\n`, [SOURCE_MAP_FILE]: built.sourceMap });
  const spec = (version: number): FunctionSpec => ({
    name: "job-api-bench",
    logicalName: "api-handler",
    arn: "arn:aws:lambda:us-east-1:000000000000:function:job-api-bench",
    handler: "index.handler",
    runtime: "nodejs24.x",
    files: files(version),
    links: {},
    codeHash: codeHashOf(files(version), {}),
    environment: { ...handlerEnvironment(api.contract), NODE_OPTIONS: SOURCE_MAP_NODE_OPTIONS },
    timeoutSeconds: 10,
    memorySizeMb: 512,
  });
  const fn = new LocalFunction(spec(0), { stateDir, awsEndpoint: "http://127.0.0.1:9" });
  const answer = async () => {
    const result = await fn.invoke(healthEvent);
    if (!result.ok || (result.value as { statusCode?: number }).statusCode !== 200)
      throw new Error(`job-api did not answer /v1/health: ${JSON.stringify(result).slice(0, 300)}`);
  };
  try {
    await answer();
    const swaps: number[] = [];
    const warm: number[] = [];
    for (let version = 1; version <= ctx.sizes.coldStartReps; version++) {
      const started = performance.now();
      fn.update(spec(version));
      await answer();
      swaps.push(performance.now() - started);
      for (let call = 0; call < 20; call++) {
        const before = performance.now();
        await answer();
        warm.push(performance.now() - before);
      }
    }
    const [swapMs, warmMs] = [median(swaps), median(warm)];
    progress(
      `hot reload: job-api swapped and answering on its new code in ${fmt.ms(swapMs)} (median of ${swaps.length}); warm invocation ${fmt.ms(warmMs)}`,
    );
    return [
      {
        figure: "hot reload: job-api swap -> first answer on the new code",
        value: fmt.ms(swapMs),
        baseline: `${fmt.ms(warmMs)} warm invocation`,
        ratio: fmt.ratio(swapMs / warmMs),
        goal: `< ${HOT_RELOAD_GOAL_MS} ms`,
        met: yesNo(swapMs < HOT_RELOAD_GOAL_MS),
      },
    ];
  } finally {
    await fn.stop();
  }
}
