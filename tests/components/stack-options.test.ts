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
      {
        name: "byCity",
        keySchemas: [
          { attributeName: "city", keyType: "HASH" },
          { attributeName: "id", keyType: "RANGE" },
        ],
        projectionType: "ALL",
        readCapacity: 5,
        writeCapacity: 7,
      },
    ]);
  });

  it("derives the queue's visibility timeout from sqs-to-dynamo's timeout and batching window", async () => {
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

  it("refuses an sqs-to-dynamo timeout Lambda would reject, naming the key", async () => {
    const run = await runProgram({ stack: "alice", config: personalStackConfig({ "job-offers:consumerTimeout": "901" }) });
    expect(run.resources).toEqual([]);
    expect(run.error?.message).toBe(
      "stack 'alice' cannot be deployed:\n" +
        '  - job-offers:consumerTimeout is "901"; it must be an integer from 1 to 900 seconds: pulumi config set job-offers:consumerTimeout 30',
    );
  });
  it("keeps aws:profile out of the provider (and so out of state), saying to use AWS_PROFILE", async () => {
    const warnings: string[] = [];
    const spy = vi.spyOn(console, "warn").mockImplementation((message: string) => void warnings.push(message));
    const run = await runProgram({ stack: "alice", config: personalStackConfig({ "aws:profile": "alice-sso" }) });
    spy.mockRestore();
    expect(run.error).toBeUndefined();
    const provider = run.one("pulumi:providers:aws").inputs;
    expect(provider.profile).toBeUndefined();
    expect(JSON.stringify(provider)).not.toContain("alice-sso");
    expect(warnings).toContain(
      "warning: [runtime] aws:profile 'alice-sso' is not used: a profile in the provider would be stored in the stack's state and " +
        "bind every later update and destroy to it. Choose credentials outside the stack: export AWS_PROFILE=alice-sso " +
        "(and pulumi config rm aws:profile)",
    );
  });

  it("allows the configured origins to call the API from a browser", async () => {
    const origins = ["https://jobs.example.com", "http://localhost:5173"];
    const run = await runProgram({
      stack: "alice",
      config: personalStackConfig({ "job-offers:corsAllowOrigins": JSON.stringify(origins) }),
    });
    expect(run.error).toBeUndefined();
    expect(run.one("aws:apigatewayv2/api:Api").inputs.corsConfiguration).toMatchObject({ allowOrigins: origins });
  });

  it("refuses a CORS origin with a path, naming the key and the fix", async () => {
    const run = await runProgram({
      stack: "alice",
      config: personalStackConfig({ "job-offers:corsAllowOrigins": JSON.stringify(["https://jobs.example.com/app"]) }),
    });
    expect(run.resources).toEqual([]);
    expect(run.error?.message).toBe(
      "stack 'alice' cannot be deployed:\n" +
        '  - job-offers:corsAllowOrigins is ["https://jobs.example.com/app"]; list "*" or origins such as https://jobs.example.com ' +
        "(scheme, host, optional port; no path): pulumi config set --path 'job-offers:corsAllowOrigins[0]' https://jobs.example.com",
    );
  });
});
