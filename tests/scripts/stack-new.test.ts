import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { parse as parseYaml } from "yaml";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { nameProblem, nextCommands, renderStackConfig, runStackNew, splitAccounts, type StackNewIo } from "../../scripts/lib/stack-new";

const ROOT = path.resolve(__dirname, "../..");
const PROJECT_FILE = "name: job-offers\nruntime: nodejs\n";

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-new-"));
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), PROJECT_FILE);
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** An io whose terminal answers from a script and whose output is recorded. */
function fakeIo(options: { interactive?: boolean; answers?: string[] } = {}) {
  const answers = [...(options.answers ?? [])];
  const questions: string[] = [];
  const out: string[] = [];
  const err: string[] = [];
  const io: StackNewIo = {
    cwd: dir,
    interactive: options.interactive ?? false,
    ask: async (question) => {
      questions.push(question);
      const answer = answers.shift();
      if (answer === undefined) throw new Error(`unexpected question: ${question}`);
      return answer;
    },
    out: (text) => out.push(text),
    err: (text) => err.push(text),
  };
  return { io, questions, out: () => out.join("\n"), err: () => err.join("\n") };
}

function readConfig(name: string): Record<string, unknown> {
  return (parseYaml(fs.readFileSync(path.join(dir, `Pulumi.${name}.yaml`), "utf8")) as { config: Record<string, unknown> }).config;
}

