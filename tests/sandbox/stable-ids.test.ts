import type { MockResourceArgs } from "@pulumi/pulumi/runtime";
import { describe, expect, it } from "vitest";
import type { Deployment } from "../../sandbox/model/recorded";
import { sandboxMocks } from "../../sandbox/program/mocks";
import type { Provisioner } from "../../sandbox/program/provision";
import { sameDeployment } from "../../sandbox/program/replay";

/**
 * The ids AWS generates at creation (an event source mapping's UUID, a subscription's ARN) stay
 * in a stack's state from one `pulumi up` to the next; the sandbox derives them the same way on
 * each run, so the run behind a restart confirms the recorded deployment instead of "differing".
 */
describe("ids AWS generates, on two runs of the same program", () => {
  // Mappings and subscriptions are not provisioned: the provisioner answers no computed values.
  const provisioner = { create: async () => ({}) } as unknown as Provisioner;
  const queueArn = "arn:aws:sqs:us-east-1:000000000000:jobs-1234567";
  const topicArn = "arn:aws:sns:us-east-1:000000000000:alarms-1234567";
  const functionArn = "arn:aws:lambda:us-east-1:000000000000:function:consumer-1234567";

  async function run(mappingSource = queueArn): Promise<Deployment> {
    const { mocks, recorded } = sandboxMocks({ stack: "sandbox", apiOrigin: "http://127.0.0.1:3000", provisioner });
    const declare = (type: string, name: string, inputs: Record<string, unknown>) =>
      mocks.newResource({ type, name, inputs, custom: true } as MockResourceArgs);
    await declare("aws:lambda/eventSourceMapping:EventSourceMapping", "jobs-to-consumer", {
      eventSourceArn: mappingSource,
      functionName: functionArn,
      batchSize: 10,
    });
    await declare("aws:sns/topicSubscription:TopicSubscription", "alarms-to-consumer", {
      topic: topicArn,
      protocol: "lambda",
      endpoint: functionArn,
    });
    return { project: "p", stack: "sandbox", resources: recorded, outputs: {}, notes: [], bundles: [], programFiles: [] };
  }

  it("are the same on each run, so a confirming run matches the record", async () => {
    const [first, second] = [await run(), await run()];
    expect(sameDeployment(first, second)).toBe(true);
    const [mapping, subscription] = first.resources;
    expect(mapping.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(mapping.state).toMatchObject({
      uuid: mapping.id,
      arn: `arn:aws:lambda:us-east-1:000000000000:event-source-mapping:${mapping.id}`,
    });
    expect(subscription.id).toMatch(new RegExp(`^${topicArn}:[0-9a-f]{8}-`));
    expect(subscription.state.arn).toBe(subscription.id);
  });

  it("change when what a replacement changes does (another source queue), as AWS gives a new one", async () => {
    const [before, after] = [await run(), await run("arn:aws:sqs:us-east-1:000000000000:other-7654321")];
    expect(after.resources[0].id).not.toBe(before.resources[0].id);
    expect(after.resources[1].id).toBe(before.resources[1].id);
  });
});
