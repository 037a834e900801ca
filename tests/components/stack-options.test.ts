import { afterEach, describe, expect, it, vi } from "vitest";
import { personalStackConfig, runProgram } from "../support/pulumi-program";

afterEach(() => {
  vi.resetModules();
});

describe("stack options", () => {
  it("provisions the table and its index with the configured capacity", async () => {
    const run = await runProgram({
      stack: "alice",
      config: personalStackConfig({
        "job-offers:billingMode": "PROVISIONED",
        "job-offers:readCapacity": "5",
        "job-offers:writeCapacity": "7",
      }),
    });
    expect(run.error).toBeUndefined();
    const table = run.one("aws:dynamodb/table:Table").inputs;
    expect(table).toMatchObject({ billingMode: "PROVISIONED", readCapacity: 5, writeCapacity: 7 });
    expect(table.globalSecondaryIndexes).toEqual([
      { name: "byCity", hashKey: "city", rangeKey: "id", projectionType: "ALL", readCapacity: 5, writeCapacity: 7 },
    ]);
  });

  it("derives the queue's visibility timeout from the consumer's timeout and batching window", async () => {
    const run = await runProgram({
      stack: "alice",
      config: personalStackConfig({
        "job-offers:consumerTimeout": "45",
        "job-offers:consumerBatchWindow": "5",
        "job-offers:consumerBatchSize": "100",
        "job-offers:maxReceiveCount": "6",
        "job-offers:consumerMaxConcurrency": "3",
      }),
    });
    expect(run.error).toBeUndefined();
    const queue = run.one("aws:sqs/queue:Queue", "ingest-queue").inputs;
    expect(queue.visibilityTimeoutSeconds).toBe(6 * 45 + 5);
    expect(JSON.parse(queue.redrivePolicy as string).maxReceiveCount).toBe(6);
    expect(run.one("aws:lambda/eventSourceMapping:EventSourceMapping").inputs).toMatchObject({
      batchSize: 100,
      maximumBatchingWindowInSeconds: 5,
      scalingConfig: { maximumConcurrency: 3 },
    });
    expect(run.one("aws:lambda/function:Function", "ingest-sqs-to-dynamo").inputs.timeout).toBe(45);
  });

  it("refuses a consumer timeout Lambda would reject, naming the key", async () => {
    const run = await runProgram({ stack: "alice", config: personalStackConfig({ "job-offers:consumerTimeout": "901" }) });
    expect(run.resources).toEqual([]);
    expect(run.error?.message).toBe(
      "stack 'alice' cannot be deployed:\n" +
        '  - job-offers:consumerTimeout is "901"; it must be an integer from 1 to 900: pulumi config set job-offers:consumerTimeout <value>',
    );
  });
  it("passes the stack's aws:profile on to the explicit provider", async () => {
    const run = await runProgram({ stack: "alice", config: personalStackConfig({ "aws:profile": "alice-sso" }) });
    expect(run.error).toBeUndefined();
    expect(run.one("pulumi:providers:aws").inputs.profile).toBe("alice-sso");
  });
});
