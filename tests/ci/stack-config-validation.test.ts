import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { commandsFor } from "../../scripts/lib/cleanup-plan";
import { cliConfigError, readProject, readStackConfig, type StackConfig } from "./pulumi-config-rules";

/**
 * Every path CI takes through the Pulumi CLI passes the CLI's config validation: the project's
 * declared keys checked against the config each command sees. CI checks out no git-ignored stack
 * file, so a review stack or an idle personal stack is destroyed with an empty stack config.
 */

const ROOT = path.resolve(__dirname, "../..");
const project = readProject(path.join(ROOT, "Pulumi.yaml"));
const ENCRYPTED = { secure: "v1:encrypted-by-the-stack-secrets-provider" };

/** The shell of a GitHub job's run steps, or of a GitLab job's script. */
function githubJobScript(file: string, job: string): string {
  const workflow = parseYaml(fs.readFileSync(path.join(ROOT, ".github", "workflows", file), "utf8")) as {
    jobs: Record<string, { steps?: Array<{ run?: string }> }>;
  };
  return (workflow.jobs[job].steps ?? []).map((step) => step.run ?? "").join("\n");
}

function gitlabJobScript(job: string): string {
  const pipeline = parseYaml(fs.readFileSync(path.join(ROOT, ".gitlab-ci.yml"), "utf8")) as Record<string, { script?: string[] }>;
  return (pipeline[job].script ?? []).join("\n");
}

/** The `pulumi ...` commands of a script, each as its words, in order. */
function pulumiCommands(script: string): string[][] {
  return script
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.startsWith("pulumi "))
    .map((line) => line.split(/\s+/).slice(1));
}

/**
 * The stack config the CLI sees at a script's `pulumi destroy`: what CI's checkout has (nothing for
 * a git-ignored stack file), changed by the config commands that come before it.
 */
function configAtDestroy(commands: string[][], lastDeployment: StackConfig): StackConfig {
  let config: StackConfig = {};
  for (const words of commands) {
    if (words[0] === "destroy") return config;
    if (words[0] !== "config") continue;
    const positional = words.slice(2).filter((word, at, all) => !word.startsWith("-") && all[at - 1] !== "--stack");
    if (words[1] === "refresh") config = { ...lastDeployment };
    else if (words[1] === "set") config[positional[0]] = words.includes("--secret") ? ENCRYPTED : positional[1];
    else throw new Error(`no model of 'pulumi ${words.join(" ")}' before destroy`);
  }
  throw new Error(`no pulumi destroy in: ${commands.map((words) => words.join(" ")).join("; ")}`);
}

/** A review stack's config as the review workflows derive it: dev's keys, then a secret token. */
function reviewStackConfig(script: string): StackConfig {
  expect(script).toMatch(/pulumi config cp --stack dev --dest "\$STACK"/);
  expect(script).toMatch(/pulumi config set --secret --stack "\$STACK" job-offers:apiToken "\$token"/);
  return { ...readStackConfig(path.join(ROOT, "Pulumi.dev.yaml")), "job-offers:apiToken": ENCRYPTED };
}

describe("the Pulumi CLI's config validation", () => {
  it("is modelled as the CLI applies it (so the checks below mean something)", () => {
    const declared = {
      name: "p",
      config: { token: { type: "string" as const, secret: true }, size: { type: "integer" as const, default: 5 } },
    };
    expect(cliConfigError("pr-12", declared, {})).toBe("Stack 'pr-12' is missing configuration value 'token'");
    expect(cliConfigError("pr-12", declared, { "p:token": "plain" })).toBe(
      "Stack 'pr-12' with configuration key 'token' must be encrypted as it's secret",
    );
    expect(cliConfigError("pr-12", declared, { "p:token": ENCRYPTED, "p:size": "many" })).toBe(
      "Stack 'pr-12' with configuration key 'size' must be of type 'integer'",
    );
    // A secret key with a default still fails where the default applies: it is plaintext.
    const withDefault = { name: "p", config: { token: { type: "string" as const, secret: true, default: "" } } };
    expect(cliConfigError("pr-12", withDefault, {})).toBe("Stack 'pr-12' with configuration key 'token' must be encrypted as it's secret");
    expect(cliConfigError("pr-12", declared, { "p:token": ENCRYPTED })).toBeUndefined();
  });

  it("accepts a stack with no stack file, so destroy runs where CI has none", () => {
    expect(cliConfigError("pr-12", project, {})).toBeUndefined();
    expect(cliConfigError("alice", project, {})).toBeUndefined();
  });

  const review = reviewStackConfig(githubJobScript("review-stack.yml", "deploy"));
  const destroyPaths: Array<[string, string, string[][]]> = [
    ["GitHub review-stack destroy", "pr-12", pulumiCommands(githubJobScript("review-stack.yml", "destroy"))],
    ["GitLab review-stop", "pr-12", pulumiCommands(gitlabJobScript("review-stop"))],
    ...(["destroy-and-remove", "destroy"] as const).map((action): [string, string, string[][]] => [
      `scheduled cleanup (${action})`,
      action === "destroy" ? "alice" : "pr-12",
      commandsFor({ stack: "x", kind: "review", action, reason: "" }),
    ]),
  ];

  it.each(destroyPaths)("lets %s reach and pass pulumi destroy", (_path, stack, commands) => {
    expect(commands.some((words) => words[0] === "destroy")).toBe(true);
    expect(cliConfigError(stack, project, configAtDestroy(commands, review))).toBeUndefined();
  });

  it.each(["dev", "staging", "prod"])("accepts the committed Pulumi.%s.yaml", (stack) => {
    expect(cliConfigError(stack, project, readStackConfig(path.join(ROOT, `Pulumi.${stack}.yaml`)))).toBeUndefined();
  });

  it("accepts a review stack's config as the GitHub and GitLab workflows derive it", () => {
    expect(cliConfigError("pr-12", project, review)).toBeUndefined();
    expect(cliConfigError("pr-12", project, reviewStackConfig(gitlabJobScript("review")))).toBeUndefined();
  });

  it("declares every key of the project with a default", () => {
    const withoutDefault = Object.entries(project.config ?? {}).filter(([, spec]) => spec.default === undefined);
    expect(withoutDefault.map(([key]) => key)).toEqual([]);
  });
});
