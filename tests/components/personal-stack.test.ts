import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { bundleHandler } from "../../components/bundle";
import { ACCOUNT, personalStackConfig, ProgramRun, REGION, runProgram, settled } from "../support/pulumi-program";

/**
 * `pulumi preview` of a personal stack, under mocks: stack `alice` with only the config a personal
 * stack needs (region, account pin, owner, the API token secret). Every resource and property a
 * user relies on, exactly.
 */

const TOKEN = personalStackConfig()["job-offers:apiToken"];

/** How a secret input reaches the mocks: wrapped in Pulumi's secret signature. */
const SECRET_SIGNATURE = { key: "4dabf18193072939515e22adb298388d", value: "1b47061264138c4ac30d75fd1eb44270" };
const isSecret = (value: unknown) =>
  typeof value === "object" && value !== null && (value as Record<string, unknown>)[SECRET_SIGNATURE.key] === SECRET_SIGNATURE.value;
const unwrapSecret = (value: unknown) => (isSecret(value) ? (value as { value: unknown }).value : value);
let run: ProgramRun;

beforeAll(async () => {
  run = await runProgram({ stack: "alice", config: personalStackConfig() });
  if (run.error) throw run.error;
});

const arnOfQueue = (name: string) => run.one("aws:sqs/queue:Queue", name).state.arn as string;
const fn = (name: string) => run.one("aws:lambda/function:Function", name);

