import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerResult } from "aws-lambda";
import { authorizerEnv } from "./env";
import { bearerToken, tokenVerifier } from "./token";

// Checked at cold start: a wrong digest should fail the deployment's first call loudly, not deny quietly.
const verify = tokenVerifier(authorizerEnv.read().API_TOKEN_SHA256);

/** HTTP API Lambda authorizer, payload 2.0 with simple responses: false makes the gateway answer 403. */
export async function handler(event: APIGatewayRequestAuthorizerEventV2): Promise<APIGatewaySimpleAuthorizerResult> {
  const token = bearerToken(event);
  return { isAuthorized: token !== undefined && verify(token) };
}
