import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { readyBanner } from "../../sandbox/cli/banner";
import { memoryReporter } from "../../sandbox/shared/log";
import { watchForChanges } from "../../sandbox/reload/watch";
import { eventually, fixtureSandbox } from "../support/sandbox-harness";

/**
 * Programs written as Pulumi's examples are: resources handed to other resources themselves
 * (`role: lambdaRole`, `function: lambda`), a component that a provider plugin builds, a
 * function's code from a folder (`FileArchive("./app")`), @pulumi/aws 6's `BucketV2`.
 */
describe("a program written as Pulumi's examples are", () => {
  const fixture = fixtureSandbox("pulumi-example-idioms");
  const recorded = (name: string) => fixture.local.sandbox.wiring.index.deployment.resources.find((resource) => resource.name === name);

  it("deploys, giving each input that is a resource the resource's ID, as the provider receives it", async () => {
    expect(recorded("lambdaRoleAttachment")?.inputs.role).toBe(recorded("lambdaRole")?.id);
    expect(recorded("lambdaPermission")?.inputs.function).toBe(recorded("lambdaFunction")?.id);
    const response = await fetch(`${fixture.local.output("endpoint")}/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("Hello, Pulumi!");
  });

  it("names another provider's resource by its type, and the plugin's component with what it leaves out, as not emulated", () => {
    const banner = readyBanner(fixture.local.sandbox, 0);
    const notEmulated = banner.split("\nNot emulated (declared by the program, ignored here)\n")[1]?.split("\n\n")[0];
    expect(notEmulated).toBe(
      "  command:local:Command\n" +
        "  aws-apigateway:index:RestAPI hello-world: a component that a provider plugin builds at deploy time; the sandbox runs no plugin, so none of its resources (functions, routes, APIs) exist here",
    );
  });

  it("suggests a curl of the API's $default route, which takes any path", () => {
    const tryIt = readyBanner(fixture.local.sandbox, 0).split("\nTry it\n")[1].split("\n");
    expect(tryIt).toContain(`  curl ${fixture.local.output("endpoint")}/  ($default: the function routes any path)`);
  });

  it("creates a BucketV2 (@pulumi/aws 6's bucket) as a bucket, and runs its notification's function on an upload", async () => {
    await fixture.local.s3.send(new PutObjectCommand({ Bucket: fixture.local.output("uploadsBucket"), Key: "in/a.txt", Body: "hi" }));
    const line = await eventually(
      () => fixture.local.reporter.lines.find((text) => text.includes("onUpload <- s3")),
      10_000,
      "the upload's invocation",
    );
    expect(line).toBe("onUpload <- s3 ObjectCreated:Put in/a.txt (2 bytes) ok");
  });

  it("names a FIFO queue as Pulumi autonames it, with the .fifo suffix AWS requires, and serves it", async () => {
    const QueueUrl = fixture.local.output("ordersUrl");
    expect(QueueUrl).toMatch(/\/orders-[0-9a-f]{7}\.fifo$/);
    await fixture.local.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "first", MessageGroupId: "customer-1" }));
    const received = await fixture.local.sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    expect(received.Messages?.map((message) => message.Body)).toEqual(["first"]);
  });

  it("runs a function whose code is a FileArchive of a folder", async () => {
    const response = await fetch(
      `${fixture.local.sandbox.awsEndpoint}/2015-03-31/functions/${fixture.local.output("directFolderName")}/invocations`,
      {
        method: "POST",
        body: "{}",
      },
    );
    expect(await response.json()).toEqual({ statusCode: 200, body: "Hello, Pulumi!" });
  });

  it("swaps in a function's FileArchive folder when a file in it is saved, as the next pulumi up would upload it", async () => {
    const reporter = memoryReporter();
    const watcher = watchForChanges(fixture.local.sandbox, reporter, { debounceMs: 50 });
    try {
      await watcher.idle();
      expect(await (await fetch(`${fixture.local.output("endpoint")}/`)).text()).toBe("Hello, Pulumi!");
      const file = join(fixture.dir, "app", "index.js");
      writeFileSync(file, readFileSync(file, "utf8").replace("Hello, Pulumi!", "Hello, edited!"));
      await eventually(
        async () => ((await (await fetch(`${fixture.local.output("endpoint")}/`)).text()) === "Hello, edited!" ? true : undefined),
        15_000,
        "the edited folder's answer",
      );
      await watcher.idle();
      // Both functions whose code is the folder take the saved file.
      expect(reporter.lines).toEqual([
        expect.stringMatching(/^hot reload: (lambdaFunction, directFolder|directFolder, lambdaFunction) swapped in \d+ ms$/),
      ]);
    } finally {
      watcher.close();
    }
  });

  it("keeps hot-reloading after the folder was gone for a moment, saying what it kept", async () => {
    const reporter = memoryReporter();
    const watcher = watchForChanges(fixture.local.sandbox, reporter, { debounceMs: 50 });
    const folder = join(fixture.dir, "app");
    try {
      await watcher.idle();
      // What a build that empties its output first, or a checkout, does to the folder.
      renameSync(folder, `${folder}-away`);
      await eventually(
        () => (reporter.lines.some((line) => line.includes("keeps its running code")) ? true : undefined),
        15_000,
        "the warning",
      );
      renameSync(`${folder}-away`, folder);
      const file = join(folder, "index.js");
      writeFileSync(file, readFileSync(file, "utf8").replace(/Hello, [a-z]+!/i, "Hello, again!"));
      await eventually(
        async () => ((await (await fetch(`${fixture.local.output("endpoint")}/`)).text()) === "Hello, again!" ? true : undefined),
        15_000,
        "the answer after the folder came back",
      );
      expect(reporter.lines.filter((line) => line.startsWith("! hot reload:"))[0]).toMatch(
        /^! hot reload: (lambdaFunction|directFolder) keeps its running code: ENOENT/,
      );
    } finally {
      watcher.close();
      if (existsSync(`${folder}-away`)) renameSync(`${folder}-away`, folder);
    }
  });
});
