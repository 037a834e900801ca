import type { IncomingMessage, ServerResponse } from "node:http";
import { createHash } from "node:crypto";
import { types, type ResourceIndex } from "../../model/resource-index";
import type { RecordedResource } from "../../model/recorded";
import { notEmulated, sendAwsError, signingServiceOf } from "../../shared/aws-errors";
import { functionSpecOf } from "./spec-of";

/** What the endpoint does of Lambda's API, said in every answer to a call it does not. */
export const lambdaEmulated =
  "the endpoint serves Lambda's Invoke (RequestResponse, Event, DryRun), ListFunctions, GetFunction and GetFunctionConfiguration";

/** Lambda's requests: signed for `lambda`, or (unsigned, e.g. curl) under its API's path. */
export function isLambdaRequest(request: IncomingMessage): boolean {
  const service = signingServiceOf(request);
  return service === "lambda" || (service === undefined && /^\/2015-03-31\/functions(\/|$|\?)/.test(request.url ?? ""));
}

/** Lambda prints times as `2026-11-30T00:10:00.000+0000`. */
const lambdaTime = (iso: unknown) =>
  typeof iso === "string" && iso ? iso.replace(/Z$/, "+0000") : new Date(0).toISOString().replace(/Z$/, "+0000");

/** A function's configuration as Lambda's API answers it, from what the program declared. */
export function functionConfiguration(resource: RecordedResource): Record<string, unknown> {
  const spec = functionSpecOf(resource);
  const inputs = resource.inputs as {
    role?: string;
    description?: string;
    architectures?: string[];
    loggingConfig?: { logFormat?: string; applicationLogLevel?: string; systemLogLevel?: string; logGroup?: string };
    tracingConfig?: { mode?: string };
    ephemeralStorage?: { size?: number };
  };
  const codeSize = Object.values(spec.files).reduce((sum, text) => sum + Buffer.byteLength(text), 0);
  const logging = inputs.loggingConfig ?? {};
  return {
    FunctionName: spec.name,
    FunctionArn: spec.arn,
    Runtime: spec.runtime,
    Role: inputs.role ?? "",
    Handler: spec.handler,
    CodeSize: codeSize,
    Description: inputs.description ?? "",
    Timeout: spec.timeoutSeconds,
    MemorySize: spec.memorySizeMb,
    LastModified: lambdaTime(resource.state.lastModified),
    CodeSha256: createHash("sha256").update(spec.codeHash).digest("base64"),
    Version: "$LATEST",
    ...(Object.keys(spec.environment).length > 0 ? { Environment: { Variables: spec.environment } } : {}),
    TracingConfig: { Mode: inputs.tracingConfig?.mode ?? "PassThrough" },
    // A UUID-shaped id that changes with the code, as Lambda's does with each update.
    RevisionId: spec.codeHash.slice(0, 32).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5"),
    State: "Active",
    LastUpdateStatus: "Successful",
    PackageType: "Zip",
    Architectures: inputs.architectures?.length ? inputs.architectures : ["x86_64"],
    EphemeralStorage: { Size: inputs.ephemeralStorage?.size ?? 512 },
    LoggingConfig: {
      LogFormat: logging.logFormat ?? "Text",
      ...(logging.logFormat === "JSON"
        ? { ApplicationLogLevel: logging.applicationLogLevel ?? "INFO", SystemLogLevel: logging.systemLogLevel ?? "INFO" }
        : {}),
      LogGroup: spec.logGroupName ?? `/aws/lambda/${spec.name}`,
    },
  };
}

function json(response: ServerResponse, status: number, value: unknown) {
  const text = JSON.stringify(value);
  response.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) });
  response.end(text);
}

const functionPath = /^\/2015-03-31\/functions\/([^/]+)(\/configuration)?\/?$/;

/**
 * Lambda's read-only calls a developer looks around with, answered from the functions the program
 * declared; any other Lambda call answers Lambda's own error shape, saying it is not emulated.
 * (Invoke is served before this, by the sandbox's root, which runs the functions.)
 */
export function lambdaApi(index: () => ResourceIndex) {
  return (request: IncomingMessage, response: ServerResponse): boolean => {
    if (!isLambdaRequest(request)) return false;
    const url = new URL(request.url ?? "/", "http://lambda");
    const functions = index().all(types.function);
    if (request.method === "GET" && /^\/2015-03-31\/functions\/?$/.test(url.pathname)) {
      const all = functions.map(functionConfiguration).sort((a, b) => String(a.FunctionName).localeCompare(String(b.FunctionName)));
      const start = Number(url.searchParams.get("Marker") ?? 0) || 0;
      const size = Math.min(Math.max(Number(url.searchParams.get("MaxItems") ?? 50) || 50, 1), 10_000);
      const page = all.slice(start, start + size);
      json(response, 200, { Functions: page, ...(start + size < all.length ? { NextMarker: String(start + size) } : {}) });
      return true;
    }
    const named = functionPath.exec(url.pathname);
    if (request.method === "GET" && named) {
      const ref = decodeURIComponent(named[1]);
      const resource = index().functionByRef(ref);
      if (!resource) {
        sendAwsError(response, "rest-json", 404, "ResourceNotFoundException", `Function not found: ${ref}`);
        return true;
      }
      const configuration = functionConfiguration(resource);
      if (named[2]) {
        json(response, 200, configuration);
        return true;
      }
      const reserved = functionSpecOf(resource).reservedConcurrency;
      json(response, 200, {
        Configuration: configuration,
        // The artifact is on this machine, not in S3: the location says where the sandbox runs it from.
        Code: { RepositoryType: "S3", Location: `sandbox://functions/${configuration.FunctionName}` },
        ...(resource.inputs.tags ? { Tags: resource.inputs.tags } : {}),
        ...(reserved !== undefined ? { Concurrency: { ReservedConcurrentExecutions: reserved } } : {}),
      });
      return true;
    }
    notEmulated(response, "rest-json", "Lambda", `${request.method} ${url.pathname}`, lambdaEmulated);
    return true;
  };
}
