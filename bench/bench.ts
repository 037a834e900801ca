import { architect, type ArchitectResult } from "./architect";
import { hotReload } from "./hot-reload";
import { listingOperations } from "./api-index";
import { coldStart } from "./cold-start";
import { sqsToDynamo } from "./sqs-to-dynamo";
import type { BenchContext } from "./context";
import { s3ToSqs } from "./s3-to-sqs";
import { failed, fmt, notMeasured, progress, yesNo, type Figure } from "./report";
import { sandboxGoals, type SandboxResults } from "./sandbox-goals";

async function guarded(name: string, measure: () => Promise<Figure[]>): Promise<Figure[]> {
  try {
    return await measure();
  } catch (error) {
    progress(`${name}: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return [failed(name, error)];
  }
}

function apiFigures(sandbox: SandboxResults): Figure[] {
  const { api, apiItems } = sandbox;
  const n = apiItems.toLocaleString("en-US");
  const listings = [
    { path: "/v1/jobs", served: api.list, direct: api.directScan, call: "Scan" },
    { path: "/v1/jobs?city=", served: api.listByCity, direct: api.directQuery, call: "Query" },
  ];
  return listings.flatMap(({ path, served, direct, call }) =>
    (["p50", "p99"] as const).map((quantile) => ({
      figure: `API GET ${path} ${quantile} (${n} items)`,
      value: fmt.ms(served[quantile]),
      baseline: `${fmt.ms(direct[quantile])} ${call} direct`,
      ratio: fmt.ratio(served[quantile] / direct[quantile]),
      goal: "-",
      met: "-",
    })),
  );
}

function comparisonFigures(sandbox: SandboxResults | undefined, arc: ArchitectResult | undefined): Figure[] {
  const reason = !arc
    ? "skipped by --quick (it needs an npm install)"
    : arc && !arc.measured
      ? arc.reason
      : "the sandbox measurement failed";
  const figures: Figure[] = [];
  if (sandbox) {
    const baseline = arc?.measured ? `${fmt.ms(arc.firstAnswerMs)} Architect, to 1st answer` : "Architect not measured";
    const ratio = (ms: number) => (arc?.measured ? fmt.ratio(ms / arc.firstAnswerMs) : "-");
    figures.push({
      figure: "sandbox: start -> ready, first start (empty state, nothing cached)",
      value: fmt.ms(sandbox.firstReadyMs),
      baseline,
      ratio: ratio(sandbox.firstReadyMs),
      goal: "<= 2 s",
      met: yesNo(sandbox.firstReadyMs <= 2000),
    });
    if (sandbox.restartReadyMs === undefined) {
      figures.push(
        notMeasured(
          "sandbox: start -> ready, restart with nothing changed",
          "<= 0.5 s",
          "one start only (--quick starts twice, the full run three times)",
        ),
      );
    } else {
      figures.push({
        figure: `sandbox: start -> ready, restart with nothing changed (median of ${sandbox.starts - 1})`,
        value: fmt.ms(sandbox.restartReadyMs),
        baseline,
        ratio: ratio(sandbox.restartReadyMs),
        goal: "<= 0.5 s",
        met: yesNo(sandbox.restartReadyMs <= 500),
      });
    }
    figures.push({
      figure: "sandbox: start -> first API answer",
      value: fmt.ms(sandbox.firstAnswerMs),
      baseline,
      ratio: arc?.measured ? fmt.ratio(sandbox.firstAnswerMs / arc.firstAnswerMs) : "-",
      goal: "-",
      met: "-",
    });
  }
  const pairs = [
    ["API latency p50, no AWS call (/health)", sandbox?.api.health, arc?.measured ? arc.health : undefined],
    ["API latency p50, one GetItem", sandbox?.api.getOne, arc?.measured ? arc.getItem : undefined],
  ] as const;
  for (const [name, ours, theirs] of pairs) {
    if (!ours || !theirs) {
      figures.push(notMeasured(`sandbox vs Architect: ${name}`, ">= 40x lower", reason));
      continue;
    }
    const ratio = theirs.p50 / ours.p50;
    figures.push({
      figure: `sandbox vs Architect: ${name}`,
      value: fmt.ms(ours.p50),
      baseline: `${fmt.ms(theirs.p50)} Architect`,
      ratio: `${fmt.ratio(ratio)} lower`,
      goal: ">= 40x lower",
      met: yesNo(ratio >= 40),
    });
  }
  return figures;
}

/** The sandbox's own process (emulators, wiring, histories) at most this much during the largest upload. */
const sandboxProcessGoalMb = 512;

function memoryFigures(run: SandboxResults["ingest"][number]): Figure[] {
  const rows = `${run.rows.toLocaleString("en-US")}-row upload`;
  const mb = (value: number) => `${value.toFixed(0)} MB`;
  const functions = run.memory.byFunction();
  const { tree } = run.memory;
  return [
    {
      figure: `sandbox: its own process's memory (RSS), ${rows}`,
      value: `${mb(run.memory.sandboxMb)} peak, ${mb(run.drained.sandboxMb)} drained`,
      baseline: "-",
      ratio: "-",
      goal: `<= ${sandboxProcessGoalMb} MB`,
      met: yesNo(run.memory.sandboxMb <= sandboxProcessGoalMb),
    },
    functions.length === 0
      ? notMeasured(`sandbox: execution environments' memory (RSS), ${rows}`, "each <= its memorySize", "no environment was seen running")
      : {
          figure: `sandbox: execution environments' memory (RSS), ${rows}`,
          value: functions
            .map((fn) => `${fn.functionName}: ${fn.environments} at most ${mb(fn.peakMb)} of ${fn.memorySizeMb} MB`)
            .join("; "),
          baseline: "-",
          ratio: "-",
          goal: "each <= its memorySize",
          met: yesNo(run.memory.withinMemorySizes()),
        },
    {
      figure: `sandbox: process tree memory (RSS), ${rows}`,
      value:
        `${mb(tree.totalMb)} peak (the sandbox's process ${mb(tree.sandboxMb)}, ` +
        `${tree.environments} execution environments ${mb(tree.environmentsMb)}), ${mb(run.drained.totalMb)} drained`,
      baseline: "-",
      ratio: "-",
      goal: "-",
      met: "-",
    },
  ];
}

