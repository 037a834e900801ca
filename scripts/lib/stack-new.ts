import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { SHARED_STACKS, stackKindOf } from "../../stack-kinds";

/**
 * `npm run stack:new`: writes the config file of a personal stack. Everything here takes its
 * inputs as arguments (files, terminal, output) so that tests drive it without a terminal.
 */

export interface PersonalStack {
  name: string;
  region: string;
  accountIds: string[];
  owner: string;
}

export type Field = "name" | "region" | "account" | "owner";

/** How the user supplies each field on the command line, for "missing" messages. */
export const FLAG_OF: Record<Field, string> = {
  name: "<name> (first argument)",
  region: "--region",
  account: "--account",
  owner: "--owner",
};

export const USAGE = `Usage: npm run stack:new -- <name> --region <aws-region> --account <12-digit id> --owner <who> [--init] [--dir <project dir>]

Writes Pulumi.<name>.yaml for a personal stack (git-ignored) and prints the commands that deploy it.
--init also runs them up to the deploy (pulumi stack init, a generated API token set as a secret),
so that \`pulumi up --stack <name>\` is all that is left.
--account may be repeated (or comma-separated) to allow several accounts.
In a terminal, whatever is missing is asked for.`;

// Pulumi's own rule for stack names (letters, digits, '-', '_', '.'; at most 100 characters).
const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
// AWS region codes: eu-west-3, us-east-1, ap-southeast-2, us-gov-west-1, cn-north-1.
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const ACCOUNT_ID = /^\d{12}$/;

/** Why `name` cannot be a personal stack, or undefined when it can. */
export function nameProblem(name: string): string | undefined {
  if (!STACK_NAME.test(name)) {
    return `'${name}' is not a valid stack name: use letters, digits, '-', '_' or '.' (at most 100 characters)`;
  }
  const kind = stackKindOf(name);
  if (kind === "shared") {
    return `'${name}' is a shared stack (${SHARED_STACKS.join(", ")}): its Pulumi.${name}.yaml is committed and CI deploys it; pick a personal name such as your own`;
  }
  if (kind === "review") {
    return `'${name}' is a review stack name (pr-<number>): CI creates those for pull requests; pick a personal name such as your own`;
  }
  // A near-miss of a shared or review name would be a personal stack that reads like a shared one.
  const lower = name.toLowerCase();
  if (stackKindOf(lower) !== "personal") {
    return `'${name}' reads like the ${stackKindOf(lower)} stack '${lower}': pick a personal name such as your own`;
  }
  return undefined;
}

export function regionProblem(region: string): string | undefined {
  return REGION.test(region) ? undefined : `'${region}' is not an AWS region code (like eu-west-3)`;
}

export function accountProblem(accountId: string): string | undefined {
  return ACCOUNT_ID.test(accountId) ? undefined : `'${accountId}' is not an AWS account id (12 digits)`;
}

export function ownerProblem(owner: string): string | undefined {
  return owner.trim() === "" ? "the owner must not be empty" : undefined;
}

/** `--account 1,2 --account 3` -> ["1", "2", "3"], without duplicates. */
export function splitAccounts(values: readonly string[]): string[] {
  const ids = values
    .flatMap((value) => value.split(","))
    .map((id) => id.trim())
    .filter((id) => id !== "");
  return [...new Set(ids)];
}

export function stackFileName(name: string): string {
  return `Pulumi.${name}.yaml`;
}

/** The stack config file: the keys config.ts requires of a personal stack. */
export function renderStackConfig(project: string, stack: PersonalStack): string {
  return stringifyYaml({
    config: {
      "aws:region": stack.region,
      // Strings, not numbers: an account id may start with 0.
      "aws:allowedAccountIds": stack.accountIds.map(String),
      [`${project}:owner`]: stack.owner.trim(),
    },
  });
}

/** The commands that take the written file to a deployed stack, in order. */
export function nextCommands(project: string, name: string): string[] {
  return [
    `pulumi stack init ${name}`,
    `pulumi config set --secret --stack ${name} ${project}:apiToken "$(openssl rand -hex 32)"`,
    `pulumi up --stack ${name}`,
  ];
}

/** The project's name, which prefixes its config keys. */
export function readProjectName(dir: string): string {
  const file = path.join(dir, "Pulumi.yaml");
  if (!fs.existsSync(file)) {
    throw new StackNewError(`no Pulumi.yaml in ${dir}: run this from the project root or pass --dir <project dir>`);
  }
  const project = (parseYaml(fs.readFileSync(file, "utf8")) as { name?: unknown } | null)?.name;
  if (typeof project !== "string" || project === "") {
    throw new StackNewError(`${file} has no project name`);
  }
  return project;
}

