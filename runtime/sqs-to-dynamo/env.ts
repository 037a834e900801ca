import { defineEnv } from "../env";

export const consumerEnv = defineEnv("sqs-to-dynamo", {
  TABLE_NAME: "name of the jobs table",
});
