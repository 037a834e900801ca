import { createHash, timingSafeEqual } from "node:crypto";
import type { APIGatewayRequestAuthorizerEventV2 } from "aws-lambda";

/**
 * The bearer token of a request: the `authorization` header, or the identity source API Gateway
 * extracted (the same header when the authorizer's identity source is `$request.header.Authorization`).
 */
export function bearerToken(event: APIGatewayRequestAuthorizerEventV2): string | undefined {
  const header = headerValue(event.headers, "authorization") ?? event.identitySource?.[0];
  // RFC 6750: scheme is case-insensitive; the token is token68 (no spaces).
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header ?? "");
  return match?.[1];
}

function headerValue(headers: Record<string, string | undefined> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  // Payload 2.0 lower-cases header names; other callers (tests, local gateways) may not.
  return headers[name] ?? Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
}

/**
 * A check of tokens against the hex SHA-256 of the right one. Comparing digests of equal length
 * in constant time leaks neither the token nor how much of it a guess got right.
 */
export function tokenVerifier(expectedSha256Hex: string): (token: string) => boolean {
  if (!/^[0-9a-fA-F]{64}$/.test(expectedSha256Hex)) {
    throw new Error("authorizer: API_TOKEN_SHA256 must be the 64-character hex SHA-256 of the API token");
  }
  const expected = Buffer.from(expectedSha256Hex, "hex");
  return (token) => timingSafeEqual(createHash("sha256").update(token, "utf8").digest(), expected);
}
