import { execFile, spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { PROJECT_ROOT } from "../components/bundle";
import { detachedGroups } from "./child";
import type { Latency } from "./api-latency";
import { progress } from "./report";
import { percentile } from "./stats";

const VERSION = "8.0.0";

export type ArchitectResult =
  { measured: true; firstAnswerMs: number; health: Latency; getItem: Latency } | { measured: false; reason: string };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A minimal Architect app with the two handlers the comparison needs: `GET /health` (no AWS
 * call, like our /v1/health) and `GET /item` (one GetItem with the same SDK v3 client, from this
 * project's node_modules, on Architect's own dynalite table: like our /v1/jobs/{id}/{city}).
 */
function writeApp(dir: string): void {
  const sdk = JSON.stringify(join(PROJECT_ROOT, "node_modules", "@aws-sdk", "client-dynamodb"));
  const files: Record<string, string> = {
    "app.arc": "@app\nbenchapp\n\n@http\nget /health\nget /item\n\n@tables\njobs\n  id *String\n  city **String\n",
    "sandbox-seed.json": JSON.stringify({ jobs: [{ id: "job-1", city: "Paris", title: "Engineer" }] }),
    "src/http/get-health/index.js":
      'exports.handler = async () => ({ statusCode: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ status: "ok" }) });\n',
    "src/http/get-item/index.js": [
      `const { DynamoDBClient, GetItemCommand } = require(${sdk});`,
      "const { ports } = JSON.parse(process.env.ARC_SANDBOX);",
      'const client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${ports.tables}`, region: "us-west-2", credentials: { accessKeyId: "arc", secretAccessKey: "arc" } });',
      "exports.handler = async () => {",
      '  const { Item } = await client.send(new GetItemCommand({ TableName: "benchapp-staging-jobs", Key: { id: { S: "job-1" }, city: { S: "Paris" } } }));',
      '  return { statusCode: Item ? 200 : 404, headers: { "content-type": "application/json" }, body: JSON.stringify(Item ?? null) };',
      "};",
      "",
    ].join("\n"),
  };
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

async function time(count: number, url: string): Promise<Latency> {
  const get = async () => {
    const response = await fetch(url);
    if (response.status !== 200)
      throw new Error(`Architect: GET ${url} answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
    await response.arrayBuffer();
  };
  for (let i = 0; i < Math.min(3, count); i++) await get();
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await get();
    samples.push(performance.now() - started);
  }
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), samples: samples.length };
}

/**
 * Architect's sandbox (the last release for Node 20), installed by the bench into its temporary
 * folder, never into the project. Start time is from spawning its CLI to its first 200.
 */
export async function architect(work: string, requests: number): Promise<ArchitectResult> {
  const dir = join(work, "architect");
  mkdirSync(dir, { recursive: true });
  progress(`architect: npm install --prefix <tmp> @architect/sandbox@${VERSION}`);
  try {
    await promisify(execFile)("npm", ["install", "--prefix", dir, `@architect/sandbox@${VERSION}`, "--no-audit", "--no-fund", "--silent"], {
      timeout: 240_000,
      env: { ...process.env, NO_UPDATE_NOTIFIER: "1" },
    });
  } catch (error) {
    return {
      measured: false,
      reason: `npm install @architect/sandbox@${VERSION} failed: ${String((error as Error).message).split("\n")[0]}`,
    };
  }
  const app = join(dir, "app");
  writeApp(app);
  const [http, events, tables, internal] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const log = join(dir, "sandbox.log");
  const fd = openSync(log, "w");
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [join(dir, "node_modules", "@architect", "sandbox", "src", "cli", "cli.js"), "--port", String(http), "--host", "127.0.0.1"],
    {
      cwd: app,
      detached: true,
      stdio: ["ignore", fd, fd],
      env: {
        ...process.env,
        NO_UPDATE_NOTIFIER: "1",
        ARC_EVENTS_PORT: String(events),
        ARC_TABLES_PORT: String(tables),
        ARC_INTERNAL_PORT: String(internal),
      },
    },
  );
  closeSync(fd);
  detachedGroups.add(child.pid!);
  const exited = new Promise((resolve) =>
    child.once("exit", () => {
      detachedGroups.delete(child.pid!);
      resolve(undefined);
    }),
  );
  try {
    const origin = `http://127.0.0.1:${http}`;
    let firstAnswerMs = 0;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && child.exitCode === null) {
      if (
        await fetch(`${origin}/health`).then(
          (response) => response.ok,
          () => false,
        )
      ) {
        firstAnswerMs = performance.now() - started;
        break;
      }
      await sleep(5);
    }
    if (!firstAnswerMs) return { measured: false, reason: `Architect's sandbox did not answer: ${readFileSync(log, "utf8").slice(-300)}` };
    progress(`architect: first answer ${firstAnswerMs.toFixed(0)} ms after start; ${requests} requests per route`);
    return {
      measured: true,
      firstAnswerMs,
      health: await time(requests, `${origin}/health`),
      getItem: await time(requests, `${origin}/item`),
    };
  } finally {
    if (child.exitCode === null) {
      process.kill(-child.pid!, "SIGTERM");
      await Promise.race([exited, sleep(5_000)]);
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, "SIGKILL");
    }
  }
}
