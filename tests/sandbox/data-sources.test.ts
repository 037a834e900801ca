import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { beforeAll, describe, expect, it } from "vitest";
import { sandboxMocks } from "../../sandbox/program/mocks";
import type { Provisioner } from "../../sandbox/program/provision";

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
