import { afterEach, describe, expect, it, vi } from "vitest";
import { personalStackConfig, runProgram } from "../support/pulumi-program";

/**
 * Each guard stops the program before any resource exists, with one message that names the key
 * and the command that fixes it. The config reaches the program the way the CLI passes it, both
 * through setAllConfig and through the PULUMI_CONFIG variable.
 */

afterEach(() => {
  vi.resetModules();
});

async function refusal(stack: string, config: Record<string, string>, env: Record<string, string | undefined> = { CI: undefined }) {
  const run = await runProgram({ stack, config, env });
  expect(run.resources, "no resource may be created before the guards pass").toEqual([]);
  expect(run.error).toBeDefined();
  return run.error?.message ?? "";
}

describe("stack guards", () => {
  it("refuses a stack that does not pin its AWS account", async () => {
    const message = await refusal("alice", personalStackConfig({ "aws:allowedAccountIds": undefined }));
    expect(message).toBe(
      "stack 'alice' cannot be deployed:\n" +
        "  - aws:allowedAccountIds is not set, so credentials for any account could deploy this stack; " +
        "pin the AWS account this stack deploys to: pulumi config set --path 'aws:allowedAccountIds[0]' 123456789012",
    );
  });

  it("refuses account ids that are not 12 digits", async () => {
    const message = await refusal("alice", personalStackConfig({ "aws:allowedAccountIds": JSON.stringify(["1234"]) }));
    expect(message).toContain(`aws:allowedAccountIds is ["1234"]; it must list 12-digit account IDs`);
  });

  it("refuses a personal stack without an owner", async () => {
    const message = await refusal("alice", personalStackConfig({ "job-offers:owner": undefined }));
    expect(message).toBe(
      "stack 'alice' cannot be deployed:\n" +
        "  - job-offers:owner is not set; a personal stack names its owner: pulumi config set job-offers:owner <your-name> " +
        "(or create the stack with npm run stack:new)",
    );
  });

  it("refuses a stack without the API token secret, showing the command that sets it", async () => {
    const message = await refusal("alice", personalStackConfig({ "job-offers:apiToken": undefined }));
    expect(message).toBe(
      "stack 'alice' cannot be deployed:\n" +
        "  - job-offers:apiToken is not set; API writes need a bearer token: " +
        'pulumi config set --secret job-offers:apiToken "$(openssl rand -hex 32)"',
    );
  });

  it("refuses the empty token the CLI passes from Pulumi.yaml's default when the stack sets none", async () => {
    const message = await refusal("alice", personalStackConfig({ "job-offers:apiToken": "" }));
    expect(message).toBe(
      "stack 'alice' cannot be deployed:\n" +
        "  - job-offers:apiToken is not set; API writes need a bearer token: " +
        'pulumi config set --secret job-offers:apiToken "$(openssl rand -hex 32)"',
    );
  });

  it("refuses a token stored in plaintext, as the CLI would refuse a key declared secret", async () => {
    const run = await runProgram({ stack: "alice", config: personalStackConfig(), secretKeys: [], env: { CI: undefined } });
    expect(run.resources).toEqual([]);
    expect(run.error?.message).toBe(
      "stack 'alice' cannot be deployed:\n" +
        "  - job-offers:apiToken is stored in plaintext in the stack's config; store it encrypted: " +
        'pulumi config set --secret job-offers:apiToken "$(openssl rand -hex 32)"',
    );
  });

  it.each(["dev", "staging", "prod"])("refuses to deploy the shared stack %s outside CI", async (stack) => {
    const message = await refusal(stack, personalStackConfig({ "job-offers:owner": undefined }));
    expect(message).toBe(
      `stack '${stack}' cannot be deployed:\n` +
        `  - '${stack}' is a shared stack and shared stacks deploy from CI only (the CI environment variable is not set); ` +
        `deploy your own personal stack instead, or allow local deploys of this stack with ` +
        `pulumi config set job-offers:allowLocalDeploy true --stack ${stack}`,
    );
  });

  it("lets a shared stack deploy from CI, or locally when the stack allows it", async () => {
    const fromCi = await runProgram({ stack: "dev", config: personalStackConfig({ "job-offers:owner": undefined }), env: { CI: "true" } });
    expect(fromCi.error).toBeUndefined();
    vi.resetModules();
    const allowed = await runProgram({
      stack: "staging",
      config: personalStackConfig({ "job-offers:owner": undefined, "job-offers:allowLocalDeploy": "true" }),
      env: { CI: undefined },
    });
    expect(allowed.error).toBeUndefined();
  });

  it("treats pr-<n> as a review stack: CI only is not required, no owner needed, fully destroyable", async () => {
    const run = await runProgram({
      stack: "pr-12",
      config: personalStackConfig({ "job-offers:owner": undefined }),
      env: { CI: undefined },
    });
    expect(run.error).toBeUndefined();
    expect(run.one("aws:s3/bucket:Bucket").inputs.forceDestroy).toBe(true);
    expect(run.one("aws:dynamodb/table:Table").options.protect).toBe(false);
    expect(JSON.parse(run.one("pulumi:providers:aws").inputs.defaultTags as string).tags).toEqual({
      project: "job-offers",
      stack: "pr-12",
      owner: "review",
    });
  });

  it("lists every problem of a config in one message", async () => {
    const message = await refusal(
      "alice",
      personalStackConfig({
        "job-offers:owner": undefined,
        "job-offers:apiTimeout": "30",
        "job-offers:consumerBatchSize": "50",
        "job-offers:billingMode": "ON_DEMAND",
        "job-offers:logRetentionDays": "10",
        "job-offers:reportPrefix": "job_offers/reports/",
      }),
    );
    expect(message.split("\n").slice(1)).toEqual([
      "  - job-offers:owner is not set; a personal stack names its owner: pulumi config set job-offers:owner <your-name> (or create the stack with npm run stack:new)",
      "  - job-offers:reportPrefix 'job_offers/reports/' overlaps job-offers:uploadPrefix 'job_offers/'; reports would trigger ingestion: choose prefixes that do not contain each other",
      "  - job-offers:billingMode is 'ON_DEMAND'; it must be PAY_PER_REQUEST or PROVISIONED: pulumi config set job-offers:billingMode PAY_PER_REQUEST",
      '  - job-offers:logRetentionDays is "10"; it must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653: pulumi config set job-offers:logRetentionDays 14',
      "  - job-offers:consumerBatchSize is 50; SQS batches above 10 need a batching window: pulumi config set job-offers:consumerBatchWindow 1",
      '  - job-offers:apiTimeout is "30"; it must be an integer from 1 to 29 seconds (API Gateway gives up on an integration after 30 s): pulumi config set job-offers:apiTimeout 10',
    ]);
  });
});
