import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { JobStore } from "../../runtime/jobs/store";
import { jobVersion } from "../../runtime/jobs/version";
import { CITY_INDEX_NAME } from "../../components/jobs-table-args";
import { createJobsTable, credentials, Emulators, region, startEmulators } from "../support/emulators";

let emulators: Emulators;
let store: JobStore;

beforeAll(async () => {
  emulators = await startEmulators();
  await createJobsTable(emulators.dynamo, "jobs");
  store = new JobStore("jobs", CITY_INDEX_NAME, new DynamoDBClient({ endpoint: emulators.awsEndpoint, region, credentials }));
});
afterAll(() => emulators.stop());

describe("JobStore", () => {
  it("keeps the newest version whatever order the writes arrive in", async () => {
    const older = jobVersion("2026-11-01T10:00:00Z", 7);
    const newer = jobVersion("2026-11-01T10:00:00Z", 9);
    expect(await store.putIfNewer({ id: "j1", city: "Paris", title: "new" }, newer)).toBe("written");
    expect(await store.putIfNewer({ id: "j1", city: "Paris", title: "old" }, older)).toBe("stale");
    expect(await store.putIfNewer({ id: "j1", city: "Paris", title: "new again" }, newer)).toBe("stale");
    expect(await store.get({ id: "j1", city: "Paris" })).toEqual({ id: "j1", city: "Paris", title: "new" });
  });

  it("creates once, then reports the item exists", async () => {
    const version = jobVersion(new Date(), 0);
    expect(await store.create({ id: "j2", city: "Lyon" }, version)).toBe("created");
    expect(await store.create({ id: "j2", city: "Lyon" }, version)).toBe("exists");
  });

  it("lists by id, pages by city through the index, deletes once", async () => {
    const version = jobVersion(new Date(), 0);
    for (const city of ["Nantes", "Lille", "Brest"]) await store.putIfNewer({ id: "j3", city }, version);
    expect((await store.listById("j3")).map((job) => job.city)).toEqual(["Brest", "Lille", "Nantes"]);
    const first = await store.list({ city: "Lille", limit: 1 });
    expect(first.items).toEqual([{ id: "j3", city: "Lille" }]);
    expect(await store.delete({ id: "j3", city: "Lille" })).toBe(true);
    expect(await store.delete({ id: "j3", city: "Lille" })).toBe(false);
  });
});
