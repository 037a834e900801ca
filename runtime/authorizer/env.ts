import { defineEnv } from "../env";

export const authorizerEnv = defineEnv("authorizer", {
  API_TOKEN_SHA256: "hex SHA-256 of the API token: the function never holds the token itself",
});
