import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Deployment, DeployRequest } from "../../sandbox/model/recorded";
import { recordDeployment, recordedDeployment, matchingRecord } from "../../sandbox/program/replay";

/** A restart on other ports serves the recorded deployment with every URL moved to this start's origins. */
describe("the recorded deployment on new ports", () => {
  const dir = mkdtempSync(join(tmpdir(), "replay-origins-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const code = `exports.handler = async () => fetch("http://127.0.0.1:3000/dev/v1"); // ${"x".repeat(2_000)}`;

  function recorded(awsEndpoint: string, apiOrigin: string): Deployment {
    return {
      project: "p",
      stack: "sandbox",
      resources: [
        {
          type: "aws:lambda/function:Function",
          name: "fn",
          inputs: { code: { files: { "index.js": code } }, environment: { variables: { AWS_ENDPOINT_URL: awsEndpoint } } },
          state: { name: "fn-1", arn: "arn:aws:lambda:us-east-1:000000000000:function:fn-1" },
        },
      ],
      outputs: { apiUrl: `${apiOrigin}/dev`, queueUrl: `${awsEndpoint}/000000000000/jobs`, elsewhere: "http://127.0.0.1:45660/x" },
      notes: [],
      bundles: [],
      programFiles: [],
    } as unknown as Deployment;
  }

  it("moves each recorded origin once, even to the other one's old port, and leaves longer ports alone", () => {
    const stateDir = join(dir, "state");
    const request = (awsEndpoint: string, apiOrigin: string): DeployRequest => ({
      programDir: dir,
      project: "p",
      stack: "sandbox",
      config: {},
      secretKeys: [],
      awsEndpoint,
      apiOrigin,
      bundleCacheDir: join(dir, "bundles"),
    });
    recordDeployment(
      stateDir,
      recorded("http://127.0.0.1:4566", "http://127.0.0.1:3000"),
      request("http://127.0.0.1:4566", "http://127.0.0.1:3000"),
    );
    const key = matchingRecord(stateDir, request("", ""))!;
    // This start's endpoint is on the port the API had last time.
    const moved = recordedDeployment(stateDir, key, { awsEndpoint: "http://127.0.0.1:3000", apiOrigin: "http://127.0.0.1:3001" });
    expect(moved).toEqual({
      ...recorded("http://127.0.0.1:3000", "http://127.0.0.1:3001"),
      resources: [
        {
          ...recorded("", "").resources[0],
          inputs: {
            code: { files: { "index.js": code.replace("127.0.0.1:3000", "127.0.0.1:3001") } },
            environment: { variables: { AWS_ENDPOINT_URL: "http://127.0.0.1:3000" } },
          },
        },
      ],
    });
  });
});
