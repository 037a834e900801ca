import type { APIGatewayProxyEventV2, APIGatewayRequestAuthorizerEventV2 } from "aws-lambda";

/**
 * API Gateway HTTP API events, payload format 2.0, shaped like the ones the gateway delivers:
 * lower-cased headers, repeated query values joined by commas in `queryStringParameters`, the
 * stage still in `rawPath` on the execute-api domain, text bodies as-is and binary ones base64.
 *
 * `rawPath` carries the path as the client encoded it, as the sandbox's gateway and Lambda function
 * URLs deliver it. The AWS HTTP API itself delivers it percent-decoded (published captures:
 * `/a/S%C3%A3o%20Paulo` arrives as `/a/São Paulo`, `%2F` as `/`): `pathDecodedByGateway` does that.
 */
export const API_ID = "a1b2c3d4e5";
export const ACCOUNT_ID = "123456789012";
const DOMAIN = `${API_ID}.execute-api.us-east-1.amazonaws.com`;

export interface HttpRequest {
  method: string;
  /** The path the client sent (percent-encoded, no stage), e.g. `/v1/jobs/S%C3%A3o`. */
  path: string;
  /** Raw query string without `?`. */
  query?: string;
  headers?: Record<string, string>;
  /** Text bodies are delivered as-is unless `base64`; bytes are always delivered base64-encoded. */
  body?: string | Buffer;
  base64?: boolean;
  /** Stage of the API; default `dev`. */
  stage?: string;
  /** Whether rawPath still carries `/<stage>` (true on the execute-api domain); default true. */
  stageInPath?: boolean;
  /** `$default` for a catch-all route, or e.g. `ANY /{proxy+}`. */
  routeKey?: string;
  /** Deliver `rawPath` percent-decoded, as the AWS HTTP API does. */
  pathDecodedByGateway?: boolean;
}

let sequence = 0;

export function httpEvent(request: HttpRequest): APIGatewayProxyEventV2 {
  const stage = request.stage ?? "dev";
  const stageInPath = (request.stageInPath ?? true) && stage !== "$default";
  const path = request.pathDecodedByGateway ? decodeURIComponent(request.path) : request.path;
  const rawPath = stageInPath ? `/${stage}${path}` : path;
  const rawQueryString = request.query ?? "";
  const routeKey = request.routeKey ?? "$default";
  const now = new Date();
  const userAgent = "vitest/4";
  const headers: Record<string, string> = {
    accept: "*/*",
    host: DOMAIN,
    "user-agent": userAgent,
    "x-amzn-trace-id": `Root=1-${now.getTime().toString(16)}-${String(++sequence).padStart(24, "0")}`,
    "x-forwarded-for": "203.0.113.7",
    "x-forwarded-port": "443",
    "x-forwarded-proto": "https",
  };
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  const bytes = typeof request.body === "string" ? Buffer.from(request.body, "utf8") : request.body;
  const base64 = Buffer.isBuffer(request.body) || (request.base64 ?? false);
  if (bytes !== undefined) headers["content-length"] = String(bytes.length);
  const body = bytes === undefined ? undefined : base64 ? bytes.toString("base64") : (request.body as string);

  const event: APIGatewayProxyEventV2 = {
    version: "2.0",
    routeKey,
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: ACCOUNT_ID,
      apiId: API_ID,
      domainName: DOMAIN,
      domainPrefix: API_ID,
      http: { method: request.method, path: safeDecodeURI(rawPath), protocol: "HTTP/1.1", sourceIp: "203.0.113.7", userAgent },
      requestId: `req-${sequence}`,
      routeKey,
      stage,
      time: gatewayTime(now),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: base64,
  };
  const parameters = queryStringParameters(rawQueryString);
  if (parameters) event.queryStringParameters = parameters;
  if (routeKey.includes("{proxy+}")) event.pathParameters = { proxy: rawPath.replace(/^\//, "") };
  if (body !== undefined) event.body = body;
  return event;
}

export interface AuthorizerRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** Defaults to the `authorization` header's value, as `$request.header.Authorization` extracts it. */
  identitySource?: string[];
}

export function authorizerEvent(request: AuthorizerRequest): APIGatewayRequestAuthorizerEventV2 {
  const http = httpEvent({
    method: request.method,
    path: request.path,
    headers: request.headers,
    routeKey: `${request.method} ${request.path}`,
  });
  const authorization = http.headers.authorization;
  return {
    version: "2.0",
    type: "REQUEST",
    routeArn: `arn:aws:execute-api:us-east-1:${ACCOUNT_ID}:${API_ID}/dev/${request.method}${request.path}`,
    identitySource: request.identitySource ?? (authorization === undefined ? [] : [authorization]),
    routeKey: http.routeKey,
    rawPath: http.rawPath,
    rawQueryString: http.rawQueryString,
    cookies: [],
    headers: http.headers,
    requestContext: http.requestContext,
  };
}

function queryStringParameters(raw: string): Record<string, string> | undefined {
  if (raw === "") return undefined;
  const joined: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(raw)) joined[name] = name in joined ? `${joined[name]},${value}` : value;
  return joined;
}

function safeDecodeURI(path: string): string {
  try {
    return decodeURI(path);
  } catch {
    return path;
  }
}

/** `22/Nov/2026:05:32:03 +0000`, the gateway's request time format. */
function gatewayTime(date: Date): string {
  const month = date.toLocaleString("en-US", { month: "short", timeZone: "UTC" });
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(date.getUTCDate())}/${month}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}
