process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

import { fail, parseFlags, usageError } from "./args";
import { programOption, programUsage, sandboxContext } from "./context";

const usage = `npm run fire -- <rule> ${programUsage}`;

/** Fires a schedule rule of the running sandbox now, as if its time had come. */
async function main() {
  const { positionals, values } = parseFlags(usage, programOption);
  if (positionals.length !== 1) usageError(usage, "give the rule to fire");
  const { outputs } = sandboxContext(values.program);
  const response = await fetch(`${outputs.awsEndpoint}/_sandbox/rules/${encodeURIComponent(positionals[0])}/fire`, {
    method: "POST",
  }).catch(() => fail(new Error(`the sandbox at ${outputs.awsEndpoint} does not answer: is \`npm start\` running?`)));
  const body = (await response.json()) as { rule?: string; schedule?: string; targets?: number; message?: string };
  if (!response.ok) fail(new Error(body.message ?? `status ${response.status}`));
  console.log(`fired ${body.rule} (${body.schedule}) to ${body.targets} target(s)`);
}

main().catch(fail);
