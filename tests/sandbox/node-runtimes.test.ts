import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MockResourceArgs } from "@pulumi/pulumi/runtime";
import { describe, expect, it } from "vitest";
import { sandboxMocks } from "../../sandbox/program/mocks";
import type { Provisioner } from "../../sandbox/program/provision";
import { LocalFunction } from "../../sandbox/services/lambda/function";
import { fixtureSandbox } from "../support/sandbox-harness";

interface Report {
  version: string;
  tmpdir: string;
  invocationsInThisTmp: number;
  maxHeaderSize: number;
  stackTraceLimit: number;
  loadedAt?: string;
}

/**
 * Functions on the Node.js major their runtime declares, each in its own process per execution
 * environment, loaded as Lambda's Node.js runtime loads them.
 */
describe("functions on the Node.js of their runtime", () => {
  const fixture = fixtureSandbox("node-runtimes");

  const invoke = async (outputKey: string): Promise<Report> => {
    const response = await fetch(
      `${fixture.local.sandbox.awsEndpoint}/2015-03-31/functions/${fixture.local.output(outputKey)}/invocations`,
      { method: "POST", body: "{}" },
    );
    expect(response.headers.get("x-amz-function-error")).toBeNull();
    return (await response.json()) as Report;
  };

  it("runs nodejs22.x on Node 22, with NODE_OPTIONS from the function's environment and its own /tmp", async () => {
    const first = await invoke("onNode22Name");
    expect(first.version).toMatch(/^v22\./);
    expect(first.stackTraceLimit).toBe(42);
    // Lambda's runtime starts Node with --max-http-header-size=81920, which NODE_OPTIONS cannot lower.
    expect(first.maxHeaderSize).toBe(81920);
    expect(first.tmpdir).not.toBe(tmpdir());
    // The same warm environment keeps its /tmp between invocations.
    expect(await invoke("onNode22Name")).toMatchObject({ tmpdir: first.tmpdir, invocationsInThisTmp: 2 });
  });

  it("runs nodejs24.x on Node 24: an ES module with top-level await, its handler in a folder", async () => {
    const report = await invoke("onNode24Name");
    expect(report.version).toMatch(/^v24\./);
    expect(report.loadedAt).toBe("init");
    // Node's default without NODE_OPTIONS, and another environment's /tmp than the other function's.
    expect(report.stackTraceLimit).toBe(10);
    expect(report.invocationsInThisTmp).toBe(1);
  });
});

describe("runtimes the sandbox does not run", () => {
  // Nothing is provisioned for a function: the provisioner answers no computed values.
  const provisioner = { create: async () => ({}) } as unknown as Provisioner;
  const declare = (runtime: string) =>
    sandboxMocks({ stack: "sandbox", apiOrigin: "http://127.0.0.1:3000", provisioner }).mocks.newResource({
      type: "aws:lambda/function:Function",
      name: "old",
      inputs: { runtime, handler: "index.handler" },
      custom: true,
    } as MockResourceArgs);

  it("refuses at deploy a runtime Lambda no longer creates functions with, in AWS's words", async () => {
    await expect(declare("nodejs18.x")).rejects.toThrow(
      "aws:lambda/function:Function old: InvalidParameterValueException: The runtime parameter of nodejs18.x is no longer supported for creating or updating AWS Lambda functions. We recommend you use the new runtime (nodejs24.x) while creating or updating functions.",
    );
    await expect(declare("nodejs8.10")).rejects.toThrow("The runtime parameter of nodejs8.10 is no longer supported");
    await expect(declare("nodejs20.x")).rejects.toThrow(
      "aws:lambda/function:Function old: InvalidParameterValueException: The runtime parameter of nodejs20.x is no longer supported for creating or updating AWS Lambda functions.",
    );
    await expect(declare("nodejs22.x")).resolves.toMatchObject({ id: expect.stringMatching(/^old-/) });
  });

  it("stops a function whose Node.js it has no binary for, saying so, rather than run it on another", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "sandbox-fn-"));
    const fn = new LocalFunction(
      {
        name: "future-1234567",
        logicalName: "future",
        arn: "arn:aws:lambda:us-east-1:000000000000:function:future-1234567",
        handler: "index.handler",
        runtime: "nodejs26.x",
        files: { "index.js": "exports.handler = async () => process.version;" },
        links: {},
        codeHash: "future",
        environment: {},
        timeoutSeconds: 3,
        memorySizeMb: 128,
      },
      { stateDir, awsEndpoint: "http://127.0.0.1:4566" },
    );
    try {
      expect(await fn.invoke({})).toMatchObject({
        ok: false,
        error: {
          errorType: "Sandbox.RuntimeUnavailable",
          errorMessage:
            "nodejs26.x needs Node.js 26, which the sandbox does not install: start the sandbox on Node.js 26, or declare nodejs24.x",
        },
      });
    } finally {
      await fn.stop();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
