import { describe, expect, it } from "vitest";
import {
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ListAliasesCommand,
  ListFunctionsCommand,
} from "@aws-sdk/client-lambda";
import {
  ApiGatewayV2Client,
  CreateApiCommand,
  GetApiCommand,
  GetApisCommand,
  GetIntegrationsCommand,
  GetRoutesCommand,
  GetStagesCommand,
} from "@aws-sdk/client-apigatewayv2";
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { sandboxCredentials as credentials, sandboxRegion as region } from "../../sandbox/shared/constants";
import { fixtureSandbox } from "../support/sandbox-harness";
import { FunctionLogs } from "../../sandbox/services/cloudwatch/function-logs";
import type { FunctionSpec, InvocationResult } from "../../sandbox/model/function-spec";

/** The error an SDK client raised: its name (the error code) and message, as a developer sees them. */
async function failure(call: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await call;
  } catch (error) {
    const { name, message, $metadata } = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { name, message, status: $metadata?.httpStatusCode };
  }
  throw new Error("the call succeeded");
}

/**
 * The read-only calls a developer looks around with, through the AWS SDK's own clients (so each
 * answer parses in its service's wire format): Lambda and API Gateway v2 (REST-JSON), CloudWatch
 * Logs of the functions' output (JSON 1.1); every other call answers its service's own error shape.
 */
