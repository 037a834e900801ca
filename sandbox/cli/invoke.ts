process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

import { readFileSync } from "node:fs";
import { fail, parseFlags, usageError } from "./args";
import { sampleSources } from "../samples";
import { assertSandboxAnswers, notAnswering, programOption, programUsage, sandboxContext } from "./context";

const usage = `npm run invoke -- <function> (--event <file.json> | --sample ${sampleSources.join("|")} [--method GET] [--path /v1/health]) ${programUsage}`;

/**
 * Invokes a deployed function of the running sandbox, like `sam local invoke`: the function is
 * named by its physical name, its logical name or an output that holds its name.
 */
async function main() {
  const { values, positionals } = parseFlags(usage, {
    event: { type: "string" },
    sample: { type: "string" },
    method: { type: "string" },
    path: { type: "string" },
    ...programOption,
  });
  if (positionals.length !== 1) usageError(usage, "give the function to invoke");
  if (Boolean(values.event) === Boolean(values.sample)) usageError(usage, "give either --event <file.json> or --sample <source>");
  if ((values.method !== undefined || values.path !== undefined) && values.sample !== "http")
    usageError(usage, "--method and --path go with --sample http");
  if (values.path !== undefined && !values.path.startsWith("/"))
    usageError(usage, `--path is the route's path after the stage, starting with '/', not '${values.path}'`);
  const { outputs } = sandboxContext(values.program);
  const named = outputs[positionals[0]];
  const fn = typeof named === "string" ? named : positionals[0];
  const endpoint = outputs.awsEndpoint;
  await assertSandboxAnswers(endpoint);
  let event: string;
  if (values.event) {
    event = readFileSync(values.event, "utf8");
  } else {
    const query = new URLSearchParams({
      source: values.sample!,
      function: fn,
      ...(values.method ? { method: values.method } : {}),
      ...(values.path ? { path: values.path } : {}),
    });
    const response = await fetch(`${endpoint}/_sandbox/sample?${query}`);
    event = await response.text();
    if (!response.ok) fail(new Error(event));
    const note = response.headers.get("x-sandbox-sample-note");
    if (note) for (const line of decodeURIComponent(note).split("\n")) console.error(`note: ${line}`);
  }
  const response = await fetch(`${endpoint}/2015-03-31/functions/${encodeURIComponent(fn)}/invocations`, {
    method: "POST",
    body: event,
    headers: { "x-amz-log-type": "Tail", "content-type": "application/json" },
  }).catch(() => fail(notAnswering(endpoint)));
  const payload = await response.text();
  if (response.status !== 200) fail(new Error(`${response.status}: ${JSON.parse(payload || "{}").message ?? payload}`));
  const logs = Buffer.from(response.headers.get("x-amz-log-result") ?? "", "base64").toString("utf8");
  if (logs) console.error(logs);
  console.log(JSON.stringify(JSON.parse(payload || "null"), null, 2));
  if (response.headers.get("x-amz-function-error")) process.exitCode = 1;
}

main().catch(fail);
