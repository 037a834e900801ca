import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxMocks } from "../../sandbox/program/mocks";
import type { Provisioner } from "../../sandbox/program/provision";
import { startSandbox } from "../../sandbox/sandbox";
import { memoryReporter } from "../../sandbox/shared/log";
import { fixtureProgram } from "../support/sandbox-harness";

/** A program's data source calls (`aws.getCallerIdentity()`, `aws.iam.getPolicyDocument(...)`) under the sandbox's mocks. */
describe("data sources under the sandbox's mocks", () => {
  beforeAll(async () => {
    const provisioner = { create: async () => ({}) } as unknown as Provisioner;
    const { mocks } = sandboxMocks({ stack: "sandbox", apiOrigin: "http://127.0.0.1:3000", provisioner });
    await pulumi.runtime.setMocks(mocks, "data-sources", "sandbox", false);
  });

  it("answers the caller's identity with the sandbox's account", async () => {
    await expect(aws.getCallerIdentity()).resolves.toMatchObject({ accountId: "000000000000" });
  });

  it("fails a data source it cannot answer with its message, which reaches the program", async () => {
    await expect(
      aws.iam.getPolicyDocument({
        statements: [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["lambda.amazonaws.com"] }] }],
      }),
    ).rejects.toThrow(
      /^the sandbox cannot answer aws:iam\/getPolicyDocument:getPolicyDocument\(.*\): it knows getCallerIdentity, getRegion and getPartition$/,
    );
  });
});

describe("a program that reads another stack's outputs", () => {
  const program = fixtureProgram("stack-reference");
  const stateDir = mkdtempSync(join(tmpdir(), "sandbox-state-"));
  afterAll(() => {
    program.remove();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("does not start, saying the sandbox cannot read the stack, rather than fail later on an undefined output", async () => {
    await expect(
      startSandbox({ programDir: program.dir, stateDir, port: 0, awsPort: 0, reporter: memoryReporter(), redeploys: false }),
    ).rejects.toThrow(
      "the sandbox cannot read the outputs of stack acme/infra/prod (new pulumi.StackReference): it runs this program alone, without a Pulumi backend",
    );
  });
});
