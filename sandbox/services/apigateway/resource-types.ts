import type { ResourceTypeSupport } from "../../model/resource-type";
import { gatewayId } from "./ids";

/** Integrations, routes and authorizers: ids as API Gateway makes them, nothing else computed. */
const child = (type: string, support: Omit<ResourceTypeSupport, "type" | "coverage" | "state">): ResourceTypeSupport => ({
  type,
  coverage: "emulated",
  ...support,
  state: ({ stack, name }) => ({ id: gatewayId(7, stack, type, name), state: {} }),
});

export const apigatewayResourceTypes: ResourceTypeSupport[] = [
  {
    type: "aws:apigatewayv2/api:Api",
    coverage: "emulated",
    honoured: ["protocolType", "routeKey", "target", "corsConfiguration"],
    noLocalEffect: ["disableExecuteApiEndpoint", "version", "failOnWarnings", "ipAddressType"],
    meaning: {
      credentialsArn: "quick-create integrations are invoked without it",
      body: "an OpenAPI body is not imported: declare routes as resources",
    },
    state: ({ stack, name, apiOrigin, region, arn }) => {
      const id = gatewayId(10, stack, name);
      return {
        id,
        state: { apiEndpoint: apiOrigin, arn: `arn:aws:apigateway:${region}::/apis/${id}`, executionArn: arn("execute-api", id) },
      };
    },
  },
  {
    type: "aws:apigatewayv2/stage:Stage",
    coverage: "emulated",
    honoured: ["apiId", "name", "stageVariables", "autoDeploy"],
    noLocalEffect: ["deploymentId", "clientCertificateId"],
    meaning: {
      accessLogSettings: "no access log is written; the terminal shows each request",
      defaultRouteSettings: "no throttling locally",
      routeSettings: "no per-route throttling locally",
    },
    state: ({ inputs, apiOrigin, region, arn }) => {
      const stage = String(inputs.name);
      return {
        id: stage,
        state: {
          invokeUrl: stage === "$default" ? `${apiOrigin}/` : `${apiOrigin}/${stage}`,
          arn: `arn:aws:apigateway:${region}::/apis/${inputs.apiId}/stages/${stage}`,
          executionArn: arn("execute-api", `${inputs.apiId}/${stage}`),
        },
      };
    },
  },
  child("aws:apigatewayv2/route:Route", {
    honoured: ["apiId", "routeKey", "target", "authorizationType", "authorizerId"],
    noLocalEffect: ["operationName"],
    meaning: {
      authorizationScopes: "scopes are not checked",
      requestParameters: "required parameters are not checked",
      apiKeyRequired: "no API keys locally",
    },
  }),
  child("aws:apigatewayv2/integration:Integration", {
    honoured: ["apiId", "integrationType", "integrationSubtype", "integrationUri", "payloadFormatVersion", "timeoutMilliseconds"],
    noLocalEffect: ["integrationMethod", "credentialsArn", "connectionType"],
    meaning: { requestParameters: "the request is not transformed", responseParameters: "the response is not transformed" },
  }),
  child("aws:apigatewayv2/authorizer:Authorizer", {
    honoured: [
      "apiId",
      "authorizerType",
      "authorizerUri",
      "identitySources",
      "enableSimpleResponses",
      "authorizerPayloadFormatVersion",
      "authorizerResultTtlInSeconds",
    ],
    noLocalEffect: ["authorizerCredentialsArn"],
    meaning: { jwtConfiguration: "JWTs are not checked" },
  }),
];
