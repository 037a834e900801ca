import type { ResourceIndex } from "../deploy/resource-index";
import { types } from "../deploy/resource-index";
import type { CorsConfiguration } from "./cors";
import type { Route } from "./routes";

export interface Integration {
  id: string;
  functionRef: string;
  payloadFormatVersion: string;
  timeoutMs: number;
}

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
  authorizers: Map<string, Authorizer>;
  /** Absent when the API configures no CORS: then OPTIONS is routed like any method. */
  cors?: CorsConfiguration;
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
    for (const integration of own(types.integration)) {
      const inputs = integration.inputs as { integrationType?: string; integrationUri?: string; payloadFormatVersion?: string; timeoutMilliseconds?: number };
      if (inputs.integrationType !== "AWS_PROXY" || !inputs.integrationUri) {
        problems.push(`${integration.name}: ${inputs.integrationType} integrations are not emulated (only Lambda proxy integrations are)`);
        continue;
      }
      integrations.set(integration.id, {
        id: integration.id,
        functionRef: inputs.integrationUri,
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
        problems.push(`${authorizer.name}: ${inputs.authorizerType} authorizers are not emulated (only Lambda REQUEST authorizers are); its routes answer 500`);
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
    return {
      apiId,
      name: api.name,
      stages: own(types.stage).map((stage) => ({
        name: String(stage.inputs.name),
        stageVariables: (stage.inputs.stageVariables as Record<string, string> | undefined) ?? {},
      })),
      routes: own(types.route).map((route) => {
        const inputs = route.inputs as unknown as Route;
        if (inputs.authorizationType === "JWT" || inputs.authorizationType === "AWS_IAM") {
          problems.push(`route ${inputs.routeKey}: ${inputs.authorizationType} authorization is not emulated; the route is open locally`);
        }
        return inputs;
      }),
      integrations,
      authorizers,
      cors: api.inputs.corsConfiguration as CorsConfiguration | undefined,
    };
  });
  return { apis, problems };
}
