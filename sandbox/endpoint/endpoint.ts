import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import { closeServer, foreignHost, isLoopbackName, listenOnLoopback } from "../shared/listen";
import { queueUrlForms, regionOfSignedRequest, toExternalResponse, toInternalRequest } from "./sqs-queue-urls";
import { objectEventOf, type ObjectEvent } from "./s3-object-events";
import { jsonToQueryXml, queryToJson } from "./sqs-query-protocol";
import { ConditionalWrites } from "./s3-conditional-writes";
import { refuseOversizedBody } from "./s3-body-limits";
import { sandboxRegion } from "../shared/constants";
import { notEmulated, operationOf, protocolOf, signingServiceOf } from "../shared/aws-errors";
import type { DynamoService } from "../services/dynamodb/service";
import type { FauxqsEmulator } from "./fauxqs";
import type { EndpointFaults } from "../faults/endpoint";

export interface AwsEndpointOptions {
  port: number;
  /** Filled once the emulators run: the port is bound (and a conflict reported) before they start. */
  upstreams: { dynamo?: DynamoService; fauxqs?: FauxqsEmulator };
  /** Called after S3 answered a write or delete with 2xx: S3 notifications start here. */
  onObjectEvent(event: ObjectEvent): void;
}

export interface AwsEndpoint {
  origin: string;
  port: number;
  /**
   * Requests the emulators do not serve (Lambda's Invoke API, the sandbox's own `/_sandbox/`
   * routes) go here first; it returns false for anything it does not own.
   */
  extraRoutes?: (request: IncomingMessage, response: ServerResponse) => boolean;
  /** Injected faults (`npm start -- --faults`), set like extraRoutes once the sandbox has them. */
  faults?: EndpointFaults;
  /**
   * Origins of the sandbox's own pages (this endpoint's, the API's), the only ones whose browser
   * requests are served; the sandbox adds the API's once it listens.
   */
  trustedOrigins: string[];
  stop(): Promise<void>;
}

type Headers = IncomingMessage["headers"];

/**
 * The one AWS endpoint: DynamoDB and DynamoDB Streams calls (by `X-Amz-Target`) go to the
 * sandbox's DynamoDB service (dynalite inside), everything else
 * (S3, SQS, STS) to fauxqs, both in-process. SQS calls are rewritten so queue URLs are path-style
 * on this endpoint, and SQS's query protocol is translated for fauxqs, which speaks only JSON.
 */
export async function startAwsEndpoint(options: AwsEndpointOptions): Promise<AwsEndpoint> {
  let origin = "";
  const conditionalWrites = new ConditionalWrites(async (path) => {
    const answer = await options.upstreams.fauxqs!.inject({
      method: "HEAD",
      url: path,
      headers: { host: new URL(origin).host },
      body: Buffer.alloc(0),
    });
    return answer.status === 200 ? String(answer.headers.etag) : undefined;
  });
  const server = createServer((request, response) => {
    const refusal = foreignHost(request.headers.host, endpoint.port) ?? foreignPage(request.headers, endpoint.trustedOrigins);
    if (refusal) return refuse(response, refusal);
    if (endpoint.extraRoutes?.(request, response)) return;
    const service = signingServiceOf(request);
    if (service !== undefined && !passedToEmulators.has(service)) return void unemulatedService(request, response, service);
    const { dynamo, fauxqs } = options.upstreams;
    if (!dynamo || !fauxqs) return failed(response, new Error("the emulators are still starting"));
    const target = String(request.headers["x-amz-target"] ?? "");
    try {
      if (dynamo.owns(target)) {
        if (endpoint.faults?.throttleDynamo(target, request, response)) return;
        dynamo.handle(request, response);
      } else if (target.startsWith("AmazonSQS.")) {
        void sqsJson(request, response, fauxqs, origin, endpoint.faults);
      } else if (request.method === "POST" && String(request.headers["content-type"] ?? "").includes("x-www-form-urlencoded")) {
        void formEncoded(request, response, fauxqs, origin);
      } else {
        if (refuseOversizedBody(request, response)) return;
        const event = objectEventOf(request);
        if (event) {
          response.once("finish", () => {
            if (response.statusCode < 200 || response.statusCode >= 300) return;
            const requestId = String(response.getHeader("x-amz-request-id") ?? randomBytes(8).toString("hex").toUpperCase());
            options.onObjectEvent({ ...event, requestId, eventTime: new Date() });
          });
        }
        if (conditionalWrites.handle(request, response, () => fauxqs.handle(request, response))) return;
        fauxqs.handle(request, response);
      }
    } catch (error) {
      failed(response, error as Error);
    }
  });
  // SDKs wait for `100 Continue` before sending a body over 2 MB: S3 refuses a body too large for
  // it before that, so the client hears why at once instead of sending gigabytes first.
  server.on("checkContinue", (request: IncomingMessage, response: ServerResponse) => {
    if (signingServiceOf(request) === "s3" && !foreignHost(request.headers.host, endpoint.port) && refuseOversizedBody(request, response))
      return;
    response.writeContinue();
    server.emit("request", request, response);
  });
  server.keepAliveTimeout = 5_000;
  const port = await listenOnLoopback(server, options.port, "--aws-port");
  origin = `http://127.0.0.1:${port}`;
  const endpoint: AwsEndpoint = { origin, port, trustedOrigins: [origin], stop: () => closeServer(server) };
  return endpoint;
}

/** Services whose calls go to the emulators (STS: fauxqs answers GetCallerIdentity). */
const passedToEmulators = new Set(["s3", "sqs", "dynamodb", "sts"]);

const servicesServed =
  "the sandbox's endpoint serves S3, SQS, DynamoDB, SNS, STS GetCallerIdentity, Lambda (Invoke and its read-only calls), and the read-only calls of API Gateway v2 and CloudWatch Logs";

