import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { fixtureSandbox } from "../support/sandbox-harness";

interface Report {
  version: string;
  tmpdir: string;
  invocationsInThisTmp: number;
  maxHeaderSize: number;
  loadedAt?: string;
}

/**
 * Functions on the Node.js major their runtime declares, each in its own process per execution
 * environment, loaded as Lambda's Node.js runtime loads them.
 */
describe("functions on the Node.js of their runtime", () => {
  const fixture = fixtureSandbox("node-runtimes");

  const invoke = async (outputKey: string): Promise<Report> => {
    const response = await fetch(`${fixture.local.sandbox.awsEndpoint}/2015-03-31/functions/${fixture.local.output(outputKey)}/invocations`, { method: "POST", body: "{}" });
    expect(response.headers.get("x-amz-function-error")).toBeNull();
    return (await response.json()) as Report;
  };

  it("runs nodejs22.x on Node 22, with NODE_OPTIONS from the function's environment and its own /tmp", async () => {
    const first = await invoke("onNode22Name");
    expect(first.version).toMatch(/^v22\./);
    expect(first.maxHeaderSize).toBe(32768);
    expect(first.tmpdir).not.toBe(tmpdir());
    // The same warm environment keeps its /tmp between invocations.
    expect(await invoke("onNode22Name")).toMatchObject({ tmpdir: first.tmpdir, invocationsInThisTmp: 2 });
  });

  it("runs nodejs24.x on Node 24: an ES module with top-level await, its handler in a folder", async () => {
    const report = await invoke("onNode24Name");
    expect(report.version).toMatch(/^v24\./);
    expect(report.loadedAt).toBe("init");
    // Node's default, and another environment's /tmp than the other function's.
    expect(report.maxHeaderSize).toBe(16384);
    expect(report.invocationsInThisTmp).toBe(1);
  });
});
