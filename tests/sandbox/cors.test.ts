import { describe, expect, it } from "vitest";
import { preflightResponse, withCorsHeaders, type CorsConfiguration } from "../../sandbox/services/apigateway/cors";
import type { GatewayRequest } from "../../sandbox/services/apigateway/payload";

/** The gateway's CORS answers for a configuration that lists its origins. */

const cors: CorsConfiguration = {
  allowOrigins: ["https://jobs.example.com"],
  allowMethods: ["GET", "POST"],
  allowHeaders: ["authorization"],
  exposeHeaders: ["location"],
  maxAge: 60,
};
const request = (headers: Record<string, string>, method = "OPTIONS") => ({ method, headers }) as unknown as GatewayRequest;
const corsHeaders = (headers: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => name.startsWith("access-control-")));

describe("the local gateway's CORS", () => {
  it("answers a preflight from a listed origin with that origin and the configured headers", () => {
    const answer = preflightResponse(cors, request({ origin: "https://jobs.example.com", "access-control-request-method": "POST" }));
    expect(answer.statusCode).toBe(204);
    expect(answer.headers).toEqual({
      "access-control-allow-origin": "https://jobs.example.com",
      "access-control-allow-methods": "GET,POST",
      "access-control-allow-headers": "authorization",
      "access-control-max-age": "60",
    });
  });

  it("answers a preflight from another origin with no CORS headers, so the browser refuses", () => {
    const answer = preflightResponse(cors, request({ origin: "https://evil.example", "access-control-request-method": "POST" }));
    expect(answer.statusCode).toBe(204);
    expect(answer.headers).toEqual({});
  });

  it("replaces the CORS headers a function sets with the configured ones", () => {
    const fromFunction = {
      statusCode: 200,
      headers: { "content-type": "application/json", "access-control-allow-origin": "*" },
      body: Buffer.from("{}"),
    };
    const listed = withCorsHeaders(cors, request({ origin: "https://jobs.example.com" }, "GET"), fromFunction);
    expect(corsHeaders(listed.headers)).toEqual({
      "access-control-allow-origin": "https://jobs.example.com",
      "access-control-expose-headers": "location",
    });
    expect(listed.headers["content-type"]).toBe("application/json");
    expect(corsHeaders(withCorsHeaders(cors, request({ origin: "https://evil.example" }, "GET"), fromFunction).headers)).toEqual({});
  });
});
