import type { RouteSpec } from "../runtime/job-api/routes";

/** One route of the HTTP API: a method over the whole path space, and whether it needs the token. */
export interface GatewayRoute {
  readonly method: string;
  readonly routeKey: string;
  readonly authorized: boolean;
}

/**
 * The gateway's routes, derived from the API's own route table: one `METHOD /{proxy+}` per method
 * it serves, authorized when that method's routes need the token, and `HEAD` beside a public `GET`.
 * The function keeps matching paths itself (its 404 and 405 answers). No `ANY` route: API Gateway
 * answers a CORS preflight only when no route matches `OPTIONS`, and an `ANY` route would take it,
 * authorizer and all. Methods the table does not serve match no route and get the gateway's 404.
 */
export function gatewayRoutes(routes: readonly RouteSpec[]): { routes: GatewayRoute[]; problems: string[] } {
  const authByMethod = new Map<string, boolean>();
  const problems: string[] = [];
  for (const route of routes) {
    const known = authByMethod.get(route.method);
    if (known !== undefined && known !== route.auth) {
      problems.push(
        `the ${route.method} routes of the route table mix public and authorized ones (${route.path}); ` +
          `the gateway authorizes per method: give every ${route.method} route the same 'auth'`,
      );
    }
    authByMethod.set(route.method, known ?? route.auth);
  }
  if (authByMethod.get("GET") === false && !authByMethod.has("HEAD")) authByMethod.set("HEAD", false);
  const gateway = [...authByMethod].map(([method, authorized]) => ({ method, routeKey: `${method} /{proxy+}`, authorized }));
  return { routes: gateway, problems };
}