describe("looking around the sandbox with AWS SDK clients", () => {
  const fixture = fixtureSandbox("javascript-quick-api");
  const client = <T>(Client: new (config: object) => T): T =>
    new Client({ endpoint: fixture.local.sandbox.awsEndpoint, region, credentials });
  const helloName = () => [...fixture.local.sandbox.wiring.functions.values()].find((fn) => fn.spec.logicalName === "hello")!.name;

  it("lists and describes the program's functions; other Lambda calls say they are not emulated; DryRun runs nothing", async () => {
    const lambda = client(LambdaClient);
    const name = helloName();
    const { Functions } = await lambda.send(new ListFunctionsCommand({}));
    expect(Functions?.map((fn) => [fn.FunctionName, fn.Runtime, fn.Handler, fn.MemorySize, fn.Timeout, fn.PackageType, fn.State])).toEqual([
      [name, "nodejs22.x", "index.handler", 128, 3, "Zip", "Active"],
    ]);
    expect(Functions?.[0].FunctionArn).toBe(`arn:aws:lambda:us-east-1:000000000000:function:${name}`);
    expect(Functions?.[0].LoggingConfig).toEqual({ LogFormat: "Text", LogGroup: `/aws/lambda/${name}` });
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
    expect(got.Configuration).toEqual(Functions?.[0]);
    expect(got.Code?.Location).toBe(`sandbox://functions/${name}`);
    expect(await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: got.Configuration!.FunctionArn }))).toMatchObject({
      FunctionName: name,
      CodeSize: got.Configuration!.CodeSize,
    });
    expect(await failure(lambda.send(new GetFunctionCommand({ FunctionName: "nope" })))).toEqual({
      name: "ResourceNotFoundException",
      message: "Function not found: nope",
      status: 404,
    });
    expect(await failure(lambda.send(new ListAliasesCommand({ FunctionName: name })))).toEqual({
      name: "NotImplemented",
      message: `the sandbox does not emulate Lambda GET /2015-03-31/functions/${name}/aliases: the endpoint serves Lambda's Invoke (RequestResponse, Event, DryRun), ListFunctions, GetFunction and GetFunctionConfiguration`,
      status: 501,
    });

    const before = fixture.local.reporter.invocations.length;
    const dry = await lambda.send(new InvokeCommand({ FunctionName: name, InvocationType: "DryRun", Payload: Buffer.from("{}") }));
    expect(dry.StatusCode).toBe(204);
    expect(fixture.local.reporter.invocations.length).toBe(before);
    expect((await failure(lambda.send(new InvokeCommand({ FunctionName: "nope", InvocationType: "DryRun" })))).name).toBe(
      "ResourceNotFoundException",
    );
  });

  it("lists the HTTP APIs with their routes, stages and integrations, the quick-create ones API Gateway makes included", async () => {
    const gateway = client(ApiGatewayV2Client);
    const { Items: apis } = await gateway.send(new GetApisCommand({}));
    expect(apis?.map((api) => [api.Name, api.ProtocolType, api.ApiEndpoint]).sort()).toEqual([
      ["events", "HTTP", new URL(fixture.local.output("eventsUrl")).origin],
      ["quick", "HTTP", fixture.local.output("quickUrl")],
    ]);
    const quick = apis!.find((api) => api.Name === "quick")!;
    const events = apis!.find((api) => api.Name === "events")!;
    expect((await gateway.send(new GetApiCommand({ ApiId: quick.ApiId }))).Name).toBe("quick");

    const routes = async (ApiId: string) =>
      (await gateway.send(new GetRoutesCommand({ ApiId }))).Items?.map((route) => [
        route.RouteKey,
        route.Target,
        route.ApiGatewayManaged ?? false,
      ]);
    const integrationId = (await gateway.send(new GetIntegrationsCommand({ ApiId: events.ApiId }))).Items?.map((integration) => [
      integration.IntegrationType,
      integration.IntegrationSubtype,
      integration.IntegrationId,
    ]);
    expect(integrationId).toEqual([["AWS_PROXY", "EventBridge-PutEvents", expect.stringMatching(/^[a-z0-9]{7}$/)]]);
    expect(await routes(events.ApiId!)).toEqual([["POST /events", `integrations/${integrationId![0][2]}`, false]]);
    expect(await routes(quick.ApiId!)).toEqual([["GET /hello", `integrations/${quick.ApiId}-quick-create`, true]]);
    const stages = async (ApiId: string) =>
      (await gateway.send(new GetStagesCommand({ ApiId }))).Items?.map((stage) => [stage.StageName, stage.AutoDeploy]);
    expect(await stages(events.ApiId!)).toEqual([["v1", true]]);
    expect(await stages(quick.ApiId!)).toEqual([["$default", true]]);
    const quickIntegrations = (await gateway.send(new GetIntegrationsCommand({ ApiId: quick.ApiId }))).Items;
    expect(
      quickIntegrations?.map((integration) => [integration.IntegrationType, integration.PayloadFormatVersion, integration.IntegrationUri]),
    ).toEqual([["AWS_PROXY", "2.0", `arn:aws:lambda:us-east-1:000000000000:function:${helloName()}`]]);

    expect(await failure(gateway.send(new GetRoutesCommand({ ApiId: "nope" })))).toEqual({
      name: "NotFoundException",
      message: "Invalid API identifier specified nope",
      status: 404,
    });
    expect(await failure(gateway.send(new CreateApiCommand({ Name: "x", ProtocolType: "HTTP" })))).toMatchObject({
      name: "NotImplemented",
      message: expect.stringMatching(/^the sandbox does not emulate API Gateway POST \/v2\/apis: /),
      status: 501,
    });
  });

  it("serves the functions' output as CloudWatch Logs: a group per function, a stream per cold start, START/END/REPORT around each invocation", async () => {
    const lambda = client(LambdaClient);
    const name = helloName();
    const invoked = await lambda.send(
      new InvokeCommand({
        FunctionName: name,
        Payload: Buffer.from(JSON.stringify({ routeKey: "r", rawPath: "/p", requestContext: { stage: "s" } })),
      }),
    );
    expect(invoked.StatusCode).toBe(200);
    const requestId = fixture.local.reporter.invocations.at(-1)!.result.requestId;

    const logs = client(CloudWatchLogsClient);
    const group = `/aws/lambda/${name}`;
    const { logGroups } = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/aws/lambda/" }));
    expect(logGroups?.map((found) => [found.logGroupName, found.arn])).toEqual([
      [group, `arn:aws:logs:us-east-1:000000000000:log-group:${group}:*`],
    ]);
    const { logStreams } = await logs.send(
      new DescribeLogStreamsCommand({ logGroupName: group, orderBy: "LastEventTime", descending: true }),
    );
    expect(logStreams?.[0].logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);

    const { events } = await logs.send(
      new GetLogEventsCommand({ logGroupName: group, logStreamName: logStreams![0].logStreamName, startFromHead: true }),
    );
    const ofThisCall = events!.map((event) => event.message!).filter((message) => message.includes(requestId));
    expect(ofThisCall.map((message) => message.split(/\s/)[0])).toEqual(["START", "END", "REPORT"]);
    expect(ofThisCall[0]).toBe(`START RequestId: ${requestId} Version: $LATEST`);
    expect(ofThisCall[2]).toMatch(
      new RegExp(`^REPORT RequestId: ${requestId}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB`),
    );

    const filtered = await logs.send(new FilterLogEventsCommand({ logGroupName: group, filterPattern: `REPORT "${requestId}"` }));
    expect(filtered.events?.map((event) => event.message)).toEqual([ofThisCall[2]]);
    expect(
      await failure(logs.send(new FilterLogEventsCommand({ logGroupName: group, filterPattern: '{ $.level = "ERROR" }' }))),
    ).toMatchObject({ name: "InvalidParameterException", status: 400 });
    expect(await failure(logs.send(new GetLogEventsCommand({ logGroupName: "/aws/lambda/nope", logStreamName: "x" })))).toEqual({
      name: "ResourceNotFoundException",
      message: "The specified log group does not exist.",
      status: 400,
    });
    expect(
      await failure(
        logs.send(
          new PutLogEventsCommand({ logGroupName: group, logStreamName: "x", logEvents: [{ timestamp: Date.now(), message: "m" }] }),
        ),
      ),
    ).toEqual({
      name: "NotImplemented",
      message:
        "the sandbox does not emulate CloudWatch Logs PutLogEvents: the endpoint serves CloudWatch Logs' DescribeLogGroups, DescribeLogStreams, GetLogEvents and FilterLogEvents over the functions' output",
      status: 501,
    });
  });

  it("answers a service it does not emulate in that service's own error shape, naming the operation", async () => {
    const cloudwatch = client(CloudWatchClient);
    expect(await failure(cloudwatch.send(new DescribeAlarmsCommand({})))).toEqual({
      name: "NotImplemented",
      message:
        "the sandbox does not emulate monitoring DescribeAlarms: the sandbox's endpoint serves S3, SQS, DynamoDB, SNS, STS GetCallerIdentity, Lambda (Invoke and its read-only calls), and the read-only calls of API Gateway v2 and CloudWatch Logs",
      status: 501,
    });
  });
});

