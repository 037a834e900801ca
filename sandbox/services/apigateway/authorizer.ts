import type { GatewayRequest, RouteContext } from "./payload";
import { authorizerEvent } from "./payload";
import type { Authorizer } from "./api-model";
import type { InvocationResult } from "../../model/function-spec";

export type AuthorizerOutcome =
  { allowed: true; context: Record<string, unknown> } | { allowed: false; statusCode: 401 | 403 | 500; message: string };

/** The value of one identity source (`$request.header.X`, `$request.querystring.x`, ...), if present. */
export function identityValue(source: string, request: GatewayRequest, route: RouteContext): string | undefined {
  const [, kind, name] = /^\$(request\.header|request\.querystring|stageVariables|context)\.(.+)$/.exec(source) ?? [];
  switch (kind) {
    case "request.header":
      return request.headers[name.toLowerCase()] || undefined;
    case "request.querystring":
      return request.queryStringParameters[name] || undefined;
    case "stageVariables":
      return route.stageVariables?.[name] || undefined;
    case "context":
      return name === "requestId" ? request.requestId : undefined;
    default:
      return undefined;
  }
}

/**
 * A Lambda REQUEST authorizer as API Gateway runs it: a missing identity source is 401 without
 * calling the function, a denial 403, a failing authorizer 500; answers are cached for the TTL
 * per identity.
 */
export class AuthorizerRunner {
  private readonly cache = new Map<string, { outcome: AuthorizerOutcome; expires: number }>();

  constructor(private readonly invoke: (authorizer: Authorizer, event: unknown) => Promise<InvocationResult | undefined>) {}

  async authorize(authorizer: Authorizer, request: GatewayRequest, route: RouteContext): Promise<AuthorizerOutcome> {
    const identity = authorizer.identitySources.map((source) => identityValue(source, request, route));
    if (identity.some((value) => value === undefined)) return { allowed: false, statusCode: 401, message: "Unauthorized" };
    const key = `${authorizer.id}\u0000${route.routeKey}\u0000${identity.join("\u0000")}`;
    const cached = this.cache.get(key);
    if (cached && cached.expires > Date.now()) return cached.outcome;

    const result = await this.invoke(authorizer, authorizerEvent(request, route, identity as string[]));
    if (!result?.ok) return { allowed: false, statusCode: 500, message: "Internal Server Error" };
    const outcome = this.interpret(authorizer, result.value);
    if (authorizer.ttlSeconds > 0 && (outcome.allowed || outcome.statusCode !== 500)) {
      this.cache.set(key, { outcome, expires: Date.now() + authorizer.ttlSeconds * 1000 });
    }
    return outcome;
  }

  private interpret(authorizer: Authorizer, value: unknown): AuthorizerOutcome {
    const answer = (value ?? {}) as {
      isAuthorized?: unknown;
      context?: Record<string, unknown>;
      policyDocument?: { Statement?: Array<{ Effect?: string }> };
    };
    if (authorizer.simpleResponses && typeof answer.isAuthorized === "boolean") {
      return answer.isAuthorized
        ? { allowed: true, context: { lambda: answer.context ?? {} } }
        : { allowed: false, statusCode: 403, message: "Forbidden" };
    }
    const statements = answer.policyDocument?.Statement;
    if (Array.isArray(statements)) {
      const allowed =
        statements.some((statement) => statement.Effect === "Allow") && !statements.some((statement) => statement.Effect === "Deny");
      return allowed
        ? { allowed: true, context: { lambda: answer.context ?? {} } }
        : { allowed: false, statusCode: 403, message: "Forbidden" };
    }
    return { allowed: false, statusCode: 500, message: "Internal Server Error" };
  }

  clear(): void {
    this.cache.clear();
  }
}
