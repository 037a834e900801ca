import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { ApiError } from "./errors";

/** One API Gateway HTTP API request (payload 2.0), reduced to what the routes need. */
export interface ApiRequest {
  readonly method: string;
  /** `/dev` when the stage was still in `rawPath`, else "": prefix for URLs sent back to the client. */
  readonly basePath: string;
  /** The path after `basePath`, split on `/` and then percent-decoded, so `%2F` stays in its segment. */
  readonly segments: readonly string[];
  readonly query: URLSearchParams;
  /** Header names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly isBase64Encoded: boolean;
  readonly requestId: string;
}

export function parseRequest(event: APIGatewayProxyEventV2): ApiRequest {
  const { basePath, path } = splitStage(event.rawPath || "/", event.requestContext.stage);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  return {
    method: event.requestContext.http.method.toUpperCase(),
    basePath,
    segments: path.split("/").slice(1).map(decodeSegment),
    query: new URLSearchParams(event.rawQueryString ?? ""),
    headers,
    body: event.body,
    isBase64Encoded: event.isBase64Encoded,
    requestId: event.requestContext.requestId,
  };
}

/**
 * A named stage's URL starts with `/<stage>`, and API Gateway leaves it in `rawPath` on the
 * execute-api domain but not behind a custom domain mapping, so both forms must route.
 */
function splitStage(rawPath: string, stage: string | undefined): { basePath: string; path: string } {
  if (stage && stage !== "$default") {
    const prefix = `/${stage}`;
    if (rawPath === prefix) return { basePath: prefix, path: "/" };
    if (rawPath.startsWith(`${prefix}/`)) return { basePath: prefix, path: rawPath.slice(prefix.length) };
  }
  return { basePath: "", path: rawPath };
}

function decodeSegment(segment: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    throw new ApiError(400, "bad_request", "the path has a malformed percent-escape", [
      { field: "path", message: `'${segment.slice(0, 80)}' is not valid percent-encoded UTF-8` },
    ]);
  }
  // Routing goes through a WHATWG URL, which would resolve `.` and `..` (even as %2E) and so match
  // a different route than the one the client named.
  if (decoded === "." || decoded === "..") {
    throw new ApiError(400, "bad_request", "the path has a '.' or '..' segment", [
      { field: "path", message: "'.' and '..' are not valid path segments" },
    ]);
  }
  return decoded;
}

/** The single value of a query parameter; a repeated one is ambiguous, so it is refused. */
export function queryValue(query: URLSearchParams, name: string): string | undefined {
  const values = query.getAll(name);
  if (values.length > 1) {
    throw new ApiError(400, "bad_request", `query parameter '${name}' is given more than once`, [
      { field: name, message: "must be given at most once" },
    ]);
  }
  return values[0];
}
