import type { StartedTriggers, TriggerContext } from "../lambda/triggers";
import { httpApisOf } from "./api-model";
import type { HttpGateway } from "./gateway";

/** A stage's invoke URL: `$default` is served at the API's root, any other stage under its name. */
export function stageUrl(apiOrigin: string, stage: string): string {
  return stage === "$default" ? apiOrigin : `${apiOrigin}/${stage}`;
}

/** The program's HTTP APIs, served by the local gateway from now on. */
export function startHttpApis(context: TriggerContext, gateway: HttpGateway): StartedTriggers {
  const { index } = context;
  const { apis, problems } = httpApisOf(index);
  problems.forEach((problem) => context.reporter.warn(problem));
  gateway.wire({ apis, functionByRef: (ref) => context.functionByRef(ref) });
  return {
    describe: () =>
      apis.flatMap((api) =>
        api.routes.map((route) => {
          const integrationId = String(route.target ?? "").replace(/^integrations\//, "");
          const integration = api.integrations.get(integrationId);
          const fn = integration && index.functionByRef(integration.functionRef);
          const unsupported = api.unsupportedIntegrations.get(integrationId);
          const auth =
            route.authorizationType === "CUSTOM" ? `, authorizer ${api.authorizers.get(String(route.authorizerId))?.name ?? "?"}` : "";
          const target = fn?.name ?? (unsupported ? `${unsupported.description} (not emulated: answers 501)` : "?");
          return `route     ${route.routeKey} -> ${target}${auth}`;
        }),
      ),
    tryIt: () =>
      apis.flatMap((api) => {
        const stage = api.stages[0];
        const route = routeToTry(api.routes.map((candidate) => candidate.routeKey));
        if (!route || !stage) return [];
        const greedy = route.key.includes("+}") || route.key === "$default" ? `  (${route.key}: the function routes any path)` : "";
        return [`curl ${stageUrl(gateway.origin, stage.name)}${route.path}${greedy}`];
      }),
    // The gateway outlives a deployment: the next one rewires it.
    stop: () => {},
  };
}

/**
 * The GET route a banner's curl calls, and a concrete path for it: a route without variables if
 * there is one, else its variables as `example`, a greedy one too: a greedy variable catches the
 * paths under the route's, never the route's own (the bare stage URL is API Gateway's 404).
 */
export function routeToTry(routeKeys: string[]): { key: string; path: string } | undefined {
  const gets = routeKeys.filter((key) => /^(GET|ANY) \//.test(key));
  const key = gets.find((candidate) => !candidate.includes("{")) ?? gets[0];
  if (key !== undefined) return { key, path: key.split(" ")[1].replace(/\{[^}]+\}/g, "example") };
  // Else the catch-all route, which takes any path (Pulumi's http-api examples declare only it).
  return routeKeys.includes("$default") ? { key: "$default", path: "/" } : undefined;
}