describe("stack:new, called as a module", () => {
  it("with --init, creates the stack and sets a random token through stdin, leaving only pulumi up", async () => {
    const io = fakeIo();
    const calls: Array<{ args: string[]; cwd: string; input?: string }> = [];
    io.io.pulumi = (args, options) => {
      calls.push({ args, ...options });
      return { status: 0, output: "" };
    };
    const code = await runStackNew(["alice", "--region", "eu-west-3", "--account", "123456789012", "--owner", "alice", "--init"], io.io);
    expect(code).toBe(0);
    expect(calls.map((call) => [call.args, call.cwd])).toEqual([
      [["stack", "init", "alice"], dir],
      [["config", "set", "--secret", "--stack", "alice", "job-offers:apiToken"], dir],
    ]);
    expect(calls[0].input).toBeUndefined();
    expect(calls[1].input).toMatch(/^[0-9a-f]{64}$/);
    expect(io.out()).toContain("Deploy it:\n  pulumi up --stack alice");
    expect(io.out()).not.toContain(calls[1].input as string);
  });

  it("with --init, stops at a failing pulumi command and prints what is left to do by hand", async () => {
    const io = fakeIo();
    io.io.pulumi = () => ({ status: 255, output: "error: stack 'alice' already exists" });
    const code = await runStackNew(["alice", "--region", "eu-west-3", "--account", "123456789012", "--owner", "alice", "--init"], io.io);
    expect(code).toBe(1);
    expect(io.err()).toContain("stack:new: pulumi stack init alice failed (exit 255):\nerror: stack 'alice' already exists");
    expect(io.err()).toContain("pulumi up --stack alice");
    expect(fs.existsSync(path.join(dir, "Pulumi.alice.yaml"))).toBe(true);
  });
  it("writes the personal stack file with the region, the account pin and the owner", async () => {
    const io = fakeIo();
    const code = await runStackNew(["alice", "--region", "eu-west-3", "--account", "012345678901", "--owner", "alice"], io.io);

    expect(code).toBe(0);
    expect(fs.readFileSync(path.join(dir, "Pulumi.alice.yaml"), "utf8")).toBe(
      ["config:", "  aws:region: eu-west-3", "  aws:allowedAccountIds:", '    - "012345678901"', "  job-offers:owner: alice", ""].join(
        "\n",
      ),
    );
    // Quoted in YAML: read back it is the same string, leading zero included.
    expect(readConfig("alice")["aws:allowedAccountIds"]).toEqual(["012345678901"]);
  });

  it("prints the exact commands that deploy the new stack", async () => {
    const io = fakeIo();
    await runStackNew(["alice", "--region", "eu-west-3", "--account", "123456789012", "--owner", "alice"], io.io);

    expect(io.out()).toContain("  pulumi stack init alice\n");
    expect(io.out()).toContain('  pulumi config set --secret --stack alice job-offers:apiToken "$(openssl rand -hex 32)"\n');
    expect(io.out()).toContain("  pulumi up --stack alice\n");
    expect(io.out().indexOf("stack init")).toBeLessThan(io.out().indexOf("config set"));
    expect(io.out().indexOf("config set")).toBeLessThan(io.out().indexOf("pulumi up"));
  });

  it("takes the config key prefix from the project in Pulumi.yaml", () => {
    const yaml = renderStackConfig("other-project", {
      name: "bob",
      region: "us-east-1",
      accountIds: ["111111111111"],
      owner: "bob",
    });
    expect(parseYaml(yaml).config).toEqual({
      "aws:region": "us-east-1",
      "aws:allowedAccountIds": ["111111111111"],
      "other-project:owner": "bob",
    });
    expect(nextCommands("other-project", "bob")[1]).toContain("other-project:apiToken");
  });

  it("accepts several accounts, repeated or comma-separated", async () => {
    const io = fakeIo();
    const code = await runStackNew(
      ["alice", "--region", "eu-west-3", "--account", "111111111111,222222222222", "--account", "111111111111", "--owner", "al"],
      io.io,
    );
    expect(code).toBe(0);
    expect(readConfig("alice")["aws:allowedAccountIds"]).toEqual(["111111111111", "222222222222"]);
    expect(splitAccounts([" 1 , ", "2"])).toEqual(["1", "2"]);
  });

  it.each([
    ["dev", /shared stack/],
    ["staging", /shared stack/],
    ["prod", /shared stack/],
    ["pr-12", /review stack/],
    ["Prod", /reads like the shared stack 'prod'/],
    ["PR-7", /reads like the review stack 'pr-7'/],
    ["bad/name", /not a valid stack name/],
    ["", /not a valid stack name/],
  ])("refuses the stack name %j", async (name, message) => {
    expect(nameProblem(name)).toMatch(message);
    const io = fakeIo();
    const code = await runStackNew([name, "--region", "eu-west-3", "--account", "123456789012", "--owner", "x"], io.io);
    expect(code).toBe(1);
    expect(io.err()).toMatch(message);
    expect(fs.readdirSync(dir)).toEqual(["Pulumi.yaml"]);
  });

  it("accepts personal names that merely contain a shared name", () => {
    expect(nameProblem("dev-alice")).toBeUndefined();
    expect(nameProblem("pr-12-bob")).toBeUndefined();
  });

  it.each([
    [["--region", "eu-west"], /'eu-west' is not an AWS region code/],
    [["--region", "EU-WEST-3"], /not an AWS region code/],
    [["--account", "12345678901"], /'12345678901' is not an AWS account id \(12 digits\)/],
    [["--account", "12345678901a"], /not an AWS account id/],
    [["--owner", "   "], /owner must not be empty/],
  ])("refuses %j", async (override, message) => {
    const flags: Record<string, string> = { "--region": "eu-west-3", "--account": "123456789012", "--owner": "alice" };
    flags[override[0]] = override[1];
    const io = fakeIo();
    const code = await runStackNew(["alice", ...Object.entries(flags).flat()], io.io);
    expect(code).toBe(1);
    expect(io.err()).toMatch(message);
    expect(fs.existsSync(path.join(dir, "Pulumi.alice.yaml"))).toBe(false);
  });

  it("never overwrites an existing stack file", async () => {
    fs.writeFileSync(path.join(dir, "Pulumi.alice.yaml"), "config: {}\n");
    const io = fakeIo();
    const code = await runStackNew(["alice", "--region", "eu-west-3", "--account", "123456789012", "--owner", "a"], io.io);
    expect(code).toBe(1);
    expect(io.err()).toContain("Pulumi.alice.yaml already exists");
    expect(fs.readFileSync(path.join(dir, "Pulumi.alice.yaml"), "utf8")).toBe("config: {}\n");
  });

  it("outside a terminal, names every missing flag instead of asking", async () => {
    const io = fakeIo({ interactive: false });
    const code = await runStackNew(["alice", "--region", "eu-west-3"], io.io);
    expect(code).toBe(1);
    expect(io.err()).toContain("missing --account, --owner");
    expect(io.questions).toEqual([]);
    expect(fs.existsSync(path.join(dir, "Pulumi.alice.yaml"))).toBe(false);
  });

  it("in a terminal, asks for what is missing, offering dev's region and account and the name as owner", async () => {
    fs.writeFileSync(
      path.join(dir, "Pulumi.dev.yaml"),
      'config:\n  aws:region: eu-central-1\n  aws:allowedAccountIds:\n    - "210987654321"\n',
    );
    // Enter on every question takes the offered default.
    const io = fakeIo({ interactive: true, answers: ["", "", ""] });
    const code = await runStackNew(["carol"], io.io);

    expect(code).toBe(0);
    expect(io.questions).toEqual(["AWS region [eu-central-1]: ", "AWS account id [210987654321]: ", "owner [carol]: "]);
    expect(readConfig("carol")).toEqual({
      "aws:region": "eu-central-1",
      "aws:allowedAccountIds": ["210987654321"],
      "job-offers:owner": "carol",
    });
  });

  it("in a terminal, asks again after an invalid answer, and gives up after three", async () => {
    const io = fakeIo({ interactive: true, answers: ["dev", "dave", "mars-1", "eu-west-1", "42", "123456789012", "Dave"] });
    expect(await runStackNew([], io.io)).toBe(0);
    expect(io.err()).toContain("'dev' is a shared stack");
    expect(io.err()).toContain("'mars-1' is not an AWS region code");
    expect(io.err()).toContain("'42' is not an AWS account id");
    expect(readConfig("dave")["job-offers:owner"]).toBe("Dave");

    const stubborn = fakeIo({ interactive: true, answers: ["prod", "prod", "prod"] });
    expect(await runStackNew([], stubborn.io)).toBe(1);
    expect(stubborn.err()).toContain("no valid stack name after 3 attempts");
  });

  it("in a terminal, input that ends (Ctrl+D) instead of an answer stops with one sentence, writing nothing", async () => {
    const io = fakeIo({ interactive: true });
    io.io.ask = async () => undefined;
    expect(await runStackNew([], io.io)).toBe(1);
    expect(io.err()).toBe("stack:new: no stack name given (input ended): nothing was written");
    expect(fs.readdirSync(dir).filter((file) => file.startsWith("Pulumi.") && file !== "Pulumi.yaml")).toEqual([]);
  });

  it("placeholder accounts of the committed dev file are not offered", async () => {
    fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), 'config:\n  aws:allowedAccountIds:\n    - "000000000000"\n');
    const io = fakeIo({ interactive: true, answers: ["eu-west-3", "123456789012", "erin"] });
    expect(await runStackNew(["erin"], io.io)).toBe(0);
    expect(io.questions[1]).toBe("AWS account id: ");
  });

  it("refuses to write outside a Pulumi project", async () => {
    fs.rmSync(path.join(dir, "Pulumi.yaml"));
    const io = fakeIo();
    const code = await runStackNew(["alice", "--region", "eu-west-3", "--account", "123456789012", "--owner", "a"], io.io);
    expect(code).toBe(1);
    expect(io.err()).toContain("no Pulumi.yaml in");
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("rejects unknown flags with the usage", async () => {
    const io = fakeIo();
    expect(await runStackNew(["alice", "--regoin", "eu-west-3"], io.io)).toBe(1);
    expect(io.err()).toContain("--regoin");
    expect(io.err()).toContain("Usage: npm run stack:new");
  });
});