describe("a personal stack", () => {
  it("declares exactly these resources", () => {
    const counts: Record<string, number> = {};
    for (const resource of run.resources) counts[resource.type] = (counts[resource.type] ?? 0) + 1;
    expect(counts).toEqual({
      "pulumi:providers:aws": 1,
      "job-offers:data:JobsTable": 1,
      "aws:dynamodb/table:Table": 1,
      "job-offers:ingest:IngestPipeline": 1,
      "job-offers:storage:PrivateBucket": 1,
      "aws:s3/bucket:Bucket": 1,
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 1,
      "aws:s3/bucketOwnershipControls:BucketOwnershipControls": 1,
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 1,
      "aws:s3/bucketPolicy:BucketPolicy": 1,
      "aws:s3/bucketNotification:BucketNotification": 1,
      "aws:sqs/queue:Queue": 3,
      "job-offers:lambda:BundledFunction": 4,
      "aws:lambda/function:Function": 4,
      "aws:iam/role:Role": 4,
      "aws:iam/rolePolicy:RolePolicy": 5,
      "aws:cloudwatch/logGroup:LogGroup": 5,
      "aws:lambda/permission:Permission": 3,
      "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": 1,
      "aws:lambda/functionRecursionConfig:FunctionRecursionConfig": 1,
      "aws:lambda/eventSourceMapping:EventSourceMapping": 1,
      "job-offers:api:JobApi": 1,
      "aws:apigatewayv2/api:Api": 1,
      "aws:apigatewayv2/stage:Stage": 1,
      "aws:apigatewayv2/integration:Integration": 1,
      "aws:apigatewayv2/authorizer:Authorizer": 1,
      "aws:apigatewayv2/route:Route": 5,
      "job-offers:ops:PipelineAlarms": 1,
      "aws:sns/topic:Topic": 1,
      "aws:cloudwatch/metricAlarm:MetricAlarm": 12,
    });
    expect(run.calls).toEqual(["aws:index/getCallerIdentity:getCallerIdentity"]);
  });

  it("names every child from its component and parents it there", () => {
    for (const resource of run.resources) {
      if (resource.type.startsWith("pulumi:providers:")) continue;
      const parent = resource.options.parent;
      if (resource.type.startsWith("job-offers:") && ["jobs", "ingest", "api", "alarms"].includes(resource.name)) {
        expect(parent, resource.name).toBeUndefined();
        continue;
      }
      expect(parent, `${resource.type} ${resource.name}`).toBeDefined();
      expect(resource.name.startsWith(parent as string), `${resource.name} under ${parent}`).toBe(true);
    }
  });

  it("pins region and account, and tags every resource with project, stack and owner", () => {
    const provider = run.one("pulumi:providers:aws");
    expect(provider.inputs.region).toBe(REGION);
    expect(JSON.parse(provider.inputs.allowedAccountIds as string)).toEqual([ACCOUNT]);
    expect(JSON.parse(provider.inputs.defaultTags as string)).toEqual({
      tags: { project: "job-offers", stack: "alice", owner: "alice" },
    });
  });

  it("creates the jobs table keyed by id and city, with the byCity index, on demand, destroyable", () => {
    const table = run.one("aws:dynamodb/table:Table", "jobs");
    expect(table.inputs).toMatchObject({
      billingMode: "PAY_PER_REQUEST",
      hashKey: "id",
      rangeKey: "city",
      attributes: [
        { name: "id", type: "S" },
        { name: "city", type: "S" },
      ],
      globalSecondaryIndexes: [
        {
          name: "byCity",
          keySchemas: [
            { attributeName: "city", keyType: "HASH" },
            { attributeName: "id", keyType: "RANGE" },
          ],
          projectionType: "ALL",
        },
      ],
      pointInTimeRecovery: { enabled: false },
      deletionProtectionEnabled: false,
    });
    expect(table.inputs.readCapacity).toBeUndefined();
    expect(table.options).toMatchObject({ protect: false, retainOnDelete: false });
  });

  it("keeps the upload bucket private, encrypted, TLS-only, and emptied on destroy", () => {
    const bucket = run.one("aws:s3/bucket:Bucket");
    expect(bucket.inputs.forceDestroy).toBe(true);
    expect(bucket.options).toMatchObject({ protect: false, retainOnDelete: false });
    expect(run.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).toEqual({
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(run.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs.rule).toEqual({
      objectOwnership: "BucketOwnerEnforced",
    });
    expect(run.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules).toEqual([
      { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
    ]);
    const policy = run.one("aws:s3/bucketPolicy:BucketPolicy");
    expect(JSON.parse(policy.inputs.policy as string)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [bucket.state.arn, `${bucket.state.arn}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ],
    });
    expect(policy.options.dependsOn).toEqual(["ingest-uploads-public-access-block"]);
  });

  it("queues rows with a dead-letter queue after 4 receives and a visibility of 6 x the sqs-to-dynamo timeout", () => {
    const fourteenDays = 1_209_600;
    const sevenDays = 604_800;
    const queue = run.one("aws:sqs/queue:Queue", "ingest-queue");
    expect(queue.inputs.visibilityTimeoutSeconds).toBe(180);
    // Shorter than the DLQ's: a dead-lettered message keeps its first enqueue time.
    expect(queue.inputs.messageRetentionSeconds).toBe(sevenDays);
    expect(queue.inputs.sqsManagedSseEnabled).toBe(true);
    expect(JSON.parse(queue.inputs.redrivePolicy as string)).toEqual({
      deadLetterTargetArn: arnOfQueue("ingest-dlq"),
      maxReceiveCount: 4,
    });
    expect(run.one("aws:sqs/queue:Queue", "ingest-dlq").inputs).toMatchObject({ messageRetentionSeconds: fourteenDays });
    expect(run.one("aws:sqs/queue:Queue", "ingest-failures").inputs).toMatchObject({ messageRetentionSeconds: fourteenDays });
  });

  it("runs four functions on Node 24, arm64, 512 MB, JSON logs to their own log group", () => {
    const expected: Record<string, { timeout: number; entry: string }> = {
      "ingest-s3-to-sqs": { timeout: 300, entry: "runtime/s3-to-sqs/index.ts" },
      "ingest-sqs-to-dynamo": { timeout: 30, entry: "runtime/sqs-to-dynamo/index.ts" },
      "api-handler": { timeout: 10, entry: "runtime/job-api/index.ts" },
      "api-authorizer": { timeout: 10, entry: "runtime/authorizer/index.ts" },
    };
    expect(
      run
        .all("aws:lambda/function:Function")
        .map((f) => f.name)
        .sort(),
    ).toEqual(Object.keys(expected).sort());
    for (const [name, { timeout }] of Object.entries(expected)) {
      const logGroup = run.one("aws:cloudwatch/logGroup:LogGroup", `${name}-logs`);
      expect(logGroup.inputs).toEqual({ namePrefix: `/aws/lambda/${name}-`, retentionInDays: 14 });
      expect(fn(name).inputs).toMatchObject({
        handler: "index.handler",
        runtime: "nodejs24.x",
        architectures: ["arm64"],
        memorySize: 512,
        timeout,
        role: run.one("aws:iam/role:Role", `${name}-role`).state.arn,
        loggingConfig: { logFormat: "JSON", logGroup: logGroup.state.name, applicationLogLevel: "INFO", systemLogLevel: "WARN" },
      });
      expect(fn(name).options.dependsOn).toEqual([`${name}-policy`]);
    }
  });

  it("deploys each function as its bundled handler, byte-identical from run to run", async () => {
    for (const [name, entry] of [
      ["ingest-s3-to-sqs", "runtime/s3-to-sqs/index.ts"],
      ["ingest-sqs-to-dynamo", "runtime/sqs-to-dynamo/index.ts"],
      ["api-handler", "runtime/job-api/index.ts"],
      ["api-authorizer", "runtime/authorizer/index.ts"],
    ] as const) {
      const assets = await settled<Record<string, { text: unknown }>>((fn(name).inputs.code as { assets: unknown }).assets);
      expect(Object.keys(assets)).toEqual(["index.js", "index.js.map"]);
      expect(await settled<string>(assets["index.js"].text)).toBe(bundleHandler(entry));
      expect((await settled<string>(assets["index.js"].text)).endsWith("\n//# sourceMappingURL=index.js.map\n")).toBe(true);
      // The map names sources relative to the project root: no path of this machine, the same on every machine.
      const map = JSON.parse(await settled<string>(assets["index.js.map"].text)) as { sources: string[]; sourcesContent?: unknown };
      expect(map.sources).toContain(entry);
      expect(map.sources.filter((source) => !/^(runtime|node_modules)\//.test(source))).toEqual([]);
      expect(map.sourcesContent).toBeUndefined();
    }
  });

  it("gives each handler exactly the environment of its contract (and NODE_OPTIONS turning on source maps), secret where derived from the token", () => {
    const table = run.one("aws:dynamodb/table:Table");
    const environment = (name: string) => fn(name).inputs.environment as Record<string, unknown>;
    const variables = (name: string) => (unwrapSecret(environment(name)) as { variables: Record<string, string> }).variables;
    expect(isSecret(environment("api-handler"))).toBe(true);
    expect(isSecret(environment("api-authorizer"))).toBe(true);
    expect(isSecret(environment("ingest-s3-to-sqs"))).toBe(false);
    expect(variables("ingest-s3-to-sqs")).toEqual({
      QUEUE_URL: run.one("aws:sqs/queue:Queue", "ingest-queue").state.url,
      UPLOAD_PREFIX: "job_offers/",
      REPORT_PREFIX: "reports/",
      CHECKPOINT_PREFIX: "checkpoints/",
      MAX_BATCHES_IN_FLIGHT: "4",
      NODE_OPTIONS: "--enable-source-maps",
    });
    expect(variables("ingest-sqs-to-dynamo")).toEqual({ TABLE_NAME: table.state.name, NODE_OPTIONS: "--enable-source-maps" });
    expect(variables("api-handler")).toEqual({
      TABLE_NAME: table.state.name,
      CITY_INDEX_NAME: "byCity",
      CURSOR_SIGNING_KEY: createHash("sha256").update(`job-offers/cursor-signing-key/${TOKEN}`).digest("hex"),
      NODE_OPTIONS: "--enable-source-maps",
    });
    expect(variables("api-authorizer")).toEqual({
      API_TOKEN_SHA256: createHash("sha256").update(TOKEN).digest("hex"),
      NODE_OPTIONS: "--enable-source-maps",
    });
  });

  it("never puts the API token in plaintext into a resource or an output", () => {
    for (const resource of run.resources) {
      expect(JSON.stringify(resource.inputs), `${resource.type} ${resource.name}`).not.toContain(TOKEN);
    }
    expect(JSON.stringify(run.outputs)).not.toContain(TOKEN);
  });

  it("grants each function named actions on named resources only", () => {
    const bucketArn = run.one("aws:s3/bucket:Bucket").state.arn as string;
    const tableArn = run.one("aws:dynamodb/table:Table").state.arn as string;
    const policyOf = (name: string) => {
      const policy = run.one("aws:iam/rolePolicy:RolePolicy", `${name}-policy`);
      expect(policy.inputs.role).toBe(run.one("aws:iam/role:Role", `${name}-role`).id);
      return JSON.parse(policy.inputs.policy as string);
    };
    const logs = (name: string) => ({
      Sid: "WriteOwnLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: [`${run.one("aws:cloudwatch/logGroup:LogGroup", `${name}-logs`).state.arn}:*`],
    });
    expect(policyOf("ingest-s3-to-sqs")).toEqual({
      Version: "2012-10-17",
      Statement: [
        logs("ingest-s3-to-sqs"),
        { Sid: "ReadUploads", Effect: "Allow", Action: ["s3:GetObject"], Resource: [`${bucketArn}/job_offers/*`] },
        { Sid: "WriteReports", Effect: "Allow", Action: ["s3:PutObject"], Resource: [`${bucketArn}/reports/*`] },
        { Sid: "KeepCheckpoints", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: [`${bucketArn}/checkpoints/*`] },
        { Sid: "QueueRows", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [arnOfQueue("ingest-queue")] },
        { Sid: "ReportFailedUploads", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [arnOfQueue("ingest-failures")] },
      ],
    });
    const continues = run.one("aws:iam/rolePolicy:RolePolicy", "ingest-s3-to-sqs-continues");
    expect(continues.inputs.role).toBe(run.one("aws:iam/role:Role", "ingest-s3-to-sqs-role").id);
    expect(JSON.parse(continues.inputs.policy as string)).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Sid: "ContinueLargeFiles", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [fn("ingest-s3-to-sqs").state.arn] },
      ],
    });
    expect(policyOf("ingest-sqs-to-dynamo")).toEqual({
      Version: "2012-10-17",
      Statement: [
        logs("ingest-sqs-to-dynamo"),
        {
          Sid: "ConsumeRows",
          Effect: "Allow",
          Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
          Resource: [arnOfQueue("ingest-queue")],
        },
        { Sid: "WriteJobs", Effect: "Allow", Action: ["dynamodb:PutItem"], Resource: [tableArn] },
      ],
    });
    expect(policyOf("api-handler")).toEqual({
      Version: "2012-10-17",
      Statement: [
        logs("api-handler"),
        {
          Sid: "ReadWriteJobs",
          Effect: "Allow",
          Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:Scan"],
          Resource: [tableArn],
        },
        { Sid: "ListJobsByCity", Effect: "Allow", Action: ["dynamodb:Query"], Resource: [`${tableArn}/index/byCity`] },
      ],
    });
    expect(policyOf("api-authorizer")).toEqual({ Version: "2012-10-17", Statement: [logs("api-authorizer")] });
    for (const role of run.all("aws:iam/role:Role")) {
      expect(JSON.parse(role.inputs.assumeRolePolicy as string)).toEqual({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
      });
    }
  });

  it("triggers s3-to-sqs on CSV uploads under job_offers/, after S3 may invoke it", () => {
    const bucket = run.one("aws:s3/bucket:Bucket");
    const s3ToSqs = fn("ingest-s3-to-sqs");
    const permission = run.one("aws:lambda/permission:Permission", "ingest-s3-invokes-s3-to-sqs");
    expect(permission.inputs).toEqual({
      action: "lambda:InvokeFunction",
      function: s3ToSqs.state.name,
      principal: "s3.amazonaws.com",
      sourceArn: bucket.state.arn,
      sourceAccount: ACCOUNT,
    });
    const notification = run.one("aws:s3/bucketNotification:BucketNotification");
    expect(notification.inputs).toEqual({
      bucket: bucket.id,
      lambdaFunctions: [
        { lambdaFunctionArn: s3ToSqs.state.arn, events: ["s3:ObjectCreated:*"], filterPrefix: "job_offers/", filterSuffix: ".csv" },
      ],
    });
    expect(notification.options.dependsOn).toEqual([
      "ingest-s3-invokes-s3-to-sqs",
      "ingest-s3-to-sqs-continues",
      "ingest-s3-to-sqs-recursion",
    ]);
  });

  it("lets s3-to-sqs invoke itself for a file's later parts, past Lambda's recursive loop detection", () => {
    expect(run.one("aws:lambda/functionRecursionConfig:FunctionRecursionConfig", "ingest-s3-to-sqs-recursion").inputs).toEqual({
      functionName: fn("ingest-s3-to-sqs").state.name,
      recursiveLoop: "Allow",
    });
  });

  it("sends uploads that fail after two retries to the ingest-failures queue", () => {
    expect(run.one("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig").inputs).toEqual({
      functionName: fn("ingest-s3-to-sqs").state.name,
      maximumRetryAttempts: 2,
      destinationConfig: { onFailure: { destination: arnOfQueue("ingest-failures") } },
    });
  });

  it("maps the queue to sqs-to-dynamo with partial batch failures and bounded concurrency", () => {
    expect(run.one("aws:lambda/eventSourceMapping:EventSourceMapping").inputs).toEqual({
      eventSourceArn: arnOfQueue("ingest-queue"),
      functionName: fn("ingest-sqs-to-dynamo").state.arn,
      batchSize: 10,
      maximumBatchingWindowInSeconds: 0,
      functionResponseTypes: ["ReportBatchItemFailures"],
      scalingConfig: { maximumConcurrency: 5 },
    });
  });

  it("serves the HTTP API on stage dev: public reads, authorized writes, access logs, throttling", () => {
    const api = run.one("aws:apigatewayv2/api:Api");
    expect(api.inputs).toMatchObject({ protocolType: "HTTP" });
    const accessLogs = run.one("aws:cloudwatch/logGroup:LogGroup", "api-access-logs");
    // Under /aws/vendedlogs/: any other name grows the account's 5,120-character Logs resource policy.
    expect(accessLogs.inputs).toEqual({ namePrefix: "/aws/vendedlogs/apigateway/api-", retentionInDays: 14 });
    const stage = run.one("aws:apigatewayv2/stage:Stage");
    expect(stage.inputs).toMatchObject({
      apiId: api.id,
      name: "dev",
      autoDeploy: true,
      defaultRouteSettings: { throttlingRateLimit: 50, throttlingBurstLimit: 100 },
    });
    const accessLogSettings = stage.inputs.accessLogSettings as { destinationArn: string; format: string };
    expect(accessLogSettings.destinationArn).toBe(accessLogs.state.arn);
    expect(JSON.parse(accessLogSettings.format)).toEqual({
      requestId: "$context.requestId",
      sourceIp: "$context.identity.sourceIp",
      requestTime: "$context.requestTime",
      protocol: "$context.protocol",
      httpMethod: "$context.httpMethod",
      path: "$context.path",
      routeKey: "$context.routeKey",
      status: "$context.status",
      responseLength: "$context.responseLength",
      authorizerError: "$context.authorizer.error",
      integrationError: "$context.integration.error",
      integrationErrorMessage: "$context.integrationErrorMessage",
    });

    const integration = run.one("aws:apigatewayv2/integration:Integration");
    expect(integration.inputs).toEqual({
      apiId: api.id,
      integrationType: "AWS_PROXY",
      integrationUri: fn("api-handler").state.invokeArn,
      integrationMethod: "POST",
      payloadFormatVersion: "2.0",
      timeoutMilliseconds: 11_000,
    });
    const authorizer = run.one("aws:apigatewayv2/authorizer:Authorizer");
    expect(authorizer.inputs).toEqual({
      apiId: api.id,
      name: "bearer-token",
      authorizerType: "REQUEST",
      authorizerUri: fn("api-authorizer").state.invokeArn,
      authorizerPayloadFormatVersion: "2.0",
      enableSimpleResponses: true,
      identitySources: ["$request.header.Authorization"],
      authorizerResultTtlInSeconds: 300,
    });
    const routes = run.all("aws:apigatewayv2/route:Route").map((route) => route.inputs);
    const target = `integrations/${integration.id}`;
    // One route per method, none ANY: a preflight (OPTIONS) matches no route, so the gateway answers it.
    const authorized = { target, authorizationType: "CUSTOM", authorizerId: authorizer.id };
    expect(routes.sort((left, right) => String(left.routeKey).localeCompare(String(right.routeKey)))).toEqual([
      { apiId: api.id, routeKey: "DELETE /{proxy+}", ...authorized },
      { apiId: api.id, routeKey: "GET /{proxy+}", target, authorizationType: "NONE" },
      { apiId: api.id, routeKey: "HEAD /{proxy+}", target, authorizationType: "NONE" },
      { apiId: api.id, routeKey: "POST /{proxy+}", ...authorized },
      { apiId: api.id, routeKey: "PUT /{proxy+}", ...authorized },
    ]);
    expect(api.inputs.corsConfiguration).toEqual({
      allowOrigins: ["*"],
      allowMethods: ["GET", "POST", "PUT", "DELETE", "HEAD"],
      allowHeaders: ["authorization", "content-type"],
      exposeHeaders: ["location"],
      maxAge: 300,
    });
    expect(run.one("aws:lambda/permission:Permission", "api-gateway-invokes-handler").inputs).toEqual({
      action: "lambda:InvokeFunction",
      function: fn("api-handler").state.name,
      principal: "apigateway.amazonaws.com",
      sourceArn: `${api.state.executionArn}/*/*`,
    });
    expect(run.one("aws:lambda/permission:Permission", "api-gateway-invokes-authorizer").inputs).toEqual({
      action: "lambda:InvokeFunction",
      function: fn("api-authorizer").state.name,
      principal: "apigateway.amazonaws.com",
      sourceArn: `${api.state.executionArn}/authorizers/${authorizer.id}`,
    });
  });

  it("exports the outputs users and the sandbox rely on", () => {
    expect(run.outputs).toEqual({
      apiUrl: `https://api-http-id.execute-api.${REGION}.amazonaws.com/dev`,
      bucketName: run.one("aws:s3/bucket:Bucket").state.bucket,
      uploadPrefix: "job_offers/",
      reportPrefix: "reports/",
      queueUrl: run.one("aws:sqs/queue:Queue", "ingest-queue").state.url,
      deadLetterQueueUrl: run.one("aws:sqs/queue:Queue", "ingest-dlq").state.url,
      ingestFailuresQueueUrl: run.one("aws:sqs/queue:Queue", "ingest-failures").state.url,
      tableName: run.one("aws:dynamodb/table:Table").state.name,
      s3ToSqsFunctionName: fn("ingest-s3-to-sqs").state.name,
      sqsToDynamoFunctionName: fn("ingest-sqs-to-dynamo").state.name,
      apiFunctionName: fn("api-handler").state.name,
      authorizerFunctionName: fn("api-authorizer").state.name,
      alarmTopicArn: run.one("aws:sns/topic:Topic").state.arn,
    });
    expect(String(run.outputs.apiUrl).endsWith("/dev")).toBe(true);
  });
});
