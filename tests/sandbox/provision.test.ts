import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { startLocalAws, type LocalAws } from "../../sandbox/endpoint";
import { Provisioner } from "../../sandbox/program/provision";
import { sandboxCredentials as credentials, sandboxRegion as region } from "../../sandbox/shared/constants";

/** What the program's queues become in the sandbox's SQS, on a first deployment and on the ones after it. */
describe("provisioning a queue", () => {
  let aws: LocalAws;
  let stateDir: string;
  let provisioner: Provisioner;
  let sqs: SQSClient;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), "sandbox-provision-"));
    aws = await startLocalAws({ port: 0, stateDir });
    provisioner = new Provisioner(aws.origin);
    sqs = new SQSClient({ endpoint: aws.origin, region, credentials });
  });
  afterAll(async () => {
    provisioner?.destroy();
    sqs?.destroy();
    await aws?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const visibilityOf = async (url: string) =>
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["VisibilityTimeout"] }))).Attributes?.VisibilityTimeout;

  it("creates it, answers the same URL when nothing changed, and applies changed attributes to the same queue", async () => {
    const url = await provisioner.queue("jobs-1", { visibilityTimeoutSeconds: 30 });
    expect(url).toMatch(/\/000000000000\/jobs-1$/);
    expect(await provisioner.queue("jobs-1", { visibilityTimeoutSeconds: 30 })).toBe(url);
    expect(await visibilityOf(url)).toBe("30");
    expect(await provisioner.queue("jobs-1", { visibilityTimeoutSeconds: 60 })).toBe(url);
    expect(await visibilityOf(url)).toBe("60");
  });
});
