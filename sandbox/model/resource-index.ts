import type { Deployment, RecordedResource } from "./recorded";

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

/**
 * Other types that declare the same AWS resource: @pulumi/aws 6's `BucketV2` (the bucket its docs
 * recommend; still in 7, deprecated for `Bucket`) is an S3 bucket as `Bucket` is.
 */
const sameResourceAs: Partial<Record<string, readonly string[]>> = { [types.bucket]: ["aws:s3/bucketV2:BucketV2"] };

/** The type and every other type that declares the same resource. */
export function typesOfResource(type: string): readonly string[] {
  return [type, ...(sameResourceAs[type] ?? [])];
}

export const isBucketType = (type: string): boolean => typesOfResource(types.bucket).includes(type);

/** Lookups over what the program declared: the sandbox never restates any of it. */
export class ResourceIndex {
  constructor(readonly deployment: Deployment) {}

  all(type: string): RecordedResource[] {
    const declaring = typesOfResource(type);
    return this.deployment.resources.filter((resource) => declaring.includes(resource.type));
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

/** Queue URL on the sandbox endpoint for a queue ARN. */
export function queueUrlOfArn(arn: string, awsEndpoint: string): string {
  const [, , , , account, name] = arn.split(":");
  return `${awsEndpoint}/${account}/${name}`;
}