describe("stack:new, run as a command", () => {
  const run = promisify(execFile);
  const tsx = path.join(ROOT, "node_modules", ".bin", "tsx");
  const script = path.join(ROOT, "scripts", "stack-new.ts");

  it("writes the file in --dir and prints the next commands", async () => {
    const { stdout } = await run(
      tsx,
      [script, "alice", "--region", "eu-west-3", "--account", "123456789012", "--owner", "alice", "--dir", dir],
      { cwd: ROOT },
    );
    expect(readConfig("alice")["job-offers:owner"]).toBe("alice");
    expect(stdout).toContain(`cd ${dir}`);
    expect(stdout).toContain("pulumi up --stack alice");
  });

  it("works in the current directory and fails with a non-zero status on a refused name", async () => {
    await run(tsx, [script, "bob", "--region", "us-east-1", "--account", "123456789012", "--owner", "bob"], { cwd: dir });
    expect(readConfig("bob")["aws:region"]).toBe("us-east-1");

    const refused = run(tsx, [script, "pr-3", "--region", "us-east-1", "--account", "123456789012", "--owner", "b"], {
      cwd: dir,
    });
    await expect(refused).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining("review stack") });
  });

  it("without a terminal and without flags, fails naming them", async () => {
    const missing = run(tsx, [script, "carol"], { cwd: dir });
    await expect(missing).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining("missing --region, --account, --owner"),
    });
    expect(fs.existsSync(path.join(dir, "Pulumi.carol.yaml"))).toBe(false);
  });
});
