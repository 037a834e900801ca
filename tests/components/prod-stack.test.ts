import { beforeAll, describe, expect, it } from "vitest";
import { personalStackConfig, ProgramRun, runProgram } from "../support/pulumi-program";

// prod keeps its data; a personal stack (personal-stack.test.ts) is fully destroyable.
let run: ProgramRun;

beforeAll(async () => {
  run = await runProgram({ stack: "prod", config: personalStackConfig({ "job-offers:owner": undefined }), env: { CI: "true" } });
  if (run.error) throw run.error;
});

describe("the prod stack", () => {
  it("protects and retains its table, with point-in-time recovery and deletion protection", () => {
    const table = run.one("aws:dynamodb/table:Table");
    expect(table.inputs).toMatchObject({ pointInTimeRecovery: { enabled: true }, deletionProtectionEnabled: true });
    expect(table.options).toMatchObject({ protect: true, retainOnDelete: true });
  });

  it("protects and retains its bucket and never empties it on destroy", () => {
    const bucket = run.one("aws:s3/bucket:Bucket");
    expect(bucket.inputs.forceDestroy).toBe(false);
    expect(bucket.options).toMatchObject({ protect: true, retainOnDelete: true });
  });

  it("protects nothing else, so code and wiring still roll forward", () => {
    const protectedNames = run.resources.filter((resource) => resource.options.protect).map((resource) => resource.name);
    expect(protectedNames.sort()).toEqual(["ingest-uploads", "jobs"]);
  });

  it("tags resources with the stack, its kind standing in for the owner", () => {
    expect(JSON.parse(run.one("pulumi:providers:aws").inputs.defaultTags as string).tags).toEqual({
      project: "job-offers",
      stack: "prod",
      owner: "shared",
    });
  });
});
