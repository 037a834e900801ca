import { readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { startLocalAws, type LocalAws } from "./endpoint";
import { HttpGateway } from "./services/apigateway/gateway";
import { Deployer } from "./program/deployer";
import { bundleCacheDirFor } from "./program/bundle-cache";
import type { Deployment, DeployRequest } from "./model/recorded";
import { matchingRecord, provisionReplayed, recordDeployment, recordedDeployment, sameDeployment } from "./program/replay";
import { Provisioner } from "./program/provision";
import { sandboxStackConfig } from "./program/stack-config";
import { sandboxCredentials, sandboxRegion, sandboxStack } from "./shared/constants";
import { consoleReporter, observedReporter, type Reporter } from "./shared/log";
import { Wiring } from "./wiring";
import { handleSnsRequest, isSnsRequest } from "./services/sns/query-api";
import { fireRoute } from "./services/events/fire-route";
import { lambdaApi } from "./services/lambda/lambda-api";
import { apiGatewayApi } from "./services/apigateway/management-api";
import { logsApi } from "./services/cloudwatch/logs-api";
import { FunctionLogs } from "./services/cloudwatch/function-logs";
import { controlRoutes } from "./control-routes";
import { outputsFile, writeOutputs, type SandboxOutputs } from "./shared/outputs";
import { lockStateDir, stateLockFile } from "./shared/state-lock";
import { FaultPlan } from "./faults/plan";
import { EndpointFaults } from "./faults/endpoint";
import { LocalCloudWatch } from "./services/cloudwatch/local-cloudwatch";
import { LocalMetrics } from "./services/cloudwatch/metrics";
import { InvocationLog } from "./console/invocation-log";
import { consolePath, consoleRoutes } from "./console/routes";

export interface SandboxOptions {
  /** HTTP API port (`--port`); 0 picks a free one. */
  port?: number;
  /** AWS endpoint port (`--aws-port`); 0 picks a free one. */
  awsPort?: number;
  /** Wipe `.sandbox/` first (`--fresh`). */
  fresh?: boolean;
  /** Directory holding Pulumi.yaml and index.ts. */
  programDir?: string;
  /** Where state lives; `<programDir>/.sandbox` by default. */
  stateDir?: string;
  /** Stack config overrides (`key=value`, project keys unqualified), e.g. short timeouts in tests. */
  config?: Record<string, string>;
  reporter?: Reporter;
  /** Delays between async retries; Lambda's are minutes, the sandbox's seconds. */
  retryDelaysMs?: number[];
  /** Injected faults (`--faults`, `--seed`); none by default. */
  faults?: FaultPlan;
  /** A deployer already started (the CLI starts one before its own imports, to overlap them). */
  deployer?: Deployer;
  /**
   * Whether redeployments will follow (hot reload): then a deployer process is kept started in
   * advance, so that each costs the program's run only. True unless said.
   */
  redeploys?: boolean;
}

export interface Sandbox {
  /** The faults in force; `faults.replace(...)` changes them while the sandbox runs. */
  faults: FaultPlan;
  outputs: SandboxOutputs;
  deployment: Deployment;
  wiring: Wiring;
  /** The program's alarms and the metrics they are evaluated on. */
  cloudwatch: LocalCloudWatch;
  awsEndpoint: string;
  /** The console's page (`consoleUrl` in outputs.json). */
  consoleUrl: string;
  apiOrigin: string;
  stateDir: string;
  programDir: string;
  /**
   * Started from the recorded deployment: settles once a real run of the program confirmed it, or
   * its different result was applied, or its failure was reported.
   */
  confirmation?: Promise<void>;
  /** Runs the program again and applies the result (what hot reload calls). */
  redeploy(): Promise<{ swapped: string[]; rewired: boolean }>;
  stop(): Promise<void>;
}

/**
 * The ordered start-up: state, the AWS endpoint, the HTTP server (its URL is an input of the
 * deployment), the program under mocks, the wiring, then outputs.json. A failure at any step
 * stops what already started.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const programDir = resolve(options.programDir ?? process.cwd());
  const stateDir = resolve(options.stateDir ?? join(programDir, ".sandbox"));
  // What the functions write is kept for CloudWatch Logs' API as it is shown.
  const functionLogs = new FunctionLogs();
  const terminal = options.reporter ?? consoleReporter();
  // Told of every invocation from the start: the console's log and the alarms' figures.
  const invocations = new InvocationLog();
  const metrics = new LocalMetrics();
  const reporter = functionLogs.recording(observedReporter(terminal, [metrics, invocations]));
  // Checked before --fresh wipes anything: another sandbox may be using this state.
  const releaseLock = lockStateDir(stateDir);
  if (options.fresh) {
    const had = readdirSync(stateDir).filter((entry) => entry !== stateLockFile);
    rmSync(stateDir, { recursive: true, force: true });
    lockStateDir(stateDir);
    // Secrets the sandbox generated (a stack's API token) are generated anew: one copied before stops working.
    if (had.length > 0)
      terminal.info(
        `--fresh: removed ${stateDir}: the tables' items, the recorded deployment, and the config values the sandbox generated (secrets: new ones are generated now).`,
      );
  }
  // Artifacts of earlier runs (one folder per code version): this run writes its own.
  rmSync(join(stateDir, "functions"), { recursive: true, force: true });

  const deployer = options.deployer ?? new Deployer(programDir);
  deployer.keepSpare = options.redeploys ?? true;
  // Read again on every deployment: a change to Pulumi.yaml or Pulumi.sandbox.yaml is a change to the program.
  let secrets: Record<string, string> = {};
  const request = (origins: Pick<DeployRequest, "awsEndpoint" | "apiOrigin">): DeployRequest => {
    const stack = sandboxStackConfig({ programDir, stateDir, stack: sandboxStack, overrides: options.config });
    secrets = stack.generatedSecrets;
    return {
      programDir,
      project: stack.project,
      stack: sandboxStack,
      config: stack.config,
      secretKeys: stack.secretKeys,
      bundleCacheDir: bundleCacheDirFor(programDir, stateDir),
      ...origins,
    };
  };
  // A start that replays the recorded deployment leaves the CPU to that; the deployer starts for
  // the confirming run. Otherwise the deployer's start overlaps the emulators'.
  const record = (() => {
    try {
      return matchingRecord(stateDir, request({ awsEndpoint: "", apiOrigin: "" }));
    } catch {
      // Unreadable stack config: the deployment reports it, below.
      return undefined;
    }
  })();
  if (!record) deployer.prepare();
  const stoppers: Array<() => Promise<void> | void> = [releaseLock, () => deployer.stop()];
  const stopAll = async () => {
    for (const stop of stoppers.reverse()) await stop();
    stoppers.length = 0;
  };
  try {
    const gateway = new HttpGateway(reporter);
    await gateway.listen(options.port ?? 3000);
    stoppers.push(() => gateway.stop());
    const aws: LocalAws = await startLocalAws({ port: options.awsPort ?? 4566, stateDir });
    stoppers.push(() => aws.stop());
    aws.trustedOrigins.push(gateway.origin);

    const origins = { awsEndpoint: aws.origin, apiOrigin: gateway.origin };
    let stopping = false;
    const deploy = async () => {
      const asked = request(origins);
      const deployed = await deployer.deploy(asked);
      // Off the path of the start or redeploy that waits for it: the record is for the next start.
      setImmediate(() => {
        try {
          recordDeployment(stateDir, deployed, asked);
        } catch {
          // A state directory removed meanwhile: the next start runs the program.
        }
      });
      return deployed;
    };
    let deployment = record ? await replay(recordedDeployment(stateDir, record, origins), aws.origin) : undefined;
    const replayed = deployment !== undefined;
    deployment ??= await deploy();
    deployment.notes.forEach((note) => reporter.warn(note));

    const clientConfig = { endpoint: aws.origin, region: sandboxRegion, credentials: sandboxCredentials };
    const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
    const sqs = new SQSClient(clientConfig);
    stoppers.push(() => {
      s3.destroy();
      sqs.destroy();
    });
    const faults = options.faults ?? new FaultPlan();
    aws.faults = new EndpointFaults(faults);
    const wiring = new Wiring(deployment, { aws, gateway, s3, sqs, stateDir, reporter, retryDelaysMs: options.retryDelaysMs, faults });
    stoppers.push(() => wiring.stop());
    const cloudwatch = new LocalCloudWatch({
      metrics,
      index: () => wiring.index,
      queueFigures: (name) => aws.queueFigures(name),
      publish: (topicArn, subject, message) => {
        if (!wiring.topics.has(topicArn)) return false;
        wiring.topics.publish({ topicArn, subject, message, messageAttributes: {} });
        return true;
      },
      reporter: terminal,
    });
    const dynamo = new DynamoDBClient(clientConfig);
    stoppers.push(() => dynamo.destroy());
    cloudwatch.start();
    stoppers.push(() => cloudwatch.stop());
    const control = controlRoutes(() => wiring, reporter, { s3, programDir });
    const consolePages = consoleRoutes({
      index: () => wiring.index,
      functions: () => wiring.functions.values(),
      queueFigures: (name) => aws.queueFigures(name),
      queueContents: (name) => aws.queueContents(name),
      s3,
      sqs,
      dynamo,
      cloudwatch,
      invocations,
    });
    let deployedAt = new Date();
    const lambda = lambdaApi(() => wiring.index);
    const apigateway = apiGatewayApi(
      () => wiring.index,
      () => deployedAt,
    );
    const logs = logsApi(
      () => wiring.index,
      functionLogs,
      () => deployedAt,
    );
    aws.extraRoutes = (request, response) => {
      if (isSnsRequest(request)) {
        handleSnsRequest(request, response, wiring.topics).catch((error) => response.destroy(error as Error));
        return true;
      }
      return (
        fireRoute(request, response, wiring.schedules) ||
        control(request, response) ||
        lambda(request, response) ||
        apigateway(request, response) ||
        logs(request, response) ||
        consolePages(request, response)
      );
    };
    const consoleUrl = `${aws.origin}${consolePath}`;

    const outputsOf = (current: Deployment): SandboxOutputs => ({
      ...current.outputs,
      awsEndpoint: aws.origin,
      region: sandboxRegion,
      consoleUrl,
      secrets,
    });
    const sandbox: Sandbox = {
      faults,
      outputs: outputsOf(deployment),
      deployment,
      wiring,
      cloudwatch,
      awsEndpoint: aws.origin,
      consoleUrl,
      apiOrigin: gateway.origin,
      stateDir,
      programDir,
      async redeploy() {
        // After the confirming deployment, if one runs: the newer run of the program is the one kept.
        await sandbox.confirmation?.catch(() => undefined);
        return apply(await deploy());
      },
      stop: async () => {
        stopping = true;
        await stopAll();
      },
    };
    const apply = async (next: Deployment) => {
      deployment = next;
      deployment.notes.forEach((note) => reporter.warn(note));
      const result = await wiring.update(deployment);
      deployedAt = new Date();
      sandbox.deployment = deployment;
      sandbox.outputs = outputsOf(deployment);
      writeOutputs(stateDir, sandbox.outputs);
      return result;
    };
    if (replayed) {
      reporter.info(
        "Started from the recorded deployment (nothing it depends on changed since the last start); the program runs in the background to confirm it.",
      );
      // Once the sandbox is ready and its caller has said so: forking the deployer and reading the
      // stack config again take tens of milliseconds that a replayed start does not wait for.
      sandbox.confirmation = new Promise((resolve) => setImmediate(resolve)).then(() =>
        stopping
          ? undefined
          : confirm(
              deploy,
              () => sandbox.deployment,
              apply,
              reporter,
              () => stopping,
            ),
      );
    }
    writeOutputs(stateDir, sandbox.outputs);
    // Commands find a sandbox through outputs.json: a stopped one must not look alive.
    stoppers.push(() => rmSync(outputsFile(stateDir), { force: true }));
    return sandbox;
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The recorded deployment, created again in the emulators. */
async function replay(recorded: Deployment | undefined, awsEndpoint: string): Promise<Deployment | undefined> {
  if (!recorded) return undefined;
  const provisioner = new Provisioner(awsEndpoint);
  try {
    // Its notes were said when it was made.
    return (await provisionReplayed(provisioner, recorded)) ? { ...recorded, notes: [] } : undefined;
  } catch {
    return undefined;
  } finally {
    provisioner.destroy();
  }
}

/** Runs the program behind a replayed start: the same result confirms it, another one is applied as a redeploy's. */
async function confirm(
  deploy: () => Promise<Deployment>,
  current: () => Deployment,
  apply: (next: Deployment) => Promise<{ swapped: string[]; rewired: boolean }>,
  reporter: Reporter,
  stopping: () => boolean,
): Promise<void> {
  const started = performance.now();
  let real: Deployment;
  try {
    real = await deploy();
  } catch (error) {
    if (!stopping()) reporter.warn(`the program failed to deploy; the recorded deployment keeps running:\n${(error as Error).message}`);
    return;
  }
  if (stopping()) return;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (sameDeployment(real, current())) {
    reporter.info(`The program's deployment confirmed the recorded one (${seconds} s).`);
    return;
  }
  try {
    const { swapped, rewired } = await apply(real);
    const what = rewired ? "triggers rewired" : swapped.length > 0 ? `${swapped.join(", ")} updated` : "outputs updated";
    reporter.warn(`The program's deployment differs from the recorded one: applied (${what}, ${seconds} s).`);
  } catch (error) {
    reporter.warn(
      `The program's deployment differs from the recorded one and could not be applied; the recorded one keeps running:\n${(error as Error).message}`,
    );
  }
}
