import type { RecordedResource } from "../model/recorded";

/** How the sandbox treats each resource type the program may declare. */
const emulated = new Set([
  "aws:dynamodb/table:Table",
  "aws:s3/bucket:Bucket",
  "aws:sqs/queue:Queue",
  "aws:lambda/function:Function",
  "aws:lambda/eventSourceMapping:EventSourceMapping",
  "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
  "aws:s3/bucketNotification:BucketNotification",
  "aws:apigatewayv2/api:Api",
  "aws:apigatewayv2/stage:Stage",
  "aws:apigatewayv2/route:Route",
  "aws:apigatewayv2/integration:Integration",
  "aws:apigatewayv2/authorizer:Authorizer",
  "aws:sns/topic:Topic",
  "aws:sns/topicSubscription:TopicSubscription",
  "aws:cloudwatch/eventRule:EventRule",
  "aws:cloudwatch/eventTarget:EventTarget",
]);

/** Permissions and logs: recorded so the program's references resolve, never enforced. */
const recordedOnly = new Set([
  "aws:iam/role:Role",
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/policy:Policy",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:lambda/permission:Permission",
  "aws:sqs/queuePolicy:QueuePolicy",
  // Lambda's recursive loop detection is not emulated: the sandbox never stops a chain of invocations.
  "aws:lambda/functionRecursionConfig:FunctionRecursionConfig",
  "aws:cloudwatch/logGroup:LogGroup",
]);

/** Bucket security settings: meaningful in AWS, no effect on a loopback-only emulator. */
const noLocalEffect = new Set([
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  "aws:s3/bucketPolicy:BucketPolicy",
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  "aws:s3/bucketVersioning:BucketVersioning",
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
]);

export type Coverage = "emulated" | "recorded, not enforced" | "not emulated (no effect locally)" | "not emulated";

export function coverageOf(resource: RecordedResource): Coverage | undefined {
  // Providers and components exist only in the program.
  if (!resource.custom || resource.type.startsWith("pulumi:providers:")) return undefined;
  if (emulated.has(resource.type)) return "emulated";
  if (recordedOnly.has(resource.type)) return "recorded, not enforced";
  if (noLocalEffect.has(resource.type)) return "not emulated (no effect locally)";
  return "not emulated";
}

/** Resource types grouped by coverage, each with how many the program declared. */
export function coverageReport(resources: RecordedResource[]): Map<Coverage, Map<string, number>> {
  const report = new Map<Coverage, Map<string, number>>();
  for (const resource of resources) {
    const coverage = coverageOf(resource);
    if (!coverage) continue;
    const byType = report.get(coverage) ?? new Map<string, number>();
    byType.set(resource.type, (byType.get(resource.type) ?? 0) + 1);
    report.set(coverage, byType);
  }
  return report;
}
