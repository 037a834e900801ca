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
        // A GET route, else the catch-all `$default` route, which takes any path.
        const get =
          api.routes.find((route) => /^(GET|ANY) \//.test(route.routeKey)) ?? api.routes.find((route) => route.routeKey === "$default");
        const stage = api.stages[0];
        if (!get || !stage) return [];
        // A concrete path for the route: its variables as `example`, a greedy one as nothing.
        const path = (get.routeKey === "$default" ? "/" : get.routeKey.split(" ")[1])
          .replace(/\{[^}]+\+\}/, "")
          .replace(/\{[^}]+\}/g, "example");
        return [`curl ${stageUrl(gateway.origin, stage.name)}${path}`];
      }),
    // The gateway outlives a deployment: the next one rewires it.
    stop: () => {},
  };
}
