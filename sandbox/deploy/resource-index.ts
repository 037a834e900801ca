import type { Deployment, RecordedResource } from "./recorded";
import { codeHashOf, type FunctionSpec } from "../lambda/function-spec";


export const types = {
  table: "aws:dynamodb/table:Table",
  bucket: "aws:s3/bucket:Bucket",
  queue: "aws:sqs/queue:Queue",
  function: "aws:lambda/function:Function",
  eventInvokeConfig: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
  eventSourceMapping: "aws:lambda/eventSourceMapping:EventSourceMapping",
  bucketNotification: "aws:s3/bucketNotification:BucketNotification",
  api: "aws:apigatewayv2/api:Api",
  stage: "aws:apigatewayv2/stage:Stage",
  route: "aws:apigatewayv2/route:Route",
  integration: "aws:apigatewayv2/integration:Integration",
  authorizer: "aws:apigatewayv2/authorizer:Authorizer",
} as const;

/** Lookups over what the program declared: the sandbox never restates any of it. */
export class ResourceIndex {
  constructor(readonly deployment: Deployment) {}

  all(type: string): RecordedResource[] {
    return this.deployment.resources.filter((resource) => resource.type === type);
  }

  /** A function named by its name, ARN (qualified or not) or API Gateway invoke ARN. */
  functionByRef(ref: unknown): RecordedResource | undefined {
    if (typeof ref !== "string") return undefined;
    const arn = /functions\/(arn:[^/]+)\/invocations$/.exec(ref)?.[1] ?? ref;
    const name = arn.startsWith("arn:") ? arn.split(":")[6] : arn;
    return this.all(types.function).find((fn) => fn.state.name === name);
  }

  queueByArn(arn: unknown): RecordedResource | undefined {
    return this.all(types.queue).find((queue) => queue.state.arn === arn);
  }

  eventInvokeConfigOf(functionName: string): RecordedResource | undefined {
    return this.all(types.eventInvokeConfig).find((config) => this.functionByRef(config.inputs.functionName)?.state.name === functionName);
  }
}

/** The runnable description of a recorded function. */
export function functionSpecOf(resource: RecordedResource): FunctionSpec {
  const inputs = resource.inputs as {
    code?: { files?: Record<string, string>; links?: Record<string, string> };
    handler?: string;
    runtime?: string;
    timeout?: number;
    memorySize?: number;
    reservedConcurrentExecutions?: number;
    environment?: { variables?: Record<string, string> };
    loggingConfig?: { logGroup?: string };
  };
  const files = inputs.code?.files ?? {};
  const links = inputs.code?.links ?? {};
  if (Object.keys(files).length + Object.keys(links).length === 0) {
    throw new Error(`function ${resource.name}: its code is not an archive of files the sandbox can run (use an AssetArchive of StringAssets or FileAssets)`);
  }
  const codeHash = codeHashOf(files, links);
  return {
    name: String(resource.state.name),
    logicalName: resource.name,
    arn: String(resource.state.arn),
    handler: inputs.handler ?? "index.handler",
    runtime: inputs.runtime ?? "nodejs24.x",
    files,
    links,
    codeHash,
    environment: Object.fromEntries(Object.entries(inputs.environment?.variables ?? {}).map(([key, value]) => [key, String(value)])),
    // Lambda's own defaults when a program leaves them out.
    timeoutSeconds: inputs.timeout ?? 3,
    memorySizeMb: inputs.memorySize ?? 128,
    logGroupName: inputs.loggingConfig?.logGroup || undefined,
    reservedConcurrency: inputs.reservedConcurrentExecutions !== undefined && inputs.reservedConcurrentExecutions >= 0 ? inputs.reservedConcurrentExecutions : undefined,
  };
}

/** Queue URL on the sandbox endpoint for a queue ARN. */
export function queueUrlOfArn(arn: string, awsEndpoint: string): string {
  const [, , , , account, name] = arn.split(":");
  return `${awsEndpoint}/${account}/${name}`;
}
