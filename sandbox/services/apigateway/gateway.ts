import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { closeServer, foreignHost, listenOnLoopback } from "../../shared/listen";
import type { Reporter } from "../../shared/log";
import type { LocalFunction } from "../lambda/function";
import type { InvocationResult } from "../../model/function-spec";
import type { HttpApi } from "./api-model";
import { AuthorizerRunner } from "./authorizer";
import { isPreflight, preflightResponse, withCorsHeaders } from "./cors";
import { gatewayError, gatewayRequestOf, proxyEvent, responseOf, type GatewayResponse, type RouteContext } from "./payload";
import { selectRoute } from "./routes";

/** API Gateway refuses payloads over 10 MB. */
const maxBodyBytes = 10 * 1024 * 1024;

export interface GatewayWiring {
  apis: HttpApi[];
  functionByRef(ref: string): LocalFunction | undefined;
}

/**
 * The local API Gateway: one server for every HTTP API of the program, each under its stage path
 * (`/dev/...`). The wiring can be replaced while the server runs (redeploys, hot reload).
 */
export class HttpGateway {
  private wiring: GatewayWiring = { apis: [], functionByRef: () => undefined };
  private readonly server = createServer((request, response) => {
    // Browsers may call the API from any origin (its CORS rules decide), but only by this
    // server's own name: another site's name resolved to loopback (DNS rebinding) is refused.
    const refusal = foreignHost(request.headers.host, this.port);
    if (refusal) return this.send(response, gatewayError(403, refusal), "");
    // A client that hangs up mid-body ends its own request, never the sandbox.
    this.handle(request, response).catch(() => response.destroy());
  });
  private readonly authorizers = new AuthorizerRunner((authorizer, event) =>
    this.invoke(authorizer.functionRef, event, `authorizer ${authorizer.name}`),
  );
  port = 0;

  constructor(private readonly reporter: Reporter) {}

  async listen(port: number): Promise<number> {
    this.port = await listenOnLoopback(this.server, port, "--port");
    return this.port;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  wire(wiring: GatewayWiring): void {
    this.wiring = wiring;
    this.authorizers.clear();
  }

  private async invoke(functionRef: string, event: unknown, detail: string): Promise<InvocationResult | undefined> {
    const fn = this.wiring.functionByRef(functionRef);
    if (!fn) {
      this.reporter.warn(`no deployed function for ${functionRef}`);
      return undefined;
    }
    const result = await fn.invoke(event);
    this.reporter.invocation(fn.spec, { source: "http", detail }, result, { event });
    return result;
  }

  private locate(rawPath: string): { api: HttpApi; stage: HttpApi["stages"][number] } | undefined {
    for (const api of this.wiring.apis) {
      for (const stage of api.stages) {
        if (stage.name === "$default") continue;
        if (rawPath === `/${stage.name}` || rawPath.startsWith(`/${stage.name}/`)) return { api, stage };
      }
    }
    for (const api of this.wiring.apis) {
      const stage = api.stages.find((candidate) => candidate.name === "$default");
      if (stage) return { api, stage };
    }
    return undefined;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request) {
      size += (chunk as Buffer).length;
      if (size > maxBodyBytes) return this.send(response, gatewayError(413, "Request Entity Too Large"), "");
      chunks.push(chunk as Buffer);
    }
    const gatewayRequest = gatewayRequestOf(request, Buffer.concat(chunks));
    const requestId = gatewayRequest.requestId;
    try {
      const located = this.locate(gatewayRequest.rawPath);
      if (!located) return this.send(response, gatewayError(404, "Not Found"), requestId);
      const { api, stage } = located;
      const routePath = stage.name === "$default" ? gatewayRequest.rawPath : gatewayRequest.rawPath.slice(stage.name.length + 1) || "/";
      const match = selectRoute(api.routes, gatewayRequest.method, routePath);
      // With CORS configured, the gateway answers a preflight itself unless a route takes OPTIONS.
      if (!match && api.cors && isPreflight(gatewayRequest))
        return this.send(response, preflightResponse(api.cors, gatewayRequest), requestId);
      if (!match) return this.send(response, gatewayError(404, "Not Found"), requestId);
      const route: RouteContext = {
        apiId: api.apiId,
        stage: stage.name,
        routeKey: match.route.routeKey,
        pathParameters: match.pathParameters,
        stageVariables: stage.stageVariables,
      };
      let authorizerContext: Record<string, unknown> | undefined;
      if (match.route.authorizationType === "CUSTOM") {
        const authorizer = api.authorizers.get(String(match.route.authorizerId));
        if (!authorizer) return this.send(response, gatewayError(500, "Internal Server Error"), requestId);
        const outcome = await this.authorizers.authorize(authorizer, gatewayRequest, route);
        if (!outcome.allowed) return this.send(response, gatewayError(outcome.statusCode, outcome.message), requestId);
        authorizerContext = outcome.context;
      }
      const integrationId = String(match.route.target ?? "").replace(/^integrations\//, "");
      const unsupported = api.unsupportedIntegrations.get(integrationId);
      if (unsupported) {
        const message = `${unsupported.description} of route '${match.route.routeKey}' is not emulated by the sandbox (it runs Lambda proxy integrations only)`;
        return this.send(response, gatewayError(501, message), requestId);
      }
      const integration = api.integrations.get(integrationId);
      if (!integration) {
        const message = `route '${match.route.routeKey}' has no integration the program declared (target '${match.route.target ?? ""}')`;
        return this.send(response, gatewayError(500, message), requestId);
      }
      const event = proxyEvent(gatewayRequest, route, authorizerContext);
      const detail = `${gatewayRequest.method} ${gatewayRequest.rawPath}${gatewayRequest.rawQueryString ? `?${gatewayRequest.rawQueryString}` : ""}`;
      // An integration that outlives its timeout is answered 503 while the function runs on, as in AWS.
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), integration.timeoutMs).unref()));
      // The timer goes as soon as the function answers: until it fired, it held the answer (a
      // listing's 60 KB) through the race, and a burst of requests held a thousand of them.
      const result = await Promise.race([this.invoke(integration.functionRef, event, detail), timedOut]).finally(() => clearTimeout(timer));
      if (result === "timeout") return this.send(response, gatewayError(503, "Service Unavailable"), requestId);
      if (!result?.ok) return this.send(response, gatewayError(500, "Internal Server Error"), requestId);
      const answer = responseOf(result.value);
      return this.send(response, api.cors ? withCorsHeaders(api.cors, gatewayRequest, answer) : answer, requestId);
    } catch (error) {
      this.reporter.warn(`gateway: ${(error as Error).stack ?? error}`);
      return this.send(response, gatewayError(500, "Internal Server Error"), requestId);
    }
  }

  private send(response: ServerResponse, answer: GatewayResponse, requestId: string): void {
    if (response.headersSent) return;
    response.writeHead(answer.statusCode, {
      ...answer.headers,
      "content-length": String(answer.body.length),
      ...(requestId ? { "apigw-requestid": requestId } : {}),
    });
    response.end(answer.body);
  }

  stop(): Promise<void> {
    return closeServer(this.server);
  }
}
