import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { EnvValues } from "../runtime/env";
import { authorizerEnv } from "../runtime/authorizer/env";
import { jobApiEnv } from "../runtime/job-api/env";
import { ROUTES } from "../runtime/job-api/routes";
import { BundledFunction } from "./bundled-function";
import { gatewayRoutes } from "./gateway-routes";
import { allow } from "./iam";
import { DEFAULT_CORS_ALLOW_ORIGINS, INTEGER_SETTINGS as LIMITS, isCorsOrigin } from "./setting-rules";
import { integerCheck, validate } from "./validate";

export interface JobApiArgs {
  /** The jobs table the API reads and writes. */
  readonly table: {
    readonly name: pulumi.Input<string>;
    readonly arn: pulumi.Input<string>;
    readonly cityIndexName: string;
  };
  /**
   * Bearer token that writes (POST, PUT, DELETE) need: a Pulumi secret. Only one-way digests of it
   * reach the functions' configuration.
   */
  readonly apiToken: pulumi.Input<string>;
  /** Stage name, the last segment of the invoke URL. Default `dev`. */
  readonly stageName?: string;
  /** Timeout (s) of the API functions; must stay below API Gateway's 30 s: `INTEGER_SETTINGS.apiTimeout`. */
  readonly timeout?: number;
  /** Steady-state requests per second of the stage: `INTEGER_SETTINGS.apiThrottleRate`. */
  readonly throttleRate?: number;
  /** Request burst of the stage: `INTEGER_SETTINGS.apiThrottleBurst`. */
  readonly throttleBurst?: number;
  /** Memory (MB) of the functions: `INTEGER_SETTINGS.memorySize`. */
  readonly memorySize?: number;
  /** Retention of the functions' and the access logs: `INTEGER_SETTINGS.logRetentionDays`. */
  readonly logRetentionDays?: number;
  /**
   * Origins whose pages may call the API (CORS): `*` or full origins such as `https://jobs.example.com`.
   * Default `DEFAULT_CORS_ALLOW_ORIGINS` (`*`): writes need a bearer token, which browsers never attach on their own.
   */
  readonly corsAllowOrigins?: string[];
}

/** How long API Gateway may reuse an authorizer's answer for the same Authorization header. */
const AUTHORIZER_CACHE_SECONDS = 300;
/** How long a browser may reuse a preflight's answer. */
const CORS_MAX_AGE_SECONDS = 300;

/**
 * Access logs go under `/aws/vendedlogs/`: for any other name API Gateway appends the log group to
 * the account's CloudWatch Logs resource policy, which is capped at 5,120 characters, so after a
 * few stacks per account every `pulumi up` would fail.
 */
const ACCESS_LOG_GROUP_PREFIX = "/aws/vendedlogs/apigateway/";

