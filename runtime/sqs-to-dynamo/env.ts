import { defineEnv } from "../env";

export const sqsToDynamoEnv = defineEnv("sqs-to-dynamo", {
  TABLE_NAME: "name of the jobs table",
});
