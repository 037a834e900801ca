import { defineEnv } from "../env";

export const jobApiEnv = defineEnv("job-api", {
  TABLE_NAME: "name of the jobs table",
  CITY_INDEX_NAME: "name of the table's global secondary index keyed by city, then id",
  CURSOR_SIGNING_KEY: "key that signs pagination cursors (derived from the stack secret, never the secret itself)",
});
