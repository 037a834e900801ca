import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { eventually, fixtureSandbox } from "../support/sandbox-harness";

/**
 * A program in the serialized-callback style (`bucket.onObjectCreated`, `queue.onEvent`,
 * `aws.lambda.CallbackFunction`), run as `pulumi up` runs it: compiled to CommonJS, its
 * `beforeExit` handlers run (they declare the bucket's notification), each callback's archive
 * (the serialized closure and the packages Pulumi packs beside it) run as Lambda would run it.
 */
describe("a program of serialized callbacks", () => {
  const fixture = fixtureSandbox("callbacks");

  const mark = async (key: string) => {
    try {
      const object = await fixture.local.s3.send(new GetObjectCommand({ Bucket: fixture.local.output("bucketName"), Key: key }));
      return await object.Body!.transformToString();
    } catch {
      return undefined;
    }
  };

  it("runs a CallbackFunction whose closure captured a default import of a CommonJS package", async () => {
    const response = await fetch(
      `${fixture.local.sandbox.awsEndpoint}/2015-03-31/functions/${fixture.local.output("greeterName")}/invocations`,
      {
        method: "POST",
        body: JSON.stringify({ name: "Ada", waitedMs: 120_000 }),
      },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("x-amz-function-error")).toBeNull();
    expect(await response.json()).toEqual({ message: "hello Ada, you waited 2 minutes" });
  });

  it("invokes bucket.onObjectCreated's callback for a matching upload: the notification declared in beforeExit is wired", async () => {
    await fixture.local.s3.send(new PutObjectCommand({ Bucket: fixture.local.output("bucketName"), Key: "incoming/a b.txt", Body: "x" }));
    expect(await eventually(() => mark("seen/incoming/a b.txt"), 15_000, "the callback's mark")).toBe("ObjectCreated:Put");
    await fixture.local.s3.send(new PutObjectCommand({ Bucket: fixture.local.output("bucketName"), Key: "elsewhere/b.txt", Body: "x" }));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await mark("seen/elsewhere/b.txt")).toBeUndefined();
  });

  it("invokes bucket.onObjectRemoved's callback, declared on the same bucket, for a deletion", async () => {
    await fixture.local.s3.send(new PutObjectCommand({ Bucket: fixture.local.output("bucketName"), Key: "incoming/gone.txt", Body: "x" }));
    await eventually(() => mark("seen/incoming/gone.txt"), 15_000, "the creation's mark");
    await fixture.local.s3.send(new DeleteObjectCommand({ Bucket: fixture.local.output("bucketName"), Key: "incoming/gone.txt" }));
    expect(await eventually(() => mark("removed/incoming/gone.txt"), 15_000, "the removal's mark")).toBe("ObjectRemoved:Delete");
  });

  it("runs queue.onEvent's callback on each message, with the AWS SDK that Lambda's runtime provides", async () => {
    const sent = await fixture.local.sqs.send(new SendMessageCommand({ QueueUrl: fixture.local.output("queueUrl"), MessageBody: "job-1" }));
    expect(await eventually(() => mark("work/job-1"), 15_000, "the queue callback's mark")).toBe(sent.MessageId);
  });
});
