/** A route of an HTTP API, as the program declared it. */
export interface Route {
  routeKey: string;
  target?: string;
  authorizationType?: string;
  authorizerId?: string;
}

export interface RouteMatch<R extends Route> {
  route: R;
  pathParameters: Record<string, string>;
}

interface ParsedKey {
  method: string;
  segments: string[];
  greedy: boolean;
}

function parse(routeKey: string): ParsedKey | undefined {
  const [method, path] = routeKey.split(" ");
  if (!path) return undefined;
  const segments = path
    .split("/")
    .slice(1)
    .filter((segment, position, all) => segment !== "" || position < all.length - 1);
  const greedy = segments.length > 0 && /^\{[^}]+\+\}$/.test(segments[segments.length - 1]);
  return { method: method.toUpperCase(), segments, greedy };
}

function matchPath(key: ParsedKey, segments: string[]): Record<string, string> | undefined {
  const parameters: Record<string, string> = {};
  const fixed = key.greedy ? key.segments.slice(0, -1) : key.segments;
  if (key.greedy ? segments.length <= fixed.length : segments.length !== fixed.length) return undefined;
  for (const [position, pattern] of fixed.entries()) {
    const variable = /^\{([^}+]+)\}$/.exec(pattern);
    if (variable) parameters[variable[1]] = segments[position];
    else if (pattern !== segments[position]) return undefined;
  }
  if (key.greedy) {
    const name = key.segments[key.segments.length - 1].slice(1, -2);
    parameters[name] = segments.slice(fixed.length).join("/");
  }
  return parameters;
}

/**
 * Route selection as API Gateway HTTP APIs do it: the most specific match wins. For one method,
 * a full literal match beats path variables, which beat a greedy `{proxy+}`; a route for the
 * request's method beats `ANY`; `$default` catches the rest.
 */
export function selectRoute<R extends Route>(routes: R[], method: string, path: string): RouteMatch<R> | undefined {
  const segments = path.split("/").slice(1);
  if (segments.length === 1 && segments[0] === "") segments.length = 0;
  let best: { match: RouteMatch<R>; score: number[] } | undefined;
  for (const route of routes) {
    const key = parse(route.routeKey);
    if (!key) continue;
    if (key.method !== "ANY" && key.method !== method.toUpperCase()) continue;
    const pathParameters = matchPath(key, segments);
    if (!pathParameters) continue;
    const literals = key.segments.filter((segment) => !segment.startsWith("{")).length;
    const score = [key.method === "ANY" ? 0 : 1, key.greedy ? 0 : 1, literals, key.segments.length];
    if (!best || compare(score, best.score) > 0) best = { match: { route, pathParameters }, score };
  }
  if (best) return best.match;
  const fallback = routes.find((route) => route.routeKey === "$default");
  return fallback ? { route: fallback, pathParameters: {} } : undefined;
}

function compare(left: number[], right: number[]): number {
  for (let position = 0; position < left.length; position++) {
    if (left[position] !== right[position]) return left[position] - right[position];
  }
  return 0;
}
