import type { IncomingMessage } from "node:http";
import { randomBytes } from "node:crypto";
import { sandboxAccountId } from "../../shared/constants";

/** What API Gateway knows about a request before it picks a route. */
export interface GatewayRequest {
  method: string;
  /** The path as API Gateway HTTP APIs hand it over: percent-decoded, stage included. */
  rawPath: string;
  rawQueryString: string;
  headers: Record<string, string>;
  cookies: string[];
  queryStringParameters: Record<string, string>;
  body?: string;
  isBase64Encoded: boolean;
  sourceIp: string;
  userAgent: string;
  requestId: string;
  time: Date;
  domainName: string;
}

const textTypes = [/^text\//, /json/, /xml/, /javascript/, /x-www-form-urlencoded/, /graphql/];

/** HTTP APIs pass text bodies as they are and base64-encode everything else. */
export function isTextContentType(contentType: string | undefined): boolean {
  return !contentType || textTypes.some((pattern) => pattern.test(contentType.toLowerCase()));
}

/** API Gateway's request ids look like `JKJaXmPLvHcESHA=`. */
export function gatewayRequestId(): string {
  return randomBytes(10).toString("base64").replace(/\+/g, "A").replace(/\//g, "B");
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

export function gatewayRequestOf(request: IncomingMessage, body: Buffer): GatewayRequest {
  const url = request.url ?? "/";
  const question = url.indexOf("?");
  const rawPath = question === -1 ? url : url.slice(0, question);
  const rawQueryString = question === -1 ? "" : url.slice(question + 1);
  const headers: Record<string, string> = {};
  let cookies: string[] = [];
  for (let position = 0; position < request.rawHeaders.length; position += 2) {
    const name = request.rawHeaders[position].toLowerCase();
    const value = request.rawHeaders[position + 1];
    // Payload 2.0 moves cookies out of the headers into their own array.
    if (name === "cookie") cookies = cookies.concat(value.split(/;\s*/).filter(Boolean));
    else headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  const sourceIp = (request.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, "");
  const port = request.socket.localPort ?? 0;
  const time = new Date();
  const traceTime = Math.floor(time.getTime() / 1000).toString(16);
  Object.assign(headers, {
    "x-forwarded-for": headers["x-forwarded-for"] ? `${headers["x-forwarded-for"]}, ${sourceIp}` : sourceIp,
    "x-forwarded-port": String(port),
    "x-forwarded-proto": "http",
    "x-amzn-trace-id": `Root=1-${traceTime}-${randomBytes(12).toString("hex")}`,
  });
  const queryStringParameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    queryStringParameters[name] = name in queryStringParameters ? `${queryStringParameters[name]},${value}` : value;
  }
  const text = isTextContentType(headers["content-type"]);
  return {
    method: (request.method ?? "GET").toUpperCase(),
    rawPath: decodePath(rawPath),
    rawQueryString,
    headers,
    cookies,
    queryStringParameters,
    body: body.length > 0 ? (text ? body.toString("utf8") : body.toString("base64")) : undefined,
    isBase64Encoded: body.length > 0 && !text,
    sourceIp,
    userAgent: headers["user-agent"] ?? "",
    requestId: gatewayRequestId(),
    time,
    domainName: (headers.host ?? "127.0.0.1").split(":")[0],
  };
}

/** `12/Mar/2020:19:03:58 +0000`, the format of `requestContext.time`. */
export function clfTime(date: Date): string {
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

export interface RouteContext {
  apiId: string;
  stage: string;
  routeKey: string;
  pathParameters: Record<string, string>;
  stageVariables?: Record<string, string>;
}

function requestContext(request: GatewayRequest, route: RouteContext) {
  return {
    accountId: sandboxAccountId,
    apiId: route.apiId,
    domainName: request.domainName,
    domainPrefix: request.domainName.split(".")[0],
    http: {
      method: request.method,
      path: request.rawPath,
      protocol: "HTTP/1.1",
      sourceIp: request.sourceIp,
      userAgent: request.userAgent,
    },
    requestId: request.requestId,
    routeKey: route.routeKey,
    stage: route.stage,
    time: clfTime(request.time),
    timeEpoch: request.time.getTime(),
  };
}

/** Fields API Gateway leaves out when they would be empty. */
function optional(request: GatewayRequest, route: RouteContext) {
  return {
    ...(request.cookies.length > 0 ? { cookies: request.cookies } : {}),
    ...(Object.keys(request.queryStringParameters).length > 0 ? { queryStringParameters: request.queryStringParameters } : {}),
    ...(Object.keys(route.pathParameters).length > 0 ? { pathParameters: route.pathParameters } : {}),
    ...(route.stageVariables && Object.keys(route.stageVariables).length > 0 ? { stageVariables: route.stageVariables } : {}),
  };
}

/** The payload 2.0 event of a Lambda proxy integration. */
export function proxyEvent(request: GatewayRequest, route: RouteContext, authorizer?: Record<string, unknown>) {
  return {
    version: "2.0",
    routeKey: route.routeKey,
    rawPath: request.rawPath,
    rawQueryString: request.rawQueryString,
    ...optional(request, route),
    headers: request.headers,
    requestContext: { ...requestContext(request, route), ...(authorizer ? { authorizer } : {}) },
    ...(request.body !== undefined ? { body: request.body } : {}),
    isBase64Encoded: request.isBase64Encoded,
  };
}

/** The payload 2.0 event of a REQUEST Lambda authorizer. */
export function authorizerEvent(request: GatewayRequest, route: RouteContext, identitySource: string[]) {
  const { routeKey } = route;
  const path = routeKey === "$default" ? request.rawPath : routeKey.split(" ")[1];
  return {
    version: "2.0",
    type: "REQUEST",
    routeArn: `arn:aws:execute-api:us-east-1:${sandboxAccountId}:${route.apiId}/${route.stage}/${request.method}${path}`,
    identitySource,
    routeKey,
    rawPath: request.rawPath,
    rawQueryString: request.rawQueryString,
    ...optional(request, route),
    headers: request.headers,
    requestContext: requestContext(request, route),
  };
}

export interface GatewayResponse {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/**
 * A function's result as API Gateway turns it into an HTTP response (payload 2.0): a result
 * with a `statusCode` is taken as a response; anything else is "format inference", a JSON 200.
 */
export function responseOf(result: unknown): GatewayResponse {
  if (result && typeof result === "object" && "statusCode" in result) {
    const response = result as {
      statusCode: number;
      headers?: Record<string, unknown>;
      multiValueHeaders?: Record<string, unknown[]>;
      cookies?: string[];
      body?: unknown;
      isBase64Encoded?: boolean;
    };
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(response.headers ?? {})) headers[name.toLowerCase()] = String(value);
    for (const [name, values] of Object.entries(response.multiValueHeaders ?? {}))
      headers[name.toLowerCase()] = values.map(String).join(",");
    if (response.cookies?.length) headers["set-cookie"] = response.cookies;
    const text = response.body === undefined || response.body === null ? "" : String(response.body);
    return {
      statusCode: Number(response.statusCode),
      headers,
      body: response.isBase64Encoded ? Buffer.from(text, "base64") : Buffer.from(text, "utf8"),
    };
  }
  const body = typeof result === "string" ? result : JSON.stringify(result ?? null);
  return { statusCode: 200, headers: { "content-type": "application/json" }, body: Buffer.from(body, "utf8") };
}

export function gatewayError(statusCode: number, message: string): GatewayResponse {
  return { statusCode, headers: { "content-type": "application/json" }, body: Buffer.from(JSON.stringify({ message })) };
}
