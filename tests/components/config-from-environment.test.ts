import { expect, it } from "vitest";
import { personalStackConfig, runProgram } from "../support/pulumi-program";

// In a file of its own: Pulumi reads PULUMI_CONFIG once per process, as the CLI's language host
// hands it over.
it("reads the same config from the PULUMI_CONFIG variables the CLI sets, guards included", async () => {
  const config = personalStackConfig({ "job-offers:owner": undefined });
  const run = await runProgram({
    stack: "alice",
    config: {},
    env: { PULUMI_CONFIG: JSON.stringify(config), PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(["job-offers:apiToken"]) },
    configVia: "environment",
  });
  expect(run.resources).toEqual([]);
  expect(run.error?.message).toBe(
    "stack 'alice' cannot be deployed:\n" +
      "  - job-offers:owner is not set; a personal stack names its owner: pulumi config set job-offers:owner <your-name> " +
      "(or create the stack with npm run stack:new)",
  );
});
