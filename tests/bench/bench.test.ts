import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runBench } from "../../bench/bench";
import type { Sizes } from "../../bench/context";

/**
 * The bench at its smallest, as a smoke test of its correctness: every goal runs to the end on
 * real files, emulators and `npm start`, and what it counts (not how fast) is right. Speed goals
 * are never asserted in tests: `npm run bench` reports them.
 */
const SMOKE: Sizes = {
  s3ToSqsRows: [200, 1_000],
  queueRows: 100,
  sqsToDynamoBatches: 5,
  coldStartReps: 1,
  sandboxStarts: 1,
  uploads: [200],
  apiItems: 200,
  apiRequests: 5,
  dynaliteItems: 100,
  architect: false,
};

const work = mkdtempSync(join(tmpdir(), "job-offers-bench-test-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("npm run bench", () => {
  it("measures every goal, with the counts that do not depend on the machine right", { timeout: 120_000 }, async () => {
    const figures = await runBench({ sizes: SMOKE, work });
    const failures = figures.filter((figure) => figure.met === "error");
    expect(failures, JSON.stringify(failures, null, 2)).toEqual([]);

    const line = (name: string) => {
      const found = figures.find((figure) => figure.figure.startsWith(name));
      expect(found, `no line '${name}'`).toBeDefined();
      return found!;
    };
    expect(line("s3-to-sqs: SQS requests per row").value).toBe("0.100");
    expect(line("sqs-to-dynamo: DynamoDB requests per row").value).toBe("1.00 (+0 retried)");
    expect(line("API GET /v1/jobs?city=: DynamoDB calls").value).toBe("Query byCity");
    expect(line("bundles: SDK clients per handler").met).toBe("yes");
    expect(line("sandbox: upload -> all rows in API, 200 rows").met).not.toBe("error");
    // Memory: the sandbox's own process against its goal, each function's environments against
    // the function's memory size (the program gives its ingest functions 512 MB), the tree as information.
    const own = line("sandbox: its own process's memory (RSS), 200-row upload");
    expect(own.value).toMatch(/^\d+ MB peak, \d+ MB drained$/);
    expect(own.goal).toBe("<= 512 MB");
    const environments = line("sandbox: execution environments' memory (RSS), 200-row upload");
    for (const fn of ["ingest-s3-to-sqs", "ingest-sqs-to-dynamo"]) {
      expect(environments.value).toMatch(new RegExp(`(^|; )${fn}-[0-9a-f]+: [1-9]\\d* at most \\d+ MB of 512 MB(;|$)`));
    }
    expect(environments.goal).toBe("each <= its memorySize");
    expect(line("sandbox: process tree memory (RSS), 200-row upload")).toMatchObject({ goal: "-", met: "-" });
    expect(line("sandbox: process tree memory (RSS), 200-row upload").value).toMatch(
      /^\d+ MB peak \(the sandbox's process \d+ MB, [1-9]\d* execution environments \d+ MB\), \d+ MB drained$/,
    );
    for (const handler of ["s3-to-sqs", "sqs-to-dynamo", "job-api", "authorizer"]) {
      expect(line(`bundle size ${handler}`).value).toMatch(/^\d+ KB$/);
      expect(line(`cold start ${handler}: module init with its source map`).value).toMatch(/ \(\d+ KB map\)$/);
    }
    expect(line("hot reload: job-api swap -> first answer on the new code").value).toMatch(/ ms$/);
    expect(line("sandbox vs Architect").met).toBe("not measured");
  });
});