/** What a shared stack file pins, offered as defaults when asking (personal stacks usually share the dev account). */
export function teamDefaults(dir: string): { region?: string; account?: string } {
  const file = path.join(dir, stackFileName("dev"));
  try {
    const config = (parseYaml(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null)?.config ?? {};
    const region = config["aws:region"];
    const accounts = config["aws:allowedAccountIds"];
    const account = Array.isArray(accounts) ? String(accounts[0]) : undefined;
    return {
      region: typeof region === "string" && !regionProblem(region) ? region : undefined,
      // The committed dev file may hold a placeholder account until the team fills it in.
      account: account && !accountProblem(account) && !/^0+$/.test(account) ? account : undefined,
    };
  } catch {
    return {};
  }
}

export class StackNewError extends Error {}

export interface StackNewIo {
  /** Where a relative --dir is resolved, and the default project directory. */
  cwd: string;
  /** Ask only when a person can answer. */
  interactive: boolean;
  /** The answer, or undefined when the input ended (Ctrl+D) instead. */
  ask(question: string): Promise<string | undefined>;
  out(text: string): void;
  err(text: string): void;
  /** Runs the Pulumi CLI in the project directory (for --init); `input` goes to its stdin. */
  pulumi?(args: string[], options: { cwd: string; input?: string }): { status: number; output: string };
}

const ATTEMPTS = 3;

async function askFor(
  io: StackNewIo,
  label: string,
  fallback: string | undefined,
  problem: (value: string) => string | undefined,
): Promise<string> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const given = await io.ask(fallback ? `${label} [${fallback}]: ` : `${label}: `);
    if (given === undefined) throw new StackNewError(`no ${label} given (input ended): nothing was written`);
    const answer = given.trim() || fallback || "";
    const why = answer === "" ? `${label} is required` : problem(answer);
    if (!why) return answer;
    io.err(why);
  }
  throw new StackNewError(`no valid ${label} after ${ATTEMPTS} attempts`);
}

function firstProblem(values: readonly string[], problem: (value: string) => string | undefined): string | undefined {
  for (const value of values) {
    const why = problem(value);
    if (why) return why;
  }
  return undefined;
}

function displayPath(cwd: string, file: string): string {
  const relative = path.relative(cwd, file);
  return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}

