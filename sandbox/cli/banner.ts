import { join, relative } from "node:path";
import type { Sandbox } from "../sandbox";
import { coverageReport } from "../deploy/coverage";
import { types } from "../deploy/resource-index";
import { httpApisOf } from "../http/api-model";
import { outputsFile } from "../outputs";

const shortType = (type: string) => type.replace(/^aws:/, "").replace(/:.*$/, "");

/** What a user sees on ready: endpoints, resources, what is not emulated, how to try it. */
export function readyBanner(sandbox: Sandbox, startedMs: number): string {
  const { outputs, wiring } = sandbox;
  const index = wiring.index;
  const here = (path: string) => relative(process.cwd(), path) || ".";
  const lines: string[] = [];
  lines.push(`Sandbox ready in ${(startedMs / 1000).toFixed(1)} s: stack ${index.deployment.project}/${index.deployment.stack}, account 000000000000, ${outputs.region}`);
  lines.push("");
  if (typeof outputs.apiUrl === "string") lines.push(`  HTTP API      ${outputs.apiUrl}`);
  lines.push(`  AWS endpoint  ${outputs.awsEndpoint}  (S3, SQS, DynamoDB, Lambda Invoke; any credentials)`);
  lines.push(`  Outputs       ${here(outputsFile(sandbox.stateDir))}`);
  lines.push("");
  lines.push("Resources");
  for (const table of index.all(types.table)) lines.push(`  table     ${table.state.name}  (${table.name}; data kept on disk)`);
  for (const bucket of index.all(types.bucket)) lines.push(`  bucket    ${bucket.state.bucket}  (${bucket.name}; objects in memory)`);
  for (const queue of index.all(types.queue)) {
    const redrive = queue.inputs.redrivePolicy ? JSON.parse(String(queue.inputs.redrivePolicy)) : undefined;
    const dlq = redrive ? `, to ${String(redrive.deadLetterTargetArn).split(":").pop()} after ${redrive.maxReceiveCount} receives` : "";
    lines.push(`  queue     ${queue.state.name}  (${queue.name}; visibility ${queue.inputs.visibilityTimeoutSeconds ?? 30} s${dlq}; in memory)`);
  }
  for (const fn of wiring.functions.values()) {
    lines.push(`  function  ${fn.spec.name}  (${fn.spec.logicalName}; ${fn.spec.memorySizeMb} MB, ${fn.spec.timeoutSeconds} s)`);
  }
  for (const notification of index.all(types.bucketNotification)) {
    for (const target of (notification.inputs.lambdaFunctions as Array<Record<string, string>> | undefined) ?? []) {
      const fn = index.functionByRef(target.lambdaFunctionArn);
      lines.push(`  trigger   s3 ${notification.inputs.bucket}/${target.filterPrefix ?? ""}*${target.filterSuffix ?? ""} -> ${fn?.name ?? target.lambdaFunctionArn} (async)`);
    }
  }
  for (const mapping of index.all(types.eventSourceMapping)) {
    const fn = index.functionByRef(mapping.inputs.functionName);
    lines.push(`  trigger   sqs ${String(mapping.inputs.eventSourceArn).split(":").pop()} -> ${fn?.name ?? mapping.inputs.functionName} (batch ${mapping.inputs.batchSize ?? 10})`);
  }
  for (const api of httpApisOf(index).apis) {
    for (const route of api.routes) {
      const integration = api.integrations.get(String(route.target ?? "").replace(/^integrations\//, ""));
      const fn = integration && index.functionByRef(integration.functionRef);
      const auth = route.authorizationType === "CUSTOM" ? `, authorizer ${api.authorizers.get(String(route.authorizerId))?.name ?? "?"}` : "";
      lines.push(`  route     ${route.routeKey} -> ${fn?.name ?? "?"}${auth}`);
    }
  }
  const coverage = coverageReport(index.deployment.resources);
  for (const [kind, byType] of coverage) {
    if (kind === "emulated") continue;
    lines.push("");
    lines.push(kind === "not emulated" ? "Not emulated (declared by the program, ignored here)" : kind[0].toUpperCase() + kind.slice(1));
    lines.push(`  ${[...byType].map(([type, count]) => `${shortType(type)}${count > 1 ? ` x${count}` : ""}`).join(", ")}`);
  }
  const providers = index.deployment.resources.filter((resource) => resource.type.startsWith("pulumi:providers:"));
  const stageExtras = index
    .all(types.stage)
    .flatMap((stage) => [
      ...(stage.inputs.accessLogSettings ? [`access logs of stage ${stage.inputs.name}`] : []),
      ...(stage.inputs.defaultRouteSettings ? [`throttling of stage ${stage.inputs.name}`] : []),
    ]);
  if (providers.length > 0 || stageExtras.length > 0) {
    lines.push("");
    lines.push("Read by the program, no local effect");
    if (providers.length > 0) lines.push(`  providers: ${providers.map((provider) => provider.name).join(", ")} (region, default tags)`);
    if (stageExtras.length > 0) lines.push(`  ${stageExtras.join(", ")}`);
  }
  lines.push("");
  lines.push(`Table data persists in ${here(join(sandbox.stateDir, "dynamodb"))}; queues and objects live in memory and are gone after a stop.`);
  lines.push("");
  lines.push("Try it");
  if (typeof outputs.bucketName === "string") lines.push(`  npm run upload -- fixtures/jobs.csv --wait`);
  if (typeof outputs.apiUrl === "string") lines.push(`  curl ${outputs.apiUrl}/v1/jobs`);
  return lines.join("\n");
}
