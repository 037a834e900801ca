import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { setFlagsFromString } from "node:v8";
import { startSandbox } from "../sandbox";
import { consoleReporter } from "../shared/log";
import { readyBanner } from "./banner";
import { fail, parseFlags, portFlag } from "./args";
import { watchForChanges } from "../reload/watch";
import type { Deployer } from "../program/deployer";
import { faultPlanFromFlags, faultPlanText } from "../faults/flags";

const usage =
  "npm start -- [--program <dir>] [--port 3000] [--aws-port 4566] [--fresh] [--no-watch] [--config key=value ...] [--faults '<rules>' [--seed <n>]]";

const flagHelp = `  --program <dir>      the Pulumi project to run (its Pulumi.yaml); this directory by default
  --port <n>           the HTTP APIs' port (0 picks a free one)
  --aws-port <n>       the AWS endpoint's port: S3, SQS, DynamoDB, Lambda, the console (0 picks a free one)
  --fresh              remove the state directory first: tables, recorded deployment, generated secrets
  --no-watch           no hot reload: saved files change nothing until the next start
  --config key=value   a stack config value for this run, over Pulumi.sandbox.yaml (repeatable)
  --faults '<rules>'   inject faults, e.g. 'ingest-sqs-to-dynamo:error=0.3; dynamodb:throttle=0.2'
  --seed <n>           the seed of the faults' random draws, to run the same faults again`;

/**
 * Between two full collections V8 lets its heap grow by up to four times what is live, and the
 * sandbox's process allocates fast while a large file ingests (queued messages, invocations,
 * DynamoDB answers), so most of its memory was garbage waiting: it grows by half instead
 * (measured over a 300,000-row upload: a peak of 371 MB instead of 536 MB, in the same time).
 */
const heapGrowingPercent = 50;

/** Parses the flags, starts the sandbox, prints the banner, watches, and stops on a signal. */
export async function run(deployer?: Deployer): Promise<void> {
  setFlagsFromString(`--heap-growing-percent=${heapGrowingPercent}`);
  try {
    await start(deployer);
  } catch (error) {
    deployer?.stop();
    fail(error);
  }
}

async function start(deployer?: Deployer) {
  const { values } = parseFlags(
    usage,
    {
      program: { type: "string" },
      port: { type: "string" },
      "aws-port": { type: "string" },
      fresh: { type: "boolean" },
      "no-watch": { type: "boolean" },
      config: { type: "string", multiple: true },
      faults: { type: "string" },
      seed: { type: "string" },
    },
    false,
    flagHelp,
  );
  const config = Object.fromEntries(
    (values.config ?? []).map((pair) => {
      const at = pair.indexOf("=");
      if (at < 1) fail(new Error(`--config takes key=value, not '${pair}'`));
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
  const faults = faultPlanFromFlags(values.faults, values.seed);
  const programDir = resolve(values.program ?? process.cwd());
  if (!existsSync(join(programDir, "Pulumi.yaml"))) {
    fail(new Error(`--program ${values.program ?? "."}: no Pulumi.yaml in ${programDir}; give the directory of a Pulumi project`));
  }
  const reporter = consoleReporter();
  reporter.info("Starting the sandbox: emulators, then the program under Pulumi mocks...");
  const sandbox = await startSandbox({
    port: portFlag(values.port, 3000, "--port"),
    awsPort: portFlag(values["aws-port"], 4566, "--aws-port"),
    fresh: values.fresh,
    programDir,
    deployer,
    redeploys: !values["no-watch"],
    stateDir: process.env.SANDBOX_STATE_DIR,
    config,
    reporter,
    faults,
  });
  // Since the process started (performance.now()'s origin), tsx's and the imports' part included.
  reporter.info(readyBanner(sandbox, performance.now()));
  if (faults)
    reporter.info(
      `\n${faultPlanText(
        faults,
        [...sandbox.wiring.functions.values()].map((fn) => fn.spec),
      )}`,
    );
  const watcher = values["no-watch"] ? undefined : watchForChanges(sandbox, reporter);
  reporter.info(
    watcher
      ? "\nWatching the program's files: a function's source hot-reloads it, any other file of the program redeploys. Ctrl+C stops.\n"
      : "\nCtrl+C stops.\n",
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    reporter.info(`\n${signal}: stopping the sandbox...`);
    watcher?.close();
    await sandbox.stop();
    reporter.info("Stopped.");
    process.exit(0);
  };
  // A development server keeps serving: a stray failure is shown, not fatal.
  process.on("unhandledRejection", (reason) => reporter.warn(`unexpected: ${(reason as Error)?.stack ?? reason}`));
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}