/** One JSON object per request, with HTTP APIs' own variables (they have no `resourcePath`). */
const ACCESS_LOG_FORMAT = JSON.stringify({
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

/** A one-way digest of the token: what the authorizer compares against. */
export function tokenDigest(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** The cursor-signing key: derived from the token, so it needs no extra secret and leaks nothing of it. */
export function cursorSigningKey(token: string): string {
  return createHash("sha256").update(`job-offers/cursor-signing-key/${token}`, "utf8").digest("hex");
}

/**
 * The jobs HTTP API: API Gateway v2 (HTTP), one stage with access logs and throttling, the job-api
 * function behind a Lambda proxy integration (payload 2.0), and a Lambda authorizer on writes.
 */
export class JobApi extends pulumi.ComponentResource {
  readonly api: aws.apigatewayv2.Api;
  readonly stage: aws.apigatewayv2.Stage;
  readonly handler: BundledFunction;
  readonly authorizer: BundledFunction;
  /** The stage's invoke URL, ending with the stage name. */
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: JobApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("job-offers:api:JobApi", name, {}, opts);
    const settings = normalize(name, args);
    const token = pulumi.secret(args.apiToken);

    const parent = { parent: this };
    this.handler = createHandler(name, settings, args.table, token, parent);
    this.authorizer = createAuthorizer(name, settings, token, parent);
    this.api = createApi(name, settings, parent);
    this.stage = createStage(name, settings, this.api, parent);
    const { integration, authorizer } = connectFunctions(name, settings, this, parent);
    createRoutes(name, settings, this.api, integration, authorizer, parent);

    this.url = this.stage.invokeUrl;
    this.registerOutputs({ url: this.url });
  }
}

type Settings = ReturnType<typeof normalize>;
type Parent = { parent: pulumi.Resource };

function createHandler(
  name: string,
  settings: Settings,
  table: JobApiArgs["table"],
  token: pulumi.Output<string>,
  parent: Parent,
): BundledFunction {
  return new BundledFunction(
    `${name}-handler`,
    {
      entry: "runtime/job-api/index.ts",
      description: "Serves the jobs HTTP API",
      environment: {
        TABLE_NAME: table.name,
        CITY_INDEX_NAME: table.cityIndexName,
        CURSOR_SIGNING_KEY: token.apply(cursorSigningKey),
      } satisfies EnvValues<typeof jobApiEnv, pulumi.Input<string>>,
      timeout: settings.timeout,
      memorySize: settings.memorySize,
      logRetentionDays: settings.logRetentionDays,
      statements: [
        allow(
          "ReadWriteJobs",
          ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:Scan"],
          [table.arn],
        ),
        allow("ListJobsByCity", ["dynamodb:Query"], [pulumi.interpolate`${table.arn}/index/${table.cityIndexName}`]),
      ],
    },
    parent,
  );
}

function createAuthorizer(name: string, settings: Settings, token: pulumi.Output<string>, parent: Parent): BundledFunction {
  return new BundledFunction(
    `${name}-authorizer`,
    {
      entry: "runtime/authorizer/index.ts",
      description: "Checks the bearer token of API writes",
      environment: { API_TOKEN_SHA256: token.apply(tokenDigest) } satisfies EnvValues<typeof authorizerEnv, pulumi.Input<string>>,
      timeout: settings.timeout,
      memorySize: settings.memorySize,
      logRetentionDays: settings.logRetentionDays,
      statements: [],
    },
    parent,
  );
}

function createApi(name: string, settings: Settings, parent: Parent): aws.apigatewayv2.Api {
  return new aws.apigatewayv2.Api(
    `${name}-http`,
    {
      protocolType: "HTTP",
      description: "Jobs API",
      // The gateway answers preflights itself and adds these headers to every CORS response.
      corsConfiguration: {
        allowOrigins: settings.corsAllowOrigins,
        allowMethods: settings.routes.map((route) => route.method),
        allowHeaders: ["authorization", "content-type"],
        exposeHeaders: ["location"],
        maxAge: CORS_MAX_AGE_SECONDS,
      },
    },
    parent,
  );
}

/** The stage, with its access logs and throttling. */
function createStage(name: string, settings: Settings, api: aws.apigatewayv2.Api, parent: Parent): aws.apigatewayv2.Stage {
  const accessLogs = new aws.cloudwatch.LogGroup(
    `${name}-access-logs`,
    { namePrefix: `${ACCESS_LOG_GROUP_PREFIX}${name}-`, retentionInDays: settings.logRetentionDays },
    parent,
  );
  return new aws.apigatewayv2.Stage(
    `${name}-stage`,
    {
      apiId: api.id,
      name: settings.stageName,
      autoDeploy: true,
      accessLogSettings: { destinationArn: accessLogs.arn, format: ACCESS_LOG_FORMAT },
      defaultRouteSettings: { throttlingRateLimit: settings.throttleRate, throttlingBurstLimit: settings.throttleBurst },
    },
    parent,
  );
}

/** The handler's integration and the authorizer, each with the gateway's right to invoke its function. */
function connectFunctions(name: string, settings: Settings, jobApi: Pick<JobApi, "api" | "handler" | "authorizer">, parent: Parent) {
  const { api, handler } = jobApi;
  const integration = new aws.apigatewayv2.Integration(
    `${name}-integration`,
    {
      apiId: api.id,
      integrationType: "AWS_PROXY",
      integrationUri: handler.invokeArn,
      integrationMethod: "POST",
      payloadFormatVersion: "2.0",
      timeoutMilliseconds: (settings.timeout + 1) * 1000,
    },
    parent,
  );
  const authorizer = new aws.apigatewayv2.Authorizer(
    `${name}-bearer`,
    {
      apiId: api.id,
      name: "bearer-token",
      authorizerType: "REQUEST",
      authorizerUri: jobApi.authorizer.invokeArn,
      authorizerPayloadFormatVersion: "2.0",
      enableSimpleResponses: true,
      identitySources: ["$request.header.Authorization"],
      authorizerResultTtlInSeconds: AUTHORIZER_CACHE_SECONDS,
    },
    parent,
  );
  new aws.lambda.Permission(
    `${name}-gateway-invokes-handler`,
    {
      action: "lambda:InvokeFunction",
      function: handler.name,
      principal: "apigateway.amazonaws.com",
      sourceArn: pulumi.interpolate`${api.executionArn}/*/*`,
    },
    parent,
  );
  new aws.lambda.Permission(
    `${name}-gateway-invokes-authorizer`,
    {
      action: "lambda:InvokeFunction",
      function: jobApi.authorizer.name,
      principal: "apigateway.amazonaws.com",
      sourceArn: pulumi.interpolate`${api.executionArn}/authorizers/${authorizer.id}`,
    },
    parent,
  );
  return { integration, authorizer };
}

/** One route per method of the API's route table, behind the authorizer where the table says so. */
function createRoutes(
  name: string,
  settings: Settings,
  api: aws.apigatewayv2.Api,
  integration: aws.apigatewayv2.Integration,
  authorizer: aws.apigatewayv2.Authorizer,
  parent: Parent,
): void {
  const target = pulumi.interpolate`integrations/${integration.id}`;
  for (const route of settings.routes) {
    new aws.apigatewayv2.Route(
      `${name}-${route.method.toLowerCase()}`,
      route.authorized
        ? { apiId: api.id, routeKey: route.routeKey, target, authorizationType: "CUSTOM", authorizerId: authorizer.id }
        : { apiId: api.id, routeKey: route.routeKey, target, authorizationType: "NONE" },
      parent,
    );
  }
}

function normalize(name: string, args: JobApiArgs) {
  const gateway = gatewayRoutes(ROUTES);
  const settings = {
    stageName: args.stageName ?? "dev",
    timeout: args.timeout ?? LIMITS.apiTimeout.default,
    throttleRate: args.throttleRate ?? LIMITS.apiThrottleRate.default,
    throttleBurst: args.throttleBurst ?? LIMITS.apiThrottleBurst.default,
    memorySize: args.memorySize ?? LIMITS.memorySize.default,
    logRetentionDays: args.logRetentionDays ?? LIMITS.logRetentionDays.default,
    corsAllowOrigins: args.corsAllowOrigins ?? [...DEFAULT_CORS_ALLOW_ORIGINS],
    routes: gateway.routes,
  };
  const badOrigins = settings.corsAllowOrigins.filter((origin) => !isCorsOrigin(origin));
  validate(`JobApi '${name}'`, [
    ...gateway.problems.map((problem) => [false, problem] as const),
    [
      badOrigins.length === 0 && settings.corsAllowOrigins.length > 0,
      `corsAllowOrigins ${JSON.stringify(settings.corsAllowOrigins)} must list '*' or origins such as https://jobs.example.com (scheme, host, optional port; no path)`,
    ],
    [/^[A-Za-z0-9_-]{1,128}$/.test(settings.stageName), `stageName '${settings.stageName}' must be letters, digits, '-' or '_'`],
    integerCheck("timeout", settings.timeout, LIMITS.apiTimeout),
    integerCheck("throttleRate", settings.throttleRate, LIMITS.apiThrottleRate),
    integerCheck("throttleBurst", settings.throttleBurst, LIMITS.apiThrottleBurst),
    integerCheck("memorySize", settings.memorySize, LIMITS.memorySize),
    integerCheck("logRetentionDays", settings.logRetentionDays, LIMITS.logRetentionDays),
    [args.table.cityIndexName.length > 0, `table.cityIndexName must name the table's city index`],
  ]);
  return settings;
}
