import type { GatewayRequest, GatewayResponse } from "./payload";

/** An HTTP API's `corsConfiguration`, as the program declared it. */
export interface CorsConfiguration {
  allowOrigins?: string[];
  allowMethods?: string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
  maxAge?: number;
  allowCredentials?: boolean;
}

/** The value of `Access-Control-Allow-Origin` for this request's origin, if it is allowed. */
function allowedOrigin(cors: CorsConfiguration, origin: string | undefined): string | undefined {
  if (!origin) return undefined;
  const origins = cors.allowOrigins ?? [];
  if (origins.includes("*")) return cors.allowCredentials ? origin : "*";
  return origins.some((allowed) => allowed.toLowerCase() === origin.toLowerCase()) ? origin : undefined;
}

/** A browser's preflight: `OPTIONS` with `Origin` and `Access-Control-Request-Method`. */
export function isPreflight(request: GatewayRequest): boolean {
  return request.method === "OPTIONS" && Boolean(request.headers.origin) && Boolean(request.headers["access-control-request-method"]);
}

/**
 * API Gateway's own answer to a preflight that no route matched: 204, with the configured CORS
 * headers when the origin is allowed and none when it is not (the browser then refuses).
 */
export function preflightResponse(cors: CorsConfiguration, request: GatewayRequest): GatewayResponse {
  const origin = allowedOrigin(cors, request.headers.origin);
  const headers: Record<string, string> = {};
  if (origin) {
    headers["access-control-allow-origin"] = origin;
    if (cors.allowMethods?.length) headers["access-control-allow-methods"] = cors.allowMethods.join(",");
    if (cors.allowHeaders?.length) headers["access-control-allow-headers"] = cors.allowHeaders.join(",");
    if (cors.maxAge !== undefined) headers["access-control-max-age"] = String(cors.maxAge);
    if (cors.allowCredentials) headers["access-control-allow-credentials"] = "true";
  }
  return { statusCode: 204, headers, body: Buffer.alloc(0) };
}

/**
 * An integration's response as the gateway sends it to a cross-origin caller: the configured CORS
 * headers added, and whatever CORS headers the function set ignored, as API Gateway does.
 */
export function withCorsHeaders(cors: CorsConfiguration, request: GatewayRequest, response: GatewayResponse): GatewayResponse {
  const headers = Object.fromEntries(Object.entries(response.headers).filter(([name]) => !name.startsWith("access-control-")));
  const origin = allowedOrigin(cors, request.headers.origin);
  if (origin) {
    headers["access-control-allow-origin"] = origin;
    if (cors.exposeHeaders?.length) headers["access-control-expose-headers"] = cors.exposeHeaders.join(",");
    if (cors.allowCredentials) headers["access-control-allow-credentials"] = "true";
  }
  return { ...response, headers };
}