/** Runs the command; returns the process exit code. */
export async function runStackNew(argv: readonly string[], io: StackNewIo): Promise<number> {
  try {
    await stackNew(argv, io);
    return 0;
  } catch (error) {
    if (error instanceof StackNewError) {
      io.err(`stack:new: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

async function stackNew(argv: readonly string[], io: StackNewIo): Promise<void> {
  const { values, positionals } = parseFlags(argv);
  if (values.help) {
    io.out(USAGE);
    return;
  }
  const dir = path.resolve(io.cwd, values.dir ?? ".");
  const project = readProjectName(dir);
  const stack = await personalStack(io, dir, {
    name: positionals[0],
    region: values.region,
    accountIds: splitAccounts(values.account ?? []),
    owner: values.owner,
  });
  const file = writeStackFile(dir, project, stack);
  const written =
    `Wrote ${displayPath(io.cwd, file)}: personal stack '${stack.name}' of ${stack.owner}, ` +
    `${stack.region}, account ${stack.accountIds.join(", ")}. It is git-ignored: it stays on your machine.`;
  if (values.init) initStack(io, dir, project, stack.name);
  io.out([written, ...whatNext(io, dir, project, stack.name, values.init === true)].join("\n"));
}

function parseFlags(argv: readonly string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        region: { type: "string" },
        account: { type: "string", multiple: true },
        owner: { type: "string" },
        dir: { type: "string" },
        init: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new StackNewError(`${(error as Error).message}\n${USAGE}`);
  }
  if (parsed.positionals.length > 1) {
    throw new StackNewError(`one stack name expected, got ${parsed.positionals.join(" ")}\n${USAGE}`);
  }
  return parsed;
}

type Given = { name?: string; region?: string; accountIds: string[]; owner?: string };

/** What was given, checked, and what was not, asked for (in a terminal). */
async function personalStack(io: StackNewIo, dir: string, given: Given): Promise<PersonalStack> {
  // Refuse what was given before asking for what was not: no questions end in a refusal.
  refuseWhatWasGiven(given);
  refuseMissingWithoutTerminal(io, given);
  const defaults = teamDefaults(dir);
  const name = given.name ?? (await askFor(io, "stack name", undefined, nameProblem));
  if (fs.existsSync(path.join(dir, stackFileName(name)))) throw alreadyExists(dir, name);
  const region = given.region ?? (await askFor(io, "AWS region", defaults.region, regionProblem));
  const accountIds = given.accountIds.length > 0 ? given.accountIds : await askForAccounts(io, defaults.account);
  const owner = given.owner ?? (await askFor(io, "owner", name, ownerProblem));
  return { name, region, accountIds, owner: owner.trim() };
}

async function askForAccounts(io: StackNewIo, fallback: string | undefined): Promise<string[]> {
  const answer = await askFor(io, "AWS account id", fallback, (value) => firstProblem(splitAccounts([value]), accountProblem));
  return splitAccounts([answer]);
}

function refuseWhatWasGiven({ name, region, accountIds, owner }: Given): void {
  const problems = [
    name === undefined ? undefined : nameProblem(name),
    region === undefined ? undefined : regionProblem(region),
    firstProblem(accountIds, accountProblem),
    owner === undefined ? undefined : ownerProblem(owner),
  ].filter((why): why is string => why !== undefined);
  if (problems.length > 0) throw new StackNewError(problems.join("\n"));
}

function refuseMissingWithoutTerminal(io: StackNewIo, { name, region, accountIds, owner }: Given): void {
  const missing: Field[] = [];
  if (name === undefined) missing.push("name");
  if (region === undefined) missing.push("region");
  if (accountIds.length === 0) missing.push("account");
  if (owner === undefined) missing.push("owner");
  if (missing.length > 0 && !io.interactive) {
    throw new StackNewError(
      `missing ${missing.map((field) => FLAG_OF[field]).join(", ")} (not a terminal, so nothing can be asked)\n${USAGE}`,
    );
  }
}

function alreadyExists(dir: string, name: string): StackNewError {
  return new StackNewError(`${stackFileName(name)} already exists in ${dir}: edit it, or delete it first to start over`);
}

function writeStackFile(dir: string, project: string, stack: PersonalStack): string {
  const file = path.join(dir, stackFileName(stack.name));
  try {
    // "wx": never overwrite, even if the file appeared while we were asking.
    fs.writeFileSync(file, renderStackConfig(project, stack), { flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") throw alreadyExists(dir, stack.name);
    throw error;
  }
  return file;
}

/** The lines after "Wrote ...": how to deploy (after --init), or the commands that create the stack first. */
function whatNext(io: StackNewIo, dir: string, project: string, name: string, initialized: boolean): string[] {
  const elsewhere = path.relative(io.cwd, dir) !== "";
  const readBack = `Read the token back with: pulumi config get --stack ${name} ${project}:apiToken`;
  if (initialized) {
    return [
      `Created stack '${name}' and set ${project}:apiToken to a generated secret.`,
      "",
      "Deploy it:",
      `  ${elsewhere ? `cd ${dir} && ` : ""}pulumi up --stack ${name}`,
      "",
      readBack,
    ];
  }
  const commands = nextCommands(project, name);
  if (elsewhere) commands.unshift(`cd ${dir}`);
  return ["", "Next, create the stack, give it its API token, and deploy it:", ...commands.map((command) => `  ${command}`), "", readBack];
}

/** `pulumi stack init`, then a random API token set as a secret through stdin (never in argv). */
function initStack(io: StackNewIo, dir: string, project: string, name: string): void {
  if (!io.pulumi) throw new StackNewError("--init needs the Pulumi CLI, and none can be run here");
  const steps: Array<{ args: string[]; input?: string }> = [
    { args: ["stack", "init", name] },
    { args: ["config", "set", "--secret", "--stack", name, `${project}:apiToken`], input: randomBytes(32).toString("hex") },
  ];
  for (const step of steps) {
    const { status, output } = io.pulumi(step.args, { cwd: dir, input: step.input });
    if (status !== 0) {
      throw new StackNewError(
        `pulumi ${step.args.join(" ")} failed (exit ${status}):\n${output.trim()}\n` +
          `The stack file is written; finish by hand with:\n${nextCommands(project, name)
            .map((command) => `  ${command}`)
            .join("\n")}`,
      );
    }
  }
}