function ingestFigures(sandbox: SandboxResults): Figure[] {
  const largest = sandbox.ingest.at(-1);
  const memory = largest ? memoryFigures(largest) : [];
  return [
    ...memory,
    ...sandbox.ingest.map((run) => {
      const ratio = run.rowsPerSecond / run.ceiling;
      return {
        figure: `sandbox: upload -> all rows in API, ${run.rows.toLocaleString("en-US")} rows`,
        value: `${fmt.rate(run.rowsPerSecond)} (${run.seconds.toFixed(1)} s)`,
        baseline: `${fmt.rate(run.ceiling, "PutItem/s")} dynalite`,
        ratio: fmt.ratio(ratio),
        goal: ">= 0.5x",
        met: yesNo(ratio >= 0.5),
      };
    }),
  ];
}

/** Every goal in order; a goal that throws becomes an "error" line and the others still run. */
export async function runBench(ctx: BenchContext): Promise<Figure[]> {
  const figures: Figure[] = [];
  figures.push(...(await guarded("s3-to-sqs", () => s3ToSqs(ctx))));
  figures.push(...(await guarded("sqs-to-dynamo", () => sqsToDynamo(ctx))));
  figures.push(...(await guarded("cold start", () => coldStart(ctx))));
  figures.push(
    ...(await guarded("API listing operations", async () => {
      const operations = await listingOperations(ctx.work);
      const describe = (ops: typeof operations.byCity) => ops.map((op) => `${op.operation}${op.index ? ` ${op.index}` : ""}`).join(", ");
      const usesIndex = operations.byCity.length > 0 && operations.byCity.every((op) => op.operation === "Query" && op.index === "byCity");
      return [
        {
          figure: "API GET /v1/jobs?city=: DynamoDB calls",
          value: describe(operations.byCity),
          baseline: `${describe(operations.all)} without city`,
          ratio: "-",
          goal: "Query byCity, no Scan",
          met: yesNo(usesIndex),
        },
      ];
    })),
  );
  figures.push(...(await guarded("hot reload", () => hotReload(ctx))));
  let sandbox: SandboxResults | undefined;
  figures.push(
    ...(await guarded("sandbox", async () => {
      sandbox = await sandboxGoals(ctx);
      return [...apiFigures(sandbox), ...ingestFigures(sandbox)];
    })),
  );
  let arc: ArchitectResult | undefined;
  if (ctx.sizes.architect) {
    try {
      arc = await architect(ctx.work, 50);
    } catch (error) {
      arc = { measured: false, reason: error instanceof Error ? error.message : String(error) };
    }
  }
  figures.push(...comparisonFigures(sandbox, arc));
  return figures;
}
