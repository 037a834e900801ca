import type { ResourceIndex } from "../../model/resource-index";
import { types } from "../../model/resource-index";
import type { CorsConfiguration } from "./cors";
import type { Route } from "./routes";

export interface Integration {
  id: string;
  functionRef: string;
  payloadFormatVersion: string;
  timeoutMs: number;
}

/** An integration the program declared that the sandbox does not run: its routes say so. */
export interface UnsupportedIntegration {
  id: string;
  /** e.g. "AWS_PROXY integration ingest-events (subtype EventBridge-PutEvents)" */
  description: string;
}

/** The quick-create integration's id: API Gateway makes one for an API declared with `target`. */
export const quickCreateIntegrationId = (apiId: string) => `${apiId}-quick-create`;

export interface Authorizer {
  id: string;
  name: string;
  functionRef: string;
  identitySources: string[];
  simpleResponses: boolean;
  payloadFormatVersion: string;
  ttlSeconds: number;
}

export interface HttpApi {
  apiId: string;
  name: string;
  stages: Array<{ name: string; stageVariables: Record<string, string> }>;
  routes: Route[];
  integrations: Map<string, Integration>;
  unsupportedIntegrations: Map<string, UnsupportedIntegration>;
  authorizers: Map<string, Authorizer>;
  /** Absent when the API configures no CORS: then OPTIONS is routed like any method. */
  cors?: CorsConfiguration;
}

interface IntegrationInputs {
  integrationType?: string;
  integrationSubtype?: string;
  integrationUri?: string;
  payloadFormatVersion?: string;
  timeoutMilliseconds?: number;
}

/** The HTTP APIs the program declared, read from its recorded resources. */
export function httpApisOf(index: ResourceIndex): { apis: HttpApi[]; problems: string[] } {
  const problems: string[] = [];
  const apis = index.all(types.api).map((api): HttpApi => {
    const apiId = api.id;
    const own = (type: string) => index.all(type).filter((resource) => resource.inputs.apiId === apiId);
    if (api.inputs.protocolType && api.inputs.protocolType !== "HTTP") {
      problems.push(`${api.name}: ${api.inputs.protocolType} APIs are not emulated (only HTTP APIs are)`);
    }
    const integrations = new Map<string, Integration>();
    const unsupportedIntegrations = new Map<string, UnsupportedIntegration>();
    const declared = own(types.integration).map((integration) => ({
      id: integration.id,
      name: integration.name,
      inputs: integration.inputs as IntegrationInputs,
    }));
    const quickTarget = api.inputs.target as string | undefined;
    if (quickTarget) {
      // Quick create: API Gateway makes the integration (a Lambda proxy, payload 2.0, or an HTTP
      // proxy for a URL), the route and an auto-deployed $default stage itself.
      const lambda = /^arn:aws[\w-]*:lambda:/.test(quickTarget) || /^arn:aws[\w-]*:apigateway:/.test(quickTarget);
      declared.push({
        id: quickCreateIntegrationId(apiId),
        name: `${api.name} (quick create)`,
        inputs: lambda
          ? { integrationType: "AWS_PROXY", integrationUri: quickTarget, payloadFormatVersion: "2.0" }
          : { integrationType: "HTTP_PROXY", integrationUri: quickTarget },
      });
    }
    for (const integration of declared) {
      const { inputs } = integration;
      const runsLambda =
        inputs.integrationType === "AWS_PROXY" && !inputs.integrationSubtype && Boolean(index.functionByRef(inputs.integrationUri));
      if (!runsLambda) {
        const kind = `${inputs.integrationType ?? "(no type)"} integration${inputs.integrationSubtype ? ` with subtype ${inputs.integrationSubtype}` : ""}`;
        const target = inputs.integrationSubtype ? "" : inputs.integrationUri ? ` to ${inputs.integrationUri}` : "";
        const description = `${kind} ${integration.name}${target}`;
        problems.push(
          `${description} is not emulated (only Lambda proxy integrations to the program's functions are): its routes answer 501`,
        );
        unsupportedIntegrations.set(integration.id, { id: integration.id, description });
        continue;
      }
      integrations.set(integration.id, {
        id: integration.id,
        functionRef: inputs.integrationUri!,
        payloadFormatVersion: inputs.payloadFormatVersion ?? "2.0",
        timeoutMs: inputs.timeoutMilliseconds ?? 30_000,
      });
    }
    const authorizers = new Map<string, Authorizer>();
    for (const authorizer of own(types.authorizer)) {
      const inputs = authorizer.inputs as {
        authorizerType?: string;
        authorizerUri?: string;
        identitySources?: string[];
        enableSimpleResponses?: boolean;
        authorizerPayloadFormatVersion?: string;
        authorizerResultTtlInSeconds?: number;
        name?: string;
      };
      if (inputs.authorizerType !== "REQUEST" || !inputs.authorizerUri) {
        problems.push(
          `${authorizer.name}: ${inputs.authorizerType} authorizers are not emulated (only Lambda REQUEST authorizers are); its routes answer 500`,
        );
        continue;
      }
      authorizers.set(authorizer.id, {
        id: authorizer.id,
        name: inputs.name ?? authorizer.name,
        functionRef: inputs.authorizerUri,
        identitySources: inputs.identitySources ?? [],
        simpleResponses: inputs.enableSimpleResponses === true,
        payloadFormatVersion: inputs.authorizerPayloadFormatVersion ?? "2.0",
        ttlSeconds: inputs.authorizerResultTtlInSeconds ?? 300,
      });
    }
    const stages = own(types.stage).map((stage) => ({
      name: String(stage.inputs.name),
      stageVariables: (stage.inputs.stageVariables as Record<string, string> | undefined) ?? {},
    }));
    const routes = own(types.route).map((route) => {
      const inputs = route.inputs as unknown as Route;
      if (inputs.authorizationType === "JWT" || inputs.authorizationType === "AWS_IAM") {
        problems.push(`route ${inputs.routeKey}: ${inputs.authorizationType} authorization is not emulated; the route is open locally`);
      }
      return inputs;
    });
    if (quickTarget) {
      routes.push({
        routeKey: (api.inputs.routeKey as string | undefined) ?? "$default",
        target: `integrations/${quickCreateIntegrationId(apiId)}`,
      });
      if (!stages.some((stage) => stage.name === "$default")) stages.push({ name: "$default", stageVariables: {} });
    }
    return {
      apiId,
      name: api.name,
      stages,
      routes,
      integrations,
      unsupportedIntegrations,
      authorizers,
      cors: api.inputs.corsConfiguration as CorsConfiguration | undefined,
    };
  });
  return { apis, problems };
}
