import type { ChildProcess } from "node:child_process";
import type { Deployment, DeployRequest } from "../model/recorded";
import { forkDeployer } from "./fork-deployer.mjs";

/** The program failed to deploy: its own message (e.g. a config guard), without our stack. */
export class DeploymentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeploymentError";
  }
}

/**
 * Runs deployments in fresh deployer processes, keeping one started in advance: a redeploy after
 * a change then costs the program's run, not Node's start-up and Pulumi's import.
 */
export class Deployer {
  private spare?: ChildProcess;
  /**
   * Whether to keep a process started in advance after each deployment: worth its memory (Pulumi,
   * the AWS provider, TypeScript: about 200 MB) only when redeployments will follow, as with hot reload.
   */
  keepSpare = true;

  /** `spare`: a deployer process someone already forked (`forkDeployer`). */
  constructor(
    private readonly cwd: string,
    spare?: ChildProcess,
  ) {
    this.spare = spare;
  }

  prepare(): void {
    if (!this.spare || this.spare.exitCode !== null) this.spare = forkDeployer(this.cwd);
  }

  async deploy(request: DeployRequest): Promise<Deployment> {
    this.prepare();
    const child = this.spare!;
    this.spare = undefined;
    try {
      return await new Promise<Deployment>((resolve, reject) => {
        child.on("message", (message: { type: string; deployment?: Deployment; message?: string }) => {
          if (message.type === "deployed") resolve(message.deployment!);
          if (message.type === "failed") reject(new DeploymentError(message.message ?? "the program failed"));
        });
        child.on("exit", (code) => reject(new DeploymentError(`the deployer exited (code ${code}) before reporting`)));
        child.send({ type: "deploy", request });
      });
    } finally {
      if (child.exitCode === null) child.kill();
      if (this.keepSpare) this.prepare();
    }
  }

  stop(): void {
    this.spare?.kill();
    this.spare = undefined;
  }
}