/** A call to a service the endpoint does not emulate: a 501 in that service's own protocol, never an S3 error. */
async function unemulatedService(request: IncomingMessage, response: ServerResponse, service: string) {
  const protocol = protocolOf(request, service);
  const body = await readAll(request);
  const form = protocol === "query" ? new URLSearchParams(body.toString("utf8")) : undefined;
  notEmulated(response, protocol, service, operationOf(request, protocol, form), servicesServed);
}

/**
 * Why a browser request sent by a page that is not the sandbox's own is refused. Any page the
 * user visits can send "simple" requests here without a preflight (SQS's form-encoded query
 * protocol is one: send, purge, delete queues), so CORS alone protects nothing. Browsers name the
 * page in `Origin` (or at least say `Sec-Fetch-Site`); SDKs and CLIs send neither.
 */
function foreignPage(headers: Headers, trusted: string[]): string | undefined {
  const origin = headers.origin;
  if (origin !== undefined) {
    return trusted.some((own) => sameOrigin(own, origin))
      ? undefined
      : `the sandbox's AWS endpoint refuses requests from pages of other origins ('${origin}')`;
  }
  const site = headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin" && site !== "none")
    return `the sandbox's AWS endpoint refuses requests from pages of other sites`;
  return undefined;
}

function sameOrigin(own: string, origin: string): boolean {
  try {
    const [a, b] = [new URL(own), new URL(origin)];
    // Every loopback name of the same port is this server.
    const host = (url: URL) => (isLoopbackName(url.hostname) ? "loopback" : url.hostname);
    return a.protocol === b.protocol && host(a) === host(b) && a.port === b.port;
  } catch {
    // `Origin: null` (sandboxed frames, files) and anything unparsable are nobody's.
    return false;
  }
}

function refuse(response: ServerResponse, message: string): void {
  response.writeHead(403, { "content-type": "application/json", "x-amzn-errortype": "AccessDeniedException" });
  response.end(JSON.stringify({ __type: "AccessDeniedException", message }));
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: Buffer;
}

/** One SQS JSON-protocol call, with queue URLs translated both ways. */
async function sqsJsonCall(fauxqs: FauxqsEmulator, origin: string, headers: Headers, raw: Buffer): Promise<Answer> {
  const forms = queueUrlForms(origin);
  const region = regionOfSignedRequest(headers.authorization, sandboxRegion);
  const body = rewriteJson(raw, (json) => toInternalRequest(json, forms, region));
  // fauxqs builds new queue URLs from the Host header: always this endpoint's, whatever the client used.
  const outgoing = { ...headers, host: new URL(origin).host, "content-length": String(body.length) };
  const answer = await fauxqs.inject({ method: "POST", url: "/", headers: outgoing, body });
  return { ...answer, body: rewriteJson(answer.body, (json) => toExternalResponse(json, forms)) };
}

function reply(response: ServerResponse, answer: Answer): void {
  const headers: Answer["headers"] = { ...answer.headers, "content-length": String(answer.body.length) };
  // The body is sent whole, with its length: a chunked encoding from the emulator no longer applies.
  delete headers["transfer-encoding"];
  response.writeHead(answer.status, headers);
  response.end(answer.body);
}

async function sqsJson(
  request: IncomingMessage,
  response: ServerResponse,
  fauxqs: FauxqsEmulator,
  origin: string,
  faults?: EndpointFaults,
) {
  try {
    const forward = (body: Buffer) => sqsJsonCall(fauxqs, origin, request.headers, body);
    const raw = await readAll(request);
    reply(response, await (faults ? faults.sendMessageBatch(String(request.headers["x-amz-target"]), raw, forward) : forward(raw)));
  } catch (error) {
    failed(response, error as Error);
  }
}

/** Form-encoded calls: SQS's query protocol is translated, anything else (SNS, STS) passes through. */
async function formEncoded(request: IncomingMessage, response: ServerResponse, fauxqs: FauxqsEmulator, origin: string) {
  try {
    const raw = await readAll(request);
    const query = queryToJson(raw.toString("utf8"));
    if (!query) {
      reply(response, await fauxqs.inject({ method: "POST", url: request.url ?? "/", headers: request.headers, body: raw }));
      return;
    }
    const headers = { ...request.headers, "content-type": "application/x-amz-json-1.0", "x-amz-target": `AmazonSQS.${query.action}` };
    const answer = await sqsJsonCall(fauxqs, origin, headers, Buffer.from(JSON.stringify(query.json)));
    const json = answer.body.length > 0 ? JSON.parse(answer.body.toString("utf8")) : {};
    const xml = Buffer.from(jsonToQueryXml(query.action, answer.status, json, answer.headers["x-amzn-query-error"] as string | undefined));
    reply(response, { status: answer.status, headers: { "content-type": "text/xml" }, body: xml });
  } catch (error) {
    failed(response, error as Error);
  }
}

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function rewriteJson(raw: Buffer, rewrite: (json: Record<string, unknown>) => Record<string, unknown>): Buffer {
  if (raw.length === 0) return raw;
  try {
    const json = JSON.parse(raw.toString("utf8"));
    return json && typeof json === "object" ? Buffer.from(JSON.stringify(rewrite(json))) : raw;
  } catch {
    // Not JSON: pass it through and let the other side answer with its own error.
    return raw;
  }
}

function failed(response: ServerResponse, error: Error): void {
  if (response.headersSent) {
    response.destroy(error);
    return;
  }
  response.writeHead(502, { "content-type": "application/json" });
  response.end(JSON.stringify({ message: `sandbox endpoint: ${error.message}` }));
}
