import { QueryCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { cityOf, idOf, CITY_COUNT } from "./csv";
import { CITY_INDEX_NAME } from "../components/jobs-table-args";
import { getJson, sandboxClients } from "./sandbox-clients";
import { percentile } from "./stats";

export interface Latency {
  p50: number;
  p99: number;
  samples: number;
}

function summarize(samples: number[]): Latency {
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), samples: samples.length };
}

/** Sequential calls, after a few off the clock (connections, the worker's first invocation, JIT). */
async function time(count: number, call: (i: number) => Promise<unknown>): Promise<Latency> {
  for (let i = 0; i < Math.min(10, count); i++) await call(i);
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await call(i);
    samples.push(performance.now() - started);
  }
  return summarize(samples);
}

export interface ApiLatencies {
  list: Latency;
  listByCity: Latency;
  health: Latency;
  getOne: Latency;
  /** The same reads sent straight to the sandbox's DynamoDB: what the API adds is the difference. */
  directScan: Latency;
  directQuery: Latency;
}

/**
 * Goal 4 through a running sandbox whose table holds the bench's items: the two listings, the
 * health route (no AWS call) and a GetItem route, for the comparison with Architect.
 */
export async function apiLatencies(outputs: Record<string, string>, count: number, items: number): Promise<ApiLatencies> {
  const api = outputs.apiUrl;
  const clients = sandboxClients(outputs);
  try {
    // 26: the handler asks for one more item than the page's 25 to know whether another page exists.
    const directScan = await time(count, () => clients.dynamo.send(new ScanCommand({ TableName: outputs.tableName, Limit: 26 })));
    const directQuery = await time(count, (i) =>
      clients.dynamo.send(
        new QueryCommand({
          TableName: outputs.tableName,
          IndexName: CITY_INDEX_NAME,
          Limit: 26,
          KeyConditionExpression: "city = :city",
          ExpressionAttributeValues: { ":city": { S: cityOf(i % CITY_COUNT) } },
        }),
      ),
    );
    const list = await time(count, () => getJson(`${api}/v1/jobs`));
    const listByCity = await time(count, (i) => getJson(`${api}/v1/jobs?city=${encodeURIComponent(cityOf(i % CITY_COUNT))}`));
    const health = await time(count, () => getJson(`${api}/v1/health`));
    const getOne = await time(count, (i) => {
      const n = (i * 7919) % items;
      return getJson(`${api}/v1/jobs/${idOf(n)}/${encodeURIComponent(cityOf(n))}`);
    });
    return { list, listByCity, health, getOne, directScan, directQuery };
  } finally {
    clients.destroy();
  }
}
