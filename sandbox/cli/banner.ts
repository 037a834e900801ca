import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import type { Sandbox } from "../sandbox";
import { coverageReport, unhonouredInputs } from "../services/coverage";
import { types } from "../model/resource-index";
import { httpApisOf } from "../services/apigateway/api-model";
import { outputsFile } from "../shared/outputs";
import { notificationRules, type NotificationRule } from "./ingestion-watch";

const shortType = (type: string) => type.replace(/^aws:/, "").replace(/:.*$/, "");

/** What a user sees on ready: endpoints, resources, what is not emulated, how to try it. */
export function readyBanner(sandbox: Sandbox, startedMs: number): string {
  const { outputs, wiring } = sandbox;
  const index = wiring.index;
  const here = (path: string) => relative(process.cwd(), path) || ".";
  const lines: string[] = [];
  lines.push(`Sandbox ready in ${(startedMs / 1000).toFixed(1)} s: stack ${index.deployment.project}/${index.deployment.stack}, account 000000000000, ${outputs.region}`);
  lines.push("");
  const apis = httpApisOf(index).apis;
  for (const url of apis.flatMap((api) => api.stages.map((stage) => stageUrl(sandbox.apiOrigin, stage.name)))) lines.push(`  HTTP API      ${url}`);
  lines.push(`  AWS endpoint  ${outputs.awsEndpoint}  (S3, SQS, DynamoDB, Lambda Invoke; any credentials)`);
  lines.push(`  Console       ${sandbox.consoleUrl}  (loopback only)`);
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
  for (const topic of wiring.topics.topicArns()) lines.push(`  topic     ${topic.split(":").pop()}`);
  for (const subscription of wiring.topics.subscriptions) {
    const target = subscription.protocol === "lambda" ? (index.functionByRef(subscription.endpoint)?.name ?? subscription.endpoint) : subscription.endpoint.split(":").pop();
    const options = [subscription.filterPolicy ? "filter policy" : "", subscription.rawMessageDelivery ? "raw" : ""].filter(Boolean).join(", ");
    lines.push(`  trigger   sns ${subscription.topicArn.split(":").pop()} -> ${subscription.protocol} ${target}${options ? ` (${options})` : ""}`);
  }
  for (const rule of wiring.schedules.rules) {
    const targets = rule.targets.map((target) => index.functionByRef(target.arn)?.name ?? target.arn.split(":").pop()).join(", ");
    lines.push(`  schedule  ${rule.logicalName} ${rule.schedule.expression} -> ${targets || "(no target)"} (next ${rule.schedule.next(new Date()).toISOString().replace(/\.\d{3}Z$/, "Z")}; npm run fire -- ${rule.logicalName})`);
  }
  for (const api of apis) {
    for (const route of api.routes) {
      const integrationId = String(route.target ?? "").replace(/^integrations\//, "");
      const integration = api.integrations.get(integrationId);
      const fn = integration && index.functionByRef(integration.functionRef);
      const unsupported = api.unsupportedIntegrations.get(integrationId);
      const auth = route.authorizationType === "CUSTOM" ? `, authorizer ${api.authorizers.get(String(route.authorizerId))?.name ?? "?"}` : "";
      const target = fn?.name ?? (unsupported ? `${unsupported.description} (not emulated: answers 501)` : "?");
      lines.push(`  route     ${route.routeKey} -> ${target}${auth}`);
    }
  }
  const coverage = coverageReport(index.deployment.resources);
  for (const [kind, byType] of coverage) {
    if (kind === "emulated") continue;
    lines.push("");
    lines.push(kind === "not emulated" ? "Not emulated (declared by the program, ignored here)" : kind[0].toUpperCase() + kind.slice(1));
    lines.push(`  ${[...byType].map(([type, count]) => `${shortType(type)}${count > 1 ? ` x${count}` : ""}`).join(", ")}`);
  }
  const alarms = sandbox.cloudwatch.alarms;
  const alarmSummary = sandbox.cloudwatch.summary();
  if (alarmSummary) {
    lines.push("");
    lines.push(`Alarms: ${alarmSummary}`);
    for (const alarm of alarms.notEvaluated) lines.push(`  not evaluated  ${alarm.name}: ${alarm.reason}`);
  }
  const unhonoured = unhonouredInputs(index.deployment.resources);
  if (unhonoured.length > 0) {
    lines.push("");
    lines.push("Inputs not honoured (set by the program, ignored here)");
    for (const line of unhonoured) lines.push(`  ${line}`);
  }
  const providers = index.deployment.resources.filter((resource) => resource.type.startsWith("pulumi:providers:"));
  if (providers.length > 0) {
    lines.push("");
    lines.push("Read by the program, no local effect");
    lines.push(`  providers: ${providers.map((provider) => provider.name).join(", ")} (region, default tags)`);
  }
  lines.push("");
  lines.push(`Table data persists in ${here(join(sandbox.stateDir, "dynamodb"))}; queues and objects live in memory and are gone after a stop.`);
  lines.push("");
  lines.push("Try it");
  // The commands find the sandbox through the program's directory, as npm start did.
  const programPath = relative(process.cwd(), sandbox.programDir);
  const program = programPath === "" ? "" : ` --program ${programPath.startsWith("..") ? sandbox.programDir : programPath}`;
  const notified = index
    .all(types.bucket)
    .map((bucket) => ({ bucket: String(bucket.state.bucket), rules: notificationRules(index.deployment.resources, String(bucket.state.bucket)) }))
    .filter(({ rules }) => rules.length > 0);
  for (const { bucket, rules } of notified) {
    const choose = notified.length > 1 ? ` --bucket ${bucket}` : "";
    lines.push(`  npm run upload -- ${uploadFile(sandbox.programDir, rules[0], here)} --wait${choose}${program}  (${rules.map((rule) => `${rule.target} takes ${rule.prefix}*${rule.suffix}`).join("; ")})`);
  }
  const subscribers = new Set(
    wiring.topics.subscriptions.flatMap((subscription) => (subscription.protocol === "lambda" ? [index.functionByRef(subscription.endpoint)?.name ?? subscription.endpoint] : [])),
  );
  for (const fn of subscribers) lines.push(`  npm run invoke -- ${fn} --sample sns${program}`);
  const scheduled = new Set(wiring.schedules.rules.flatMap((rule) => rule.targets.flatMap((target) => index.functionByRef(target.arn)?.name ?? [])));
  for (const fn of scheduled) lines.push(`  npm run invoke -- ${fn} --sample schedule${program}`);
  for (const api of apis) {
    const get = api.routes.find((route) => /^(GET|ANY) \//.test(route.routeKey));
    const stage = api.stages[0];
    if (!get || !stage) continue;
    // A concrete path for the route: its variables as `example`, a greedy one as nothing.
    const path = get.routeKey.split(" ")[1].replace(/\{[^}]+\+\}/, "").replace(/\{[^}]+\}/g, "example");
    lines.push(`  curl ${stageUrl(sandbox.apiOrigin, stage.name)}${path}`);
  }
  return lines.join("\n");
}

/**
 * The file a user would upload: one of the program's fixtures that the notification takes, else
 * a placeholder that says what the name must end with.
 */
function uploadFile(programDir: string, rule: NotificationRule, here: (path: string) => string): string {
  const fixtures = join(programDir, "fixtures");
  let names: string[] = [];
  try {
    names = readdirSync(fixtures).sort();
  } catch {
    // No fixtures folder: the placeholder below.
  }
  const fixture = names.find((name) => name.endsWith(rule.suffix) && !name.startsWith("."));
  return fixture ? here(join(fixtures, fixture)) : `<file${rule.suffix}>`;
}

/** A stage's invoke URL: `$default` is served at the API's root, any other stage under its name. */
function stageUrl(apiOrigin: string, stage: string): string {
  return stage === "$default" ? apiOrigin : `${apiOrigin}/${stage}`;
}
