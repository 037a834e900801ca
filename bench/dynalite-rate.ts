import { join } from "node:path";
import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { cityOf, idOf } from "./csv";
import { credentials, region, startDynamoHarness } from "./dynamo-harness";

const IN_FLIGHT = 16;

/**
 * The ceiling of the sandbox's ingestion: dynalite on disk (as the sandbox runs it) in its own
 * process, taking PutItem with 16 in flight, on a table shaped like the jobs table, items shaped
 * like the CSV's rows.
 */
export async function dynaliteRate(dir: string, items: number): Promise<number> {
  const harness = await startDynamoHarness(join(dir, "dynalite-baseline"));
  const client = new DynamoDBClient({ endpoint: harness.direct, region, credentials });
  try {
    await harness.createJobsTable("baseline");
    let next = 0;
    const put = async () => {
      while (next < items) {
        const n = next++;
        await client.send(
          new PutItemCommand({
            TableName: "baseline",
            Item: {
              id: { S: idOf(n) },
              city: { S: cityOf(n) },
              title: { S: `Engineer ${n % 97}` },
              company: { S: "Globex" },
              contract_type: { S: "full-time" },
              salary_min: { N: "40000" },
              salary_max: { N: "55000" },
              currency: { S: "EUR" },
              remote: { BOOL: true },
              posted_at: { S: "2026-10-01" },
              url: { S: `https://jobs.example.com/${idOf(n)}` },
              description: { S: 'Build, ship and run services; "on call" one week in 4' },
              bench_run: { S: "baseline" },
              _version: { S: "2026-11-22T10:00:00.000Z#0000000002" },
            },
          }),
        );
      }
    };
    // A short warm-up, off the clock, so both sides are measured with JIT-compiled code.
    next = items - Math.min(200, items);
    await Promise.all(Array.from({ length: IN_FLIGHT }, put));
    next = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: IN_FLIGHT }, put));
    return (items * 1000) / (performance.now() - started);
  } finally {
    client.destroy();
    await harness.stop();
  }
}
