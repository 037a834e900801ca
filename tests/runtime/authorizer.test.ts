import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerResult } from "aws-lambda";
import { tokenVerifier } from "../../runtime/authorizer/token";
import { authorizerEvent } from "../support/api-events";

const TOKEN = "s3cr3t-token_with.all~chars+/=";

let handler: (event: APIGatewayRequestAuthorizerEventV2) => Promise<APIGatewaySimpleAuthorizerResult>;

beforeAll(async () => {
  process.env.API_TOKEN_SHA256 = createHash("sha256").update(TOKEN).digest("hex");
  ({ handler } = await import("../../runtime/authorizer/index"));
});

const authorize = (headers: Record<string, string>, identitySource?: string[]) =>
  handler(authorizerEvent({ method: "POST", path: "/v1/jobs", headers, identitySource }));

describe("authorizer", () => {
  it("authorizes the right bearer token", async () => {
    expect(await authorize({ authorization: `Bearer ${TOKEN}` })).toEqual({ isAuthorized: true });
  });

  it("accepts the scheme in any case and a header name that was not lower-cased", async () => {
    expect(await authorize({ authorization: `bearer ${TOKEN}` })).toEqual({ isAuthorized: true });
    const event = authorizerEvent({ method: "PUT", path: "/v1/jobs/a/b" });
    event.headers = { Authorization: `Bearer ${TOKEN}` };
    expect(await handler(event)).toEqual({ isAuthorized: true });
  });

  it("falls back to the identity source API Gateway extracted", async () => {
    expect(await authorize({}, [`Bearer ${TOKEN}`])).toEqual({ isAuthorized: true });
  });

  it("refuses a wrong token", async () => {
    for (const token of ["wrong", TOKEN.toUpperCase(), `${TOKEN}x`, TOKEN.slice(0, -1)]) {
      expect(await authorize({ authorization: `Bearer ${token}` }), token).toEqual({ isAuthorized: false });
    }
  });

  it("refuses a missing or malformed header", async () => {
    expect(await authorize({})).toEqual({ isAuthorized: false });
    expect(await authorize({}, [])).toEqual({ isAuthorized: false });
    for (const header of [TOKEN, `Basic ${TOKEN}`, "Bearer", "Bearer ", `Bearer ${TOKEN} extra`, `Bearer${TOKEN}`, `Token ${TOKEN}`]) {
      expect(await authorize({ authorization: header }), header).toEqual({ isAuthorized: false });
    }
  });

  it("never authorizes the digest itself as a token", async () => {
    expect(await authorize({ authorization: `Bearer ${process.env.API_TOKEN_SHA256}` })).toEqual({ isAuthorized: false });
  });

  it("refuses to start with a digest that is not 64 hex characters", () => {
    expect(() => tokenVerifier("abc")).toThrow(/API_TOKEN_SHA256/);
    expect(() => tokenVerifier(TOKEN)).toThrow(/API_TOKEN_SHA256/);
  });
});
