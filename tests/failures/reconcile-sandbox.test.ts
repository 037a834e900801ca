import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeleteItemCommand } from "@aws-sdk/client-dynamodb";
import { eventually, repoRoot, startTestSandbox, type TestSandbox } from "../support/sandbox-harness";
import { csvFile, queueQuiet, readJson, runReconcile, upload } from "./support";

/** `npm run reconcile` against the sandbox: the command a user runs after an upload. */
describe("npm run reconcile against the sandbox", () => {
  let local: TestSandbox;
  const file = csvFile("reconcile-me.csv", ["id,city,title", "r-1,Paris,Dev", "r-2,,Dev", "r-3,Lyon,Ops", "r-3,Lyon,Ops again"]);

  beforeAll(async () => {
    local = await startTestSandbox({ programDir: repoRoot });
    await upload(local, "job_offers/reconcile-me.csv", file.body);
    await eventually(() => readJson(local, "reports/reconcile-me.json"), 20_000, "the report");
    await queueQuiet(local, local.output("queueUrl"));
  });
  afterAll(async () => {
    await local?.stop();
  });

  it("accounts for every row and exits 0", async () => {
    const result = await runReconcile(local, file.path);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/job_offers\/reconcile-me.csv: 4 row\(s\)/);
    expect(result.stdout).toMatch(/stored at their version +2/);
    // r-3 is given twice: the later line wins, the earlier is superseded, not lost.
    expect(result.stdout).toMatch(/superseded by a newer write +1/);
    expect(result.stdout).toMatch(/rejected in the report +1/);
    expect(result.stdout).toMatch(/unaccounted +0/);
  });

  it("names a row that went missing and exits 1", async () => {
    await local.dynamo.send(
      new DeleteItemCommand({ TableName: local.output("tableName"), Key: { id: { S: "r-1" }, city: { S: "Paris" } } }),
    );
    const result = await runReconcile(local, file.path);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/unaccounted +1/);
    expect(result.stdout).toContain("line 2 r-1 / Paris: not in the table");
  });

  it("says when there is no report for the file under the key it was given", async () => {
    const result = await runReconcile(local, file.path, ["--key", "job_offers/never-uploaded.csv"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("note: no ingestion report for job_offers/never-uploaded.csv");
  });

  it("exits 1 when the report says the upload failed, even with every row read so far accounted for", async () => {
    const broken = csvFile("broken.csv", ["id,city,title", "b-1,Paris,Dev", 'b-2,Lyon,"never closed']);
    await upload(local, "job_offers/broken.csv", broken.body);
    await eventually(() => readJson(local, "reports/broken.json"), 20_000, "the report");
    await queueQuiet(local, local.output("queueUrl"));
    const result = await runReconcile(local, broken.path);
    expect(result.stdout).toMatch(/unaccounted +0/);
    expect(result.stdout).toContain(
      "note: the report says the upload failed: line 3: a quoted field opened in this record is never closed",
    );
    expect(result.code).toBe(1);
  });
});
