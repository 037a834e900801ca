import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { runStackNew } from "../../scripts/lib/stack-new";
import { runProgram } from "../support/pulumi-program";

/**
 * The file `npm run stack:new` writes must be one the program accepts as it is: the "two
 * commands" promise (stack:new, then the printed pulumi commands) depends on it.
 */

const ROOT = path.resolve(__dirname, "../..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-new-program-"));

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A stack file's config as the CLI hands it to the program: strings, structured values as JSON. */
function cliConfig(file: string): Record<string, string> {
  const config = (parseYaml(fs.readFileSync(file, "utf8")) as { config: Record<string, unknown> }).config;
  return Object.fromEntries(Object.entries(config).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]));
}

describe("a stack written by stack:new", () => {
  it("deploys once its API token is set, without any other config", async () => {
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const output: string[] = [];
    const code = await runStackNew(["zoe", "--region", "eu-west-3", "--account", "123456789012", "--owner", "zoe"], {
      cwd: dir,
      interactive: false,
      ask: async () => "",
      out: (text) => output.push(text),
      err: (text) => output.push(text),
    });
    expect(code, output.join("\n")).toBe(0);

    const config = {
      ...cliConfig(path.join(dir, "Pulumi.zoe.yaml")),
      // What the printed `pulumi config set --secret ... "$(openssl rand -hex 32)"` adds.
      "job-offers:apiToken": "0123456789abcdef".repeat(4),
    };
    const run = await runProgram({ stack: "zoe", config, env: { CI: undefined }, secretKeys: ["job-offers:apiToken"] });

    expect(run.error).toBeUndefined();
    expect(run.resources.length).toBeGreaterThan(0);
    // The provider carries the file's pin, region and owner (provider inputs arrive JSON-encoded).
    const inputs = run.one("pulumi:providers:aws").inputs as Record<string, string>;
    expect(inputs.region).toBe("eu-west-3");
    expect(JSON.parse(inputs.allowedAccountIds)).toEqual(["123456789012"]);
    expect(JSON.parse(inputs.defaultTags).tags.owner).toBe("zoe");
  });
});
