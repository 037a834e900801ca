import { rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { startLocalAws, type LocalAws } from "./endpoint";
import { HttpGateway } from "./services/apigateway/gateway";
import { Deployer } from "./program/deployer";
import type { Deployment } from "./model/recorded";
import { sandboxStackConfig } from "./program/stack-config";
import { sandboxCredentials, sandboxRegion, sandboxStack } from "./shared/constants";
import { consoleReporter, type Reporter } from "./shared/log";
import { Wiring } from "./wiring";
import { handleSnsRequest, isSnsRequest } from "./services/sns/query-api";
import { fireRoute } from "./services/events/fire-route";
import { controlRoutes } from "./control-routes";
import { outputsFile, writeOutputs, type SandboxOutputs } from "./shared/outputs";
import { lockStateDir } from "./shared/state-lock";
import { FaultPlan } from "./faults/plan";
import { EndpointFaults } from "./faults/endpoint";

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
}

export interface Sandbox {
  /** The faults in force; `faults.replace(...)` changes them while the sandbox runs. */
  faults: FaultPlan;
  outputs: SandboxOutputs;
  deployment: Deployment;
  wiring: Wiring;
  awsEndpoint: string;
  apiOrigin: string;
  stateDir: string;
  programDir: string;
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
  const reporter = options.reporter ?? consoleReporter();
  // Checked before --fresh wipes anything: another sandbox may be using this state.
  const releaseLock = lockStateDir(stateDir);
  if (options.fresh) {
    rmSync(stateDir, { recursive: true, force: true });
    lockStateDir(stateDir);
  }
  // Artifacts of earlier runs (one folder per code version): this run writes its own.
  rmSync(join(stateDir, "functions"), { recursive: true, force: true });

  const deployer = options.deployer ?? new Deployer(programDir);
  deployer.prepare();
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

    // Read again on every deployment: a change to Pulumi.yaml or Pulumi.sandbox.yaml is a change to the program.
    let secrets: Record<string, string> = {};
    const deploy = () => {
      const stack = sandboxStackConfig({ programDir, stateDir, stack: sandboxStack, overrides: options.config });
      secrets = stack.generatedSecrets;
      return deployer.deploy({
        programDir,
        project: stack.project,
        stack: sandboxStack,
        config: stack.config,
        secretKeys: stack.secretKeys,
        awsEndpoint: aws.origin,
        apiOrigin: gateway.origin,
        bundleCacheDir: join(stateDir, "bundles"),
      });
    };
    let deployment = await deploy();
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
    const control = controlRoutes(() => wiring, reporter, { s3, programDir });
    aws.extraRoutes = (request, response) => {
      if (isSnsRequest(request)) {
        handleSnsRequest(request, response, wiring.topics).catch((error) => response.destroy(error as Error));
        return true;
      }
      return fireRoute(request, response, wiring.schedules) || control(request, response);
    };

    const outputsOf = (current: Deployment): SandboxOutputs => ({
      ...current.outputs,
      awsEndpoint: aws.origin,
      region: sandboxRegion,
      secrets,
    });
    const sandbox: Sandbox = {
      faults,
      outputs: outputsOf(deployment),
      deployment,
      wiring,
      awsEndpoint: aws.origin,
      apiOrigin: gateway.origin,
      stateDir,
      programDir,
      async redeploy() {
        deployment = await deploy();
        deployment.notes.forEach((note) => reporter.warn(note));
        const result = await wiring.update(deployment);
        sandbox.deployment = deployment;
        sandbox.outputs = outputsOf(deployment);
        writeOutputs(stateDir, sandbox.outputs);
        return result;
      },
      stop: stopAll,
    };
    writeOutputs(stateDir, sandbox.outputs);
    // Commands find a sandbox through outputs.json: a stopped one must not look alive.
    stoppers.push(() => rmSync(outputsFile(stateDir), { force: true }));
    return sandbox;
  } catch (error) {
    await stopAll();
    throw error;
  }
}
