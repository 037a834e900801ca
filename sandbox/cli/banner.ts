import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import type { Sandbox } from "../sandbox";
import { coverageReport, unhonouredInputs } from "../services/coverage";
import { types } from "../model/resource-index";
import { httpApisOf } from "../services/apigateway/api-model";
import { stageUrl } from "../services/apigateway/http-apis";
import { resourceTypes } from "../services/resource-types";
import { outputsFile } from "../shared/outputs";
import { notificationRules, type NotificationRule } from "./ingestion-watch";

/** `aws:sqs/queue:Queue` as `sqs/queue`; another package's type in full (`command:local:Command`, not `command`). */
const shortType = (type: string) => (type.startsWith("aws:") ? type.replace(/^aws:/, "").replace(/:.*$/, "") : type);

/** What a user sees on ready: endpoints, resources, what is not emulated, how to try it. */
export function readyBanner(sandbox: Sandbox, startedMs: number): string {
  const { outputs, wiring } = sandbox;
  const index = wiring.index;
  const here = (path: string) => relative(process.cwd(), path) || ".";
  const lines: string[] = [];
  lines.push(
    `Sandbox ready in ${(startedMs / 1000).toFixed(1)} s: stack ${index.deployment.project}/${index.deployment.stack}, account 000000000000, ${outputs.region}`,
  );
  lines.push("");
  const apis = httpApisOf(index).apis;
  for (const url of apis.flatMap((api) => api.stages.map((stage) => stageUrl(sandbox.apiOrigin, stage.name))))
    lines.push(`  HTTP API      ${url}`);
  lines.push(
    `  AWS endpoint  ${outputs.awsEndpoint}  (S3, SQS, DynamoDB, SNS, Lambda Invoke; read-only Lambda, API Gateway v2, CloudWatch Logs; any credentials)`,
  );
  lines.push(`  Console       ${sandbox.consoleUrl}  (loopback only)`);
  lines.push(`  Outputs       ${here(outputsFile(sandbox.stateDir))}`);
  const secrets = Object.keys(outputs.secrets);
  if (secrets.length > 0) lines.push(`  Secrets       ${secrets.join(", ")}: generated for this sandbox (in the outputs' \`secrets\`)`);
  lines.push("");
  lines.push("Resources");
  // Grouped by type, in the registry's order of services.
  for (const support of resourceTypes.values()) {
    if (support.describe) lines.push(...index.all(support.type).map((resource) => `  ${support.describe!(resource)}`));
  }
  // The commands find the sandbox through the program's directory, as npm start did.
  const programPath = relative(process.cwd(), sandbox.programDir);
  const program = programPath === "" ? "" : ` --program ${programPath.startsWith("..") ? sandbox.programDir : programPath}`;
  for (const started of wiring.triggers) lines.push(...started.describe(program).map((line) => `  ${line}`));
  const coverage = coverageReport(index.deployment.resources);
  // A provider plugin's components get their own line: what they stand for is not declared here.
  const remote = index.deployment.resources.filter((resource) => resource.remote);
  const remoteTypes = new Set(remote.map((resource) => resource.type));
  for (const [kind, byType] of coverage) {
    if (kind === "emulated") continue;
    const listed = [...byType].filter(([type]) => !remoteTypes.has(type));
    lines.push("");
    lines.push(kind === "not emulated" ? "Not emulated (declared by the program, ignored here)" : kind[0].toUpperCase() + kind.slice(1));
    if (listed.length > 0)
      lines.push(`  ${listed.map(([type, count]) => `${shortType(type)}${count > 1 ? ` x${count}` : ""}`).join(", ")}`);
    if (kind !== "not emulated") continue;
    for (const resource of remote) {
      lines.push(
        `  ${resource.type} ${resource.name}: a component that a provider plugin builds at deploy time; the sandbox runs no plugin, so none of its resources (functions, routes, APIs) exist here`,
      );
    }
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
  lines.push(
    `Table data persists in ${here(join(sandbox.stateDir, "dynamodb"))}; queued messages and objects (in ${here(join(sandbox.stateDir, "sqs"))} and ${here(join(sandbox.stateDir, "s3"))} while it runs) are gone after a stop.`,
  );
  lines.push("");
  lines.push("Try it");
  const notified = index
    .all(types.bucket)
    .map((bucket) => ({
      bucket: String(bucket.state.bucket),
      rules: notificationRules(index.deployment.resources, String(bucket.state.bucket)),
    }))
    .filter(({ rules }) => rules.length > 0);
  for (const { bucket, rules } of notified) {
    const choose = notified.length > 1 ? ` --bucket ${bucket}` : "";
    lines.push(
      `  npm run upload -- ${uploadFile(sandbox.programDir, rules[0], here)} --wait${choose}${program}  (${rules.map((rule) => `${rule.target} takes ${rule.prefix}*${rule.suffix}`).join("; ")})`,
    );
  }
  for (const started of wiring.triggers) lines.push(...(started.tryIt?.(program) ?? []).map((line) => `  ${line}`));
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
