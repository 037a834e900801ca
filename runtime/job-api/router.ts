import { IttyRouter, type IRequest } from "itty-router";
import { ApiError } from "./errors";
import type { Operation } from "./operations";
import type { ApiRequest } from "./request";
import type { ApiResponse } from "./responses";
import { ROUTES, type OperationId } from "./routes";

// itty-router matches URLs, not paths: any origin will do, it is never contacted.
const ORIGIN = "http://job-api.invalid";

export interface Router {
  /** The route's response; throws ApiError 404 (no route) or 405 (route, other method). */
  route(request: ApiRequest): Promise<ApiResponse>;
}

export function createRouter(operations: Record<OperationId, Operation>): Router {
  const router = IttyRouter<IRequest, [ApiRequest], ApiResponse>();
  for (const route of ROUTES) {
    const operation = operations[route.operationId];
    const method = route.method.toLowerCase() as "get" | "post" | "put" | "delete";
    router[method](route.path, (matched: IRequest, request: ApiRequest) => operation({ request, params: decodeParams(matched.params) }));
  }

  return {
    async route(request) {
      // Segments are already decoded; re-encoding each one keeps a `/` inside its segment (%2F)
      // and gives itty-router a canonical path, whatever escapes the client chose.
      const url = `${ORIGIN}/${request.segments.map(encodeURIComponent).join("/")}`;
      // HEAD is routed as GET; the app drops the body.
      const method = request.method === "HEAD" ? "GET" : request.method;
      const response = await router.fetch({ method, url }, request);
      if (response) return response;

      const { pathname } = new URL(url);
      const allowed = [...new Set(router.routes.filter(([, pattern]) => pattern.test(pathname)).map(([method]) => method))];
      const described = `${request.method} /${request.segments.join("/")}`;
      if (allowed.length === 0) throw new ApiError(404, "not_found", `no route matches ${described}`);
      throw new ApiError(405, "method_not_allowed", `${described} is not allowed; allowed: ${allowed.join(", ")}`, [], {
        allow: allowed.join(", "),
      });
    },
  };
}

/** itty-router hands back the canonical (encoded) segments it matched. */
function decodeParams(params: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).map(([name, value]) => [name, decodeURIComponent(value)]));
}