describe("the functions' output as Lambda sends it to CloudWatch Logs", () => {
  const spec = (logging: Partial<FunctionSpec>): FunctionSpec =>
    ({
      name: "fn",
      logicalName: "fn",
      arn: "",
      handler: "index.handler",
      runtime: "nodejs22.x",
      files: {},
      links: {},
      codeHash: "",
      environment: {},
      timeoutSeconds: 3,
      memorySizeMb: 256,
      ...logging,
    }) as FunctionSpec;
  const result: InvocationResult = {
    ok: true,
    value: null,
    requestId: "r-1",
    durationMs: 12.5,
    initMs: 40,
    logs: [
      { level: "debug", text: "details" },
      { level: "log", text: "hello" },
      { level: "error", text: "oops" },
    ],
  };
  const messages = (logs: FunctionLogs, group: string) =>
    [...logs.groups.get(group)!.streams.values()].flatMap((stream) => stream.events.map((event) => event.message));

  it("keeps JSON logs at or above the function's application and system levels, in the group its loggingConfig names", () => {
    const logs = new FunctionLogs();
    logs.append(spec({ logFormat: "JSON", applicationLogLevel: "INFO", systemLogLevel: "WARN", logGroupName: "/custom/group" }), result);
    expect(
      messages(logs, "/custom/group").map((message) => JSON.parse(message) as { level: string; message: string; requestId: string }),
    ).toEqual([
      { timestamp: expect.any(String), level: "INFO", requestId: "r-1", message: "hello" },
      { timestamp: expect.any(String), level: "ERROR", requestId: "r-1", message: "oops" },
    ]);
    logs.append(spec({ name: "other", logFormat: "JSON", applicationLogLevel: "ERROR", systemLogLevel: "INFO" }), result);
    expect(
      messages(logs, "/aws/lambda/other").map(
        (message) => (JSON.parse(message) as { type?: string; level?: string }).type ?? (JSON.parse(message) as { level: string }).level,
      ),
    ).toEqual(["platform.start", "ERROR", "platform.report"]);
  });

  it("writes text logs as the Node.js runtime does, and keeps a bounded number of events per group", () => {
    const logs = new FunctionLogs();
    logs.append(spec({}), result);
    expect(messages(logs, "/aws/lambda/fn").map((message) => message.replace(/^\S+Z\t/, "<time>\t"))).toEqual([
      "START RequestId: r-1 Version: $LATEST",
      "<time>\tr-1\tDEBUG\tdetails",
      "<time>\tr-1\tINFO\thello",
      "<time>\tr-1\tERROR\toops",
      "END RequestId: r-1",
      "REPORT RequestId: r-1\tDuration: 12.50 ms\tBilled Duration: 13 ms\tMemory Size: 256 MB\tInit Duration: 40 ms\t",
    ]);
    for (let i = 0; i < 2_000; i++) logs.append(spec({}), { ...result, initMs: 0 });
    expect(logs.groups.get("/aws/lambda/fn")!.eventCount).toBe(10_000);
    expect(messages(logs, "/aws/lambda/fn")).toHaveLength(10_000);
  });
});
