import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { FaultPlan } from "../../sandbox/faults/plan";
import { eventually, repoRoot, startTestSandbox, type TestSandbox } from "../support/sandbox-harness";
import { csvFile, jobRows, queueQuiet, readJson, runReconcile, upload } from "./support";

/**
 * sqs-to-dynamo crashing on a throttled table: nothing lost, nothing twice. A timeout of 1 s for
 * sqs-to-dynamo (`consumerTimeout` in the stack config) makes the queue's visibility timeout 6 s, so a failed batch comes
 * back, and a batch that fails 4 times reaches the DLQ, within the test's time. A batch whose
 * throttled retries outlast that second fails too: one more way to the DLQ, which reconcile
 * accounts for the same way.
 */
describe("sqs-to-dynamo crashing on a throttled table", () => {
  // Enough batches (50) that both faults hit many times, few enough to finish while the suite's
  // other sandboxes share the machine.
  const rows = 500;
  let local: TestSandbox;

  beforeAll(async () => {
    local = await startTestSandbox({
      programDir: repoRoot,
      config: { consumerTimeout: "1" },
      faults: new FaultPlan("ingest-sqs-to-dynamo:error=0.3; dynamodb:throttle=0.2", 7),
    });
  });
  afterAll(async () => {
    await local?.stop();
  });

  it("error=0.3 and dynamodb:throttle=0.2 on 500 rows: every row stored at its version or dead-lettered, none twice", async () => {
    const file = csvFile("crashing.csv", jobRows("crashing", rows));
    await upload(local, "job_offers/crashing.csv", file.body);
    await eventually(() => readJson(local, "reports/crashing.json"), 30_000, "the report");
    await queueQuiet(local, local.output("queueUrl"), 110_000);
    const [errors, throttles] = local.sandbox.faults.stats();
    expect(errors.hits).toBeGreaterThan(0);
    expect(throttles.hits).toBeGreaterThan(0);
    local.sandbox.faults.replace("");

    const reconciled = await runReconcile(local, file.path);
    expect(reconciled.code, reconciled.stdout).toBe(0);
    const count = (label: string) => Number(new RegExp(`${label} +(\\d+)`).exec(reconciled.stdout)?.[1]);
    // Keys are distinct in this file, so each row is in exactly one place: the table or the DLQ.
    expect(count("stored at their version") + count("in the dead-letter queue")).toBe(rows);
    expect(count("superseded by a newer write")).toBe(0);
    // And the table holds nothing of this file beyond those rows.
    let items = 0;
    let ExclusiveStartKey: Record<string, never> | undefined;
    do {
      const page = await local.dynamo.send(
        new ScanCommand({
          TableName: local.output("tableName"),
          Select: "COUNT",
          FilterExpression: "begins_with(id, :p)",
          ExpressionAttributeValues: { ":p": { S: "crashing-" } },
          ExclusiveStartKey,
        }),
      );
      items += page.Count ?? 0;
      ExclusiveStartKey = page.LastEvaluatedKey as typeof ExclusiveStartKey;
    } while (ExclusiveStartKey);
    expect(items).toBe(count("stored at their version"));
  }, 150_000);
});
