import type { IncomingMessage, ServerResponse } from "node:http";
import { types, type ResourceIndex } from "../../model/resource-index";
import type { RecordedResource } from "../../model/recorded";
import { notEmulated, sendAwsError, signingServiceOf } from "../../shared/aws-errors";
import { quickCreateIntegrationId } from "./api-model";
import { gatewayId } from "./ids";

/** What the endpoint does of API Gateway's API, said in every answer to a call it does not. */
export const apigatewayEmulated =
  "the endpoint serves API Gateway v2's GetApis, GetApi, GetRoutes, GetStages and GetIntegrations (the APIs themselves run on the sandbox's HTTP server)";

/** API Gateway's requests: signed for `apigateway` (v1 and v2 alike), or unsigned under `/v2/apis`. */
export function isApiGatewayRequest(request: IncomingMessage): boolean {
  const service = signingServiceOf(request);
  return service === "apigateway" || (service === undefined && /^\/v2\/apis(\/|$|\?)/.test(request.url ?? ""));
}

type Item = Record<string, unknown>;

function json(response: ServerResponse, value: unknown) {
  const text = JSON.stringify(value);
  response.writeHead(200, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) });
  response.end(text);
}

/** Drops what the program left unset: API Gateway omits absent members. */
const defined = (item: Item): Item => Object.fromEntries(Object.entries(item).filter(([, value]) => value !== undefined && value !== null));

function apiItem(api: RecordedResource, createdDate: string): Item {
  const inputs = api.inputs;
  return defined({
    apiId: api.id,
    name: inputs.name ?? api.name,
    protocolType: inputs.protocolType ?? "HTTP",
    apiEndpoint: api.state.apiEndpoint,
    routeSelectionExpression: inputs.routeSelectionExpression ?? "$request.method $request.path",
    apiKeySelectionExpression: inputs.apiKeySelectionExpression ?? "$request.header.x-api-key",
    corsConfiguration: inputs.corsConfiguration,
    description: inputs.description,
    disableExecuteApiEndpoint: inputs.disableExecuteApiEndpoint ?? false,
    ipAddressType: inputs.ipAddressType ?? "ipv4",
    tags: inputs.tags ?? {},
    createdDate,
  });
}

/** The routes, stages and integrations of one API, the quick-create ones API Gateway makes included. */
function childrenOf(index: ResourceIndex, api: RecordedResource, createdDate: string) {
  const own = (type: string) => index.all(type).filter((resource) => resource.inputs.apiId === api.id);
  const routes: Item[] = own(types.route).map((route) =>
    defined({
      routeId: route.id,
      routeKey: route.inputs.routeKey,
      target: route.inputs.target,
      authorizationType: route.inputs.authorizationType ?? "NONE",
      authorizerId: route.inputs.authorizerId,
      authorizationScopes: route.inputs.authorizationScopes,
      apiKeyRequired: route.inputs.apiKeyRequired ?? false,
      operationName: route.inputs.operationName,
    }),
  );
  const stages: Item[] = own(types.stage).map((stage) =>
    defined({
      stageName: stage.inputs.name,
      autoDeploy: stage.inputs.autoDeploy ?? false,
      description: stage.inputs.description,
      stageVariables: stage.inputs.stageVariables,
      defaultRouteSettings: {},
      routeSettings: {},
      tags: stage.inputs.tags ?? {},
      createdDate,
      lastUpdatedDate: createdDate,
    }),
  );
  const integrations: Item[] = own(types.integration).map((integration) =>
    defined({
      integrationId: integration.id,
      integrationType: integration.inputs.integrationType,
      integrationSubtype: integration.inputs.integrationSubtype,
      integrationUri: integration.inputs.integrationUri,
      integrationMethod: integration.inputs.integrationMethod,
      payloadFormatVersion:
        integration.inputs.payloadFormatVersion ?? (integration.inputs.integrationType === "AWS_PROXY" ? "2.0" : undefined),
      timeoutInMillis: integration.inputs.timeoutMilliseconds ?? 30_000,
      connectionType: integration.inputs.connectionType ?? "INTERNET",
      requestParameters: integration.inputs.requestParameters,
      description: integration.inputs.description,
    }),
  );
  const target = api.inputs.target as string | undefined;
  if (target) {
    // Quick create: API Gateway makes and manages the route, the integration and the $default stage.
    const integrationId = quickCreateIntegrationId(api.id);
    routes.push({
      routeId: gatewayId(7, api.id, "quick-create route"),
      routeKey: api.inputs.routeKey ?? "$default",
      target: `integrations/${integrationId}`,
      authorizationType: "NONE",
      apiKeyRequired: false,
      apiGatewayManaged: true,
    });
    integrations.push({
      integrationId,
      integrationType: "AWS_PROXY",
      integrationUri: target,
      integrationMethod: "POST",
      payloadFormatVersion: "2.0",
      timeoutInMillis: 30_000,
      connectionType: "INTERNET",
      apiGatewayManaged: true,
    });
    if (!stages.some((stage) => stage.stageName === "$default")) {
      stages.push({
        stageName: "$default",
        autoDeploy: true,
        apiGatewayManaged: true,
        defaultRouteSettings: {},
        routeSettings: {},
        tags: {},
        createdDate,
        lastUpdatedDate: createdDate,
      });
    }
  }
  return { routes, stages, integrations };
}

/**
 * API Gateway v2's read-only calls a developer looks around with, answered from the HTTP APIs the
 * program declared; any other API Gateway call answers its own error shape, saying it is not
 * emulated. `deployedAt`: when the deployment was made, as the APIs' creation date.
 */
export function apiGatewayApi(index: () => ResourceIndex, deployedAt: () => Date) {
  return (request: IncomingMessage, response: ServerResponse): boolean => {
    if (!isApiGatewayRequest(request)) return false;
    const url = new URL(request.url ?? "/", "http://apigateway");
    const current = index();
    const createdDate = deployedAt().toISOString();
    const apis = current.all(types.api);
    if (request.method === "GET" && /^\/v2\/apis\/?$/.test(url.pathname)) {
      json(response, { items: apis.map((api) => apiItem(api, createdDate)) });
      return true;
    }
    const path = /^\/v2\/apis\/([^/]+)(?:\/(routes|stages|integrations))?\/?$/.exec(url.pathname);
    if (request.method === "GET" && path) {
      const api = apis.find((candidate) => candidate.id === decodeURIComponent(path[1]));
      if (!api) {
        sendAwsError(response, "rest-json", 404, "NotFoundException", `Invalid API identifier specified ${path[1]}`);
        return true;
      }
      json(
        response,
        path[2]
          ? { items: childrenOf(current, api, createdDate)[path[2] as "routes" | "stages" | "integrations"] }
          : apiItem(api, createdDate),
      );
      return true;
    }
    notEmulated(response, "rest-json", "API Gateway", `${request.method} ${url.pathname}`, apigatewayEmulated);
    return true;
  };
}
