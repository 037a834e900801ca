import { writeFileSync, readFileSync, renameSync } from "node:fs";
import { join, relative } from "node:path";
import { readyBanner } from "../../sandbox/cli/banner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { ReceiveMessageCommand, SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { eventually, fixtureProgram, startTestSandbox, type TestSandbox } from "../support/sandbox-harness";
import { brokenHandler } from "../support/broken-handler";
import { watchForChanges, type Watcher } from "../../sandbox/reload/watch";
import { startSandbox } from "../../sandbox/sandbox";
import { memoryReporter } from "../../sandbox/shared/log";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { request as httpRequest } from "node:http";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const json = async (response: Response): Promise<Json> => response.json();

// A small program with every trigger: the sandbox's behaviour, independent of the product's handlers.
describe("the sandbox running a program", () => {
  const program = fixtureProgram("program");
  let local: TestSandbox;
  let watcher: Watcher;
  let apiUrl: string;

  beforeAll(async () => {
    local = await startTestSandbox({ programDir: program.dir, retryDelaysMs: [100, 200], config: { greeting: "bonjour" } });
    watcher = watchForChanges(local.sandbox, local.reporter, { debounceMs: 50 });
    await watcher.idle();
    apiUrl = local.output("apiUrl");
  });
  afterAll(async () => {
    watcher?.close();
    await local?.stop();
    program.remove();
  });

  it("returns the program's outputs with local URLs, and lists what it does not emulate", async () => {
    expect(apiUrl).toBe(`${local.sandbox.apiOrigin}/dev`);
    expect(local.output("failureQueueUrl")).toMatch(new RegExp(`^${local.sandbox.awsEndpoint}/000000000000/failures-[0-9a-f]{7}$`));
    const outputs = JSON.parse(readFileSync(join(local.sandbox.stateDir, "outputs.json"), "utf8"));
    expect(outputs).toMatchObject({
      apiUrl,
      awsEndpoint: local.sandbox.awsEndpoint,
      region: "us-east-1",
      bucketName: local.output("bucketName"),
    });
    // The fixture's stack holds no secret: the sandbox generated none.
    expect(outputs.secrets).toEqual({});
  });

  it("aims an http sample at the route the banner's curl calls when the API's GET routes all take variables", async () => {
    const sample = async (query: string) => {
      const response = await fetch(`${local.sandbox.awsEndpoint}/_sandbox/sample?source=http&function=hello${query}`);
      return {
        note: response.headers.get("x-sandbox-sample-note"),
        event: (await response.json()) as { rawPath: string; routeKey: string },
      };
    };
    const chosen = await sample("");
    expect(chosen.event).toMatchObject({ rawPath: "/dev/example", routeKey: "GET /{proxy+}" });
    expect(decodeURIComponent(chosen.note ?? "")).toBe(
      "no GET route of the API is free of path variables, so the sample calls GET /example (GET /{proxy+} with its variables filled in), which the function may not serve: give the path with --path",
    );
    expect(await sample("&path=/items/1")).toMatchObject({ note: null, event: { rawPath: "/dev/items/1", routeKey: "GET /items/{id}" } });
    // A method no route takes: the sample says there is nothing to call.
    expect(decodeURIComponent((await sample("&method=DELETE")).note ?? "")).toBe(
      "no DELETE route of the API takes a path without variables, so the sample calls DELETE / (no route matches it): give the path with --path",
    );
  });

  it("says on ready where table data persists: the state directory in use, wherever it is", () => {
    const banner = readyBanner(local.sandbox, 1000);
    const [dynamodb, sqs, s3] = ["dynamodb", "sqs", "s3"].map((dir) => relative(process.cwd(), join(local.sandbox.stateDir, dir)));
    expect(banner).toContain(
      `\nTable data persists in ${dynamodb}; queued messages and objects (in ${sqs} and ${s3} while it runs) are gone after a stop.\n`,
    );
    expect(banner).not.toContain(".sandbox/dynamodb");
  });

  it("refuses a second sandbox on the same state, and a port in use, naming what to change", async () => {
    const reporter = memoryReporter();
    await expect(
      startSandbox({ programDir: program.dir, stateDir: local.sandbox.stateDir, port: 0, awsPort: 0, reporter }),
    ).rejects.toThrow(/another sandbox \(pid \d+\) is running/);
    const otherState = mkdtempSync(join(tmpdir(), "sandbox-state-"));
    try {
      const busyPort = Number(new URL(apiUrl).port);
      await expect(startSandbox({ programDir: program.dir, stateDir: otherState, port: busyPort, awsPort: 0, reporter })).rejects.toThrow(
        `port ${busyPort} is already in use: stop what holds it, or start with --port <port>`,
      );
    } finally {
      rmSync(otherState, { recursive: true, force: true });
    }
  });

  it("answers the API only by its loopback name, and trusts the API's pages on the AWS endpoint", async () => {
    const get = (url: string, headers: Record<string, string>) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        // node:http rather than fetch: fetch does not let a caller choose the Host header.
        const call = httpRequest(url, { headers }, (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        });
        call.on("error", reject);
        call.end();
      });
    const port = new URL(apiUrl).port;
    expect(await get(`${apiUrl}/items/1`, { host: `rebound.example:${port}` })).toEqual({
      status: 403,
      body: JSON.stringify({
        message: `the sandbox answers requests addressed to 127.0.0.1:${port}, [::1]:${port} or localhost:${port} only, not 'rebound.example:${port}'`,
      }),
    });
    expect((await get(`${apiUrl}/items/1`, { host: `localhost:${port}`, origin: "https://any-frontend.example" })).status).toBe(200);
    const fromApiPage = await get(`${local.sandbox.awsEndpoint}/_sandbox/resources`, { origin: local.sandbox.apiOrigin });
    expect(fromApiPage.status).toBe(200);
  });

  it("routes as API Gateway does and hands the function a payload 2.0 event", async () => {
    const response = await fetch(`${apiUrl}/items/42?tag=a&tag=b&q=x%20y`, { headers: { cookie: "c1=v1; c2=v2", "x-custom": "yes" } });
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual(["session=abc; Path=/", "theme=dark"]);
    const { version, greeting, event } = await json(response);
    expect(version).toBe("v1");
    expect(greeting).toBe("bonjour");
    expect(event).toMatchObject({
      version: "2.0",
      routeKey: "GET /items/{id}",
      rawPath: "/dev/items/42",
      rawQueryString: "tag=a&tag=b&q=x%20y",
      cookies: ["c1=v1", "c2=v2"],
      queryStringParameters: { tag: "a,b", q: "x y" },
      pathParameters: { id: "42" },
      isBase64Encoded: false,
      requestContext: { stage: "dev", routeKey: "GET /items/{id}", http: { method: "GET", path: "/dev/items/42", protocol: "HTTP/1.1" } },
    });
    expect(event.headers["x-custom"]).toBe("yes");
    expect(event.headers.cookie).toBeUndefined();
    const greedy = await json(await fetch(`${apiUrl}/items/42/more`));
    expect(greedy.event).toMatchObject({ routeKey: "GET /{proxy+}", pathParameters: { proxy: "items/42/more" } });
  });

  it("runs the route's authorizer first: 401 without the identity, 403 when refused, the context when allowed", async () => {
    const missing = await fetch(`${apiUrl}/items`, { method: "POST", body: "{}" });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ message: "Unauthorized" });
    const refused = await fetch(`${apiUrl}/items`, { method: "POST", body: "{}", headers: { authorization: "Bearer nope" } });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ message: "Forbidden" });
    const allowed = await fetch(`${apiUrl}/items`, {
      method: "POST",
      body: "{}",
      headers: { authorization: "Bearer letmein", "content-type": "application/json" },
    });
    expect(allowed.status).toBe(200);
    const { event } = await json(allowed);
    expect(event).toMatchObject({ routeKey: "ANY /{proxy+}", body: "{}", requestContext: { authorizer: { lambda: { user: "tester" } } } });
  });

  it("sends an S3 event to an always-failing function three times, then to its on-failure destination", async () => {
    const bucket = local.output("bucketName");
    await local.s3.send(new PutObjectCommand({ Bucket: bucket, Key: "in/ignored.csv", Body: "suffix does not match" }));
    await local.s3.send(new PutObjectCommand({ Bucket: bucket, Key: "in/a file+1.txt", Body: "hello" }));
    const { Messages } = await eventually(
      async () => {
        const received = await local.sqs.send(new ReceiveMessageCommand({ QueueUrl: local.output("failureQueueUrl"), WaitTimeSeconds: 1 }));
        return received.Messages?.length ? received : undefined;
      },
      15_000,
      "the failure destination record",
    );
    const record = JSON.parse(Messages![0].Body!);
    expect(record).toMatchObject({
      version: "1.0",
      requestContext: { condition: "RetriesExhausted", approximateInvokeCount: 3 },
      responseContext: { functionError: "Unhandled" },
      responsePayload: { errorType: "Error", errorMessage: "this function always fails" },
    });
    expect(record.requestPayload.Records[0]).toMatchObject({
      eventSource: "aws:s3",
      eventName: "ObjectCreated:Put",
      s3: { bucket: { name: bucket }, object: { key: "in/a+file%2B1.txt", size: 5, eTag: "5d41402abc4b2a76b9719d911017c592" } },
    });
    const attempts = local.reporter.invocations.filter((invocation) => invocation.trigger.source === "s3");
    expect(attempts).toHaveLength(3);
    expect(attempts.every((attempt) => !attempt.result.ok)).toBe(true);
    // Given up after its retries: counted as CloudWatch counts it, once, for the alarms to see.
    const dimensions = {
      FunctionName: [...local.sandbox.wiring.functions.values()].find((fn) => fn.spec.logicalName === "always-fails")!.name,
    };
    const sum = (metricName: string) =>
      local.sandbox.cloudwatch.metrics.statistic({ namespace: "AWS/Lambda", metricName, dimensions }, "Sum", 0, Date.now() + 1);
    expect(await eventually(() => sum("AsyncEventsDropped"), 5_000, "AsyncEventsDropped")).toBe(1);
    expect(sum("Errors")).toBe(3);
  });

  it("serves a console of this program: resources by service, alarms it cannot evaluate named, and only to its own pages", async () => {
    const call = (path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        // node:http rather than fetch: fetch does not let a caller choose Host or Origin.
        const sent = httpRequest(
          `${local.sandbox.awsEndpoint}${path}`,
          { method: options.method ?? "GET", headers: options.headers ?? {} },
          (response) => {
            const chunks: Buffer[] = [];
            response.on("data", (chunk: Buffer) => chunks.push(chunk));
            response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
          },
        );
        sent.on("error", reject);
        sent.end(options.body);
      });
    const port = new URL(local.sandbox.awsEndpoint).port;
    expect(local.sandbox.outputs.consoleUrl).toBe(`${local.sandbox.awsEndpoint}/_console/`);
    expect(readyBanner(local.sandbox, 1000)).toContain(`\n  Console       ${local.sandbox.awsEndpoint}/_console/  (loopback only)\n`);

    const page = await call("/_console/");
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script src="app.js"></script>');
    const script = await call("/_console/app.js");
    expect(script.status).toBe(200);
    // Bundled: no import of anything, no address elsewhere (the SVG namespace is a name, not a fetch).
    expect(script.body).not.toMatch(/\bimport\b|https?:\/\/(?!www\.w3\.org\/2000\/svg")/);

    const { services } = JSON.parse((await call("/_console/api/resources")).body) as {
      services: Array<{ service: string; resources: Array<{ logicalName: string; localName: string; coverage: string }> }>;
    };
    const of = (service: string) => services.find((entry) => entry.service === service)?.resources ?? [];
    expect(of("dynamodb")).toEqual([
      { type: "table", logicalName: "seen", localName: local.output("seenTableName"), coverage: "emulated" },
    ]);
    expect(of("s3").map((resource) => [resource.logicalName, resource.coverage])).toEqual([
      ["uploads", "emulated"],
      ["uploads-block", "not emulated (no effect locally)"],
      ["uploads-notification", "emulated"],
    ]);
    // An alarm on every function's errors (no FunctionName) has no figures here: listed, not evaluated.
    const alarms = JSON.parse((await call("/_console/api/alarms")).body);
    expect(alarms.evaluated).toEqual([]);
    expect(alarms.notEvaluated).toEqual([
      {
        name: expect.stringMatching(/^errors-[0-9a-f]{7}$/),
        logicalName: "errors",
        reason: "the sandbox measures AWS/Lambda Errors per FunctionName only (dimensions: none)",
      },
    ]);
    expect(readyBanner(local.sandbox, 1000)).toMatch(
      /\nAlarms: 0 evaluated locally, periods divided by 60 as retries are \(60 s -> 1 s\); 1 not evaluated\n {2}not evaluated {2}errors-[0-9a-f]{7}: the sandbox measures/,
    );

    // DNS rebinding: a page of another site whose name resolves to 127.0.0.1.
    const rebound = await call("/_console/api/queues", { headers: { host: `rebound.example:${port}` } });
    expect(rebound).toEqual({
      status: 403,
      body: JSON.stringify({
        __type: "AccessDeniedException",
        message: `the sandbox answers requests addressed to 127.0.0.1:${port}, [::1]:${port} or localhost:${port} only, not 'rebound.example:${port}'`,
      }),
    });
    // A page of another site posting (no preflight for a simple request) changes nothing.
    const bucket = local.output("bucketName");
    const upload = (headers: Record<string, string>) =>
      call(`/_console/api/buckets/${bucket}/object?key=${encodeURIComponent("notes/from-console.txt")}`, {
        method: "PUT",
        headers,
        body: "hello",
      });
    expect(await upload({ origin: "https://evil.example", "content-type": "text/plain" })).toEqual({
      status: 403,
      body: JSON.stringify({
        __type: "AccessDeniedException",
        message: "the sandbox's AWS endpoint refuses requests from pages of other origins ('https://evil.example')",
      }),
    });
    expect((await upload({ "sec-fetch-site": "cross-site", "content-type": "text/plain" })).status).toBe(403);
    expect((await call(`/_console/api/buckets/${bucket}/objects?prefix=notes/`)).body).toBe(
      JSON.stringify({ objects: [], nextCursor: null }),
    );
    // The console's own page, by either loopback name.
    expect(await upload({ origin: `http://localhost:${port}`, host: `localhost:${port}`, "content-type": "text/plain" })).toEqual({
      status: 200,
      body: JSON.stringify({ key: "notes/from-console.txt", size: 5 }),
    });
    const listed = JSON.parse((await call(`/_console/api/buckets/${bucket}/objects?prefix=notes/`)).body);
    expect(listed.objects.map((object: { key: string; size: number }) => [object.key, object.size])).toEqual([
      ["notes/from-console.txt", 5],
    ]);
    expect(await call(`/_console/api/buckets/${bucket}/object`, { method: "DELETE" })).toEqual({
      status: 405,
      body: JSON.stringify({ message: "DELETE is not allowed on /_console/api/buckets/" + bucket + "/object (GET, PUT is)" }),
    });
    expect((await call("/_console/api/tables/nope/items")).body).toBe(
      JSON.stringify({ message: "the program declares no table named 'nope'" }),
    );
  });

  it("queues an Invoke with InvocationType Event as Lambda does: 202, retried, then to the on-failure destination", async () => {
    const response = await fetch(`${local.sandbox.awsEndpoint}/2015-03-31/functions/always-fails/invocations`, {
      method: "POST",
      headers: { "x-amz-invocation-type": "Event" },
      body: JSON.stringify({ continueWith: "part 2" }),
    });
    expect(response.status).toBe(202);
    const record = await eventually(
      async () => {
        const received = await local.sqs.send(new ReceiveMessageCommand({ QueueUrl: local.output("failureQueueUrl"), WaitTimeSeconds: 1 }));
        const body = received.Messages?.map((message) => JSON.parse(message.Body!)).find(
          (candidate) => candidate.requestPayload?.continueWith,
        );
        return body;
      },
      15_000,
      "the failure destination record of the Event invocation",
    );
    expect(record).toMatchObject({
      requestContext: { condition: "RetriesExhausted", approximateInvokeCount: 3 },
      requestPayload: { continueWith: "part 2" },
    });
    const attempts = local.reporter.invocations.filter(
      (invocation) => invocation.trigger.source === "invoke" && invocation.trigger.detail.startsWith("(Event)"),
    );
    expect(attempts.map((attempt) => attempt.trigger.detail)).toEqual(["(Event)", "(Event) (retry 1)", "(Event) (retry 2)"]);
  });

  it("hot-reloads a changed handler without a restart", async () => {
    const before = await json(await fetch(`${apiUrl}/items/1`));
    expect(before.version).toBe("v1");
    const handler = join(program.dir, "runtime", "hello.ts");
    writeFileSync(handler, readFileSync(handler, "utf8").replace('version: "v1"', 'version: "v2"'));
    await eventually(async () => (await json(await fetch(`${apiUrl}/items/1`))).version === "v2", 15_000, "the new code");
    await watcher.idle();
    expect((await json(await fetch(`${apiUrl}/items/1`))).version).toBe("v2");
  });

  it("keeps hot-reloading a handler that editors save by replacing the file (rename over it), save after save", async () => {
    const handler = join(program.dir, "runtime", "hello.ts");
    // Atomic saves, `sed -i`, `git checkout` and `git stash` write a new file and rename it over the old one.
    for (const version of ["v3", "v4"]) {
      const text = readFileSync(handler, "utf8").replace(/version: "v\d+"/, `version: "${version}"`);
      const temporary = `${handler}.${version}.tmp`;
      writeFileSync(temporary, text);
      renameSync(temporary, handler);
      await eventually(
        async () => (await json(await fetch(`${apiUrl}/items/1`))).version === version,
        15_000,
        `the code saved as ${version}`,
      );
    }
    // And a plain write after the replacements is still seen.
    writeFileSync(handler, readFileSync(handler, "utf8").replace('version: "v4"', 'version: "v5"'));
    await eventually(
      async () => (await json(await fetch(`${apiUrl}/items/1`))).version === "v5",
      15_000,
      "the code written in place as v5",
    );
    await watcher.idle();
  }, 60_000);

  it("prints esbuild's messages with file, line and column when a saved handler does not build, and keeps the running code", async () => {
    const handler = join(program.dir, "runtime", "hello.ts");
    const good = readFileSync(handler, "utf8");
    const before = local.reporter.lines.length;
    const { broken, message } = brokenHandler(good);
    writeFileSync(handler, broken);
    const said = await eventually(
      () => local.reporter.lines.slice(before).find((line) => line.includes("does not build")),
      15_000,
      "the build error",
    );
    await watcher.idle();
    expect(said).toBe(`! hot reload: the bundle does not build, keeping the running code:\n${message}`);
    expect((await fetch(`${apiUrl}/items/1`)).status).toBe(200);
    writeFileSync(handler, good);
    await eventually(async () => (await fetch(`${apiUrl}/items/1`)).status === 200 || undefined, 15_000, "the fixed code");
    await watcher.idle();
  });

  it("loses no message when a consumer is swapped while batches are in flight", async () => {
    const QueueUrl = local.output("workQueueUrl");
    const send = (from: number, count: number) =>
      Promise.all(
        Array.from({ length: count / 10 }, (_, batch) =>
          local.sqs.send(
            new SendMessageBatchCommand({
              QueueUrl,
              Entries: Array.from({ length: 10 }, (_, index) => ({ Id: String(index), MessageBody: `m-${from + batch * 10 + index}` })),
            }),
          ),
        ),
      );
    const versions = async () => {
      const { Items } = await local.dynamo.send(new ScanCommand({ TableName: local.output("seenTableName") }));
      return new Map((Items ?? []).map((item) => [item.id.S!, item.version.S!]));
    };
    await send(0, 60);
    const consumer = join(program.dir, "runtime", "consumer.ts");
    writeFileSync(consumer, readFileSync(consumer, "utf8").replace('version: { S: "v1" }', 'version: { S: "v2" }'));
    await eventually(async () => (await versions()).size === 60 || undefined, 15_000, "every message consumed");
    await watcher.idle();
    await send(60, 10);
    const seen = await eventually(
      async () => {
        const current = await versions();
        return current.size === 70 ? current : undefined;
      },
      15_000,
      "the messages sent after the swap",
    );
    expect(seen.get("m-65")).toBe("v2");
  });

  it("redeploys when the program changes: a new route answers without a restart, a new output is written and said", async () => {
    const index = join(program.dir, "index.ts");
    const before = local.reporter.lines.length;
    writeFileSync(
      index,
      `${readFileSync(index, "utf8").replace('routeKey: "GET /items/{id}"', 'routeKey: "GET /things/{id}"')}\nexport const added = "new";\n`,
    );
    const routed = await eventually(
      async () => {
        const { event } = await json(await fetch(`${apiUrl}/things/5`));
        return event.routeKey === "GET /things/{id}" ? event : undefined;
      },
      20_000,
      "the new route",
    );
    expect(routed.pathParameters).toEqual({ id: "5" });
    await watcher.idle();
    expect(local.reporter.lines.slice(before).filter((line) => line.startsWith("redeployed"))).toEqual([
      expect.stringMatching(/^redeployed in \d+ ms: triggers rewired, outputs updated$/),
    ]);
    expect(JSON.parse(readFileSync(join(local.sandbox.stateDir, "outputs.json"), "utf8")).added).toBe("new");
  });
});
