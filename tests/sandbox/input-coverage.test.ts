import { describe, expect, it } from "vitest";
import { unhonouredInputs } from "../../sandbox/services/coverage";
import type { RecordedResource } from "../../sandbox/model/recorded";

const resource = (type: string, name: string, inputs: Record<string, unknown>): RecordedResource => ({
  type,
  name,
  id: name,
  inputs,
  state: inputs,
  custom: true,
});

describe("inputs the sandbox does not honour", () => {
  it("are named with what they mean locally; honoured, unset and AWS-only inputs are not", () => {
    const lines = unhonouredInputs([
      resource("aws:lambda/function:Function", "worker", {
        name: "worker-1234567",
        handler: "index.handler",
        runtime: "nodejs22.x",
        role: "arn:aws:iam::000000000000:role/worker",
        layers: ["arn:aws:lambda:us-east-1:000000000000:layer:deps:1"],
        architectures: ["arm64"],
        vpcConfig: {},
        tags: { team: "jobs" },
        someNewInput: 3,
      }),
      resource("aws:lambda/eventSourceMapping:EventSourceMapping", "feed", {
        batchSize: 10,
        filterCriteria: { filters: [{ pattern: "{}" }] },
      }),
      resource("aws:iam/role:Role", "role", { inlinePolicies: [{}] }),
    ]);
    expect(lines).toEqual([
      "lambda/function worker: layers is not honoured: layers are not added: code that needs a layer's files fails locally",
      "lambda/function worker: architectures is not honoured: runs on this machine's processor, whatever the architecture",
      "lambda/function worker: someNewInput is not honoured: the sandbox ignores it",
      "lambda/eventSourceMapping feed: filterCriteria is not honoured: every message or stream record is delivered",
    ]);
  });

  it("are named by @pulumi/aws 6's BucketV2 as by Bucket, under BucketV2's own plural names", () => {
    const lines = unhonouredInputs([
      resource("aws:s3/bucketV2:BucketV2", "uploads", {
        bucket: "uploads-1234567",
        forceDestroy: true,
        serverSideEncryptionConfigurations: [{}],
        versionings: [{ enabled: true }],
        websites: [{ indexDocument: "index.html" }],
      }),
    ]);
    expect(lines).toEqual([
      "s3/bucketV2 uploads: versionings is not honoured: objects are not versioned locally",
      "s3/bucketV2 uploads: websites is not honoured: no static website locally",
    ]);
  });
});
