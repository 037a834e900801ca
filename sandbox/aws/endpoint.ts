import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import { closeServer, listenOnLoopback } from "../listen";
import { queueUrlForms, regionOfSignedRequest, toExternalResponse, toInternalRequest } from "./sqs-queue-urls";
import { sandboxRegion } from "../constants";
import { jsonToQueryXml, queryToJson } from "./sqs-query-protocol";
import { objectEventOf, type ObjectEvent } from "./s3-object-events";

export interface AwsEndpointOptions {
  port: number;
  /** Read per request: the port is bound (and a conflict reported) before the emulators start. */
  upstreams: { dynamo: string; fauxqs: string };
  /** Called after S3 answered a write with 2xx: S3 notifications start here. */
  onObjectEvent(write: ObjectEvent): void;
}

export interface AwsEndpoint {
  origin: string;
  port: number;
  /**
   * Requests the emulators do not serve (Lambda's Invoke API, the sandbox's own `/_sandbox/`
   * routes) go here first; it returns false for anything it does not own.
   */
  extraRoutes?: (request: IncomingMessage, response: ServerResponse) => boolean;
  stop(): Promise<void>;
}

const upstreamAgent = new Agent({ keepAlive: true, maxSockets: 64 });

/**
 * The one AWS endpoint: DynamoDB calls (by `X-Amz-Target`) go to dynalite, everything else
 * (S3, SQS, STS) to fauxqs. SQS calls are rewritten so queue URLs are path-style on this endpoint.
 */
export async function startAwsEndpoint(options: AwsEndpointOptions): Promise<AwsEndpoint> {
  let origin = "";
  const server = createServer((request, response) => {
    if (endpoint.extraRoutes?.(request, response)) return;
    const target = String(request.headers["x-amz-target"] ?? "");
    if (target.startsWith("DynamoDB_")) {
      forward(request, response, options.upstreams.dynamo);
    } else if (target.startsWith("AmazonSQS.")) {
      void forwardSqs(request, response, options.upstreams.fauxqs, origin);
    } else if (String(request.headers["content-type"] ?? "").includes("x-www-form-urlencoded") && request.method === "POST") {
      void forwardForm(request, response, options.upstreams.fauxqs, origin);
    } else {
      const write = objectEventOf(request);
      forward(request, response, options.upstreams.fauxqs, (status, headers) => {
        if (write && status >= 200 && status < 300) {
          const requestId = String(headers["x-amz-request-id"] ?? randomBytes(8).toString("hex").toUpperCase());
          response.once("finish", () => options.onObjectEvent({ ...write, requestId, eventTime: new Date() }));
        }
      });
    }
  });
  server.keepAliveTimeout = 5_000;
  const port = await listenOnLoopback(server, options.port, "--aws-port");
  origin = `http://127.0.0.1:${port}`;
  const endpoint: AwsEndpoint = { origin, port, stop: () => closeServer(server) };
  return endpoint;
}

function forward(
  request: IncomingMessage,
  response: ServerResponse,
  upstream: string,
  onResponse?: (status: number, headers: IncomingMessage["headers"]) => void,
): void {
  const url = new URL(upstream);
  const outgoing = httpRequest(
    {
      host: url.hostname,
      port: url.port,
      method: request.method,
      path: request.url,
      headers: request.headers,
      agent: upstreamAgent,
    },
    (upstreamResponse) => {
      const status = upstreamResponse.statusCode ?? 502;
      onResponse?.(status, upstreamResponse.headers);
      response.writeHead(status, upstreamResponse.headers);
      upstreamResponse.pipe(response);
    },
  );
  outgoing.on("error", (error) => failed(response, error));
  request.pipe(outgoing);
}

interface Answer {
  status: number;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

/** One SQS JSON-protocol call to fauxqs, with queue URLs translated both ways. */
function sqsJsonCall(upstream: string, origin: string, headers: IncomingMessage["headers"], raw: Buffer): Promise<Answer> {
  const forms = queueUrlForms(origin);
  const region = regionOfSignedRequest(headers.authorization, sandboxRegion);
  const body = rewriteJson(raw, (json) => toInternalRequest(json, forms, region));
  const url = new URL(upstream);
  // fauxqs builds new queue URLs from the Host header: always this endpoint's, whatever the client used.
  const outgoing = { ...headers, host: new URL(origin).host, "content-length": String(body.length) };
  return new Promise((resolve, reject) => {
    const call = httpRequest({ host: url.hostname, port: url.port, method: "POST", path: "/", headers: outgoing, agent: upstreamAgent }, (answer) => {
      readAll(answer).then(
        (rawAnswer) =>
          resolve({
            status: answer.statusCode ?? 502,
            headers: answer.headers,
            body: rewriteJson(rawAnswer, (json) => toExternalResponse(json, forms)),
          }),
        reject,
      );
    });
    call.on("error", reject);
    call.end(body);
  });
}

function reply(response: ServerResponse, answer: Answer): void {
  response.writeHead(answer.status, { ...answer.headers, "content-length": String(answer.body.length) });
  response.end(answer.body);
}

async function forwardSqs(request: IncomingMessage, response: ServerResponse, upstream: string, origin: string) {
  try {
    reply(response, await sqsJsonCall(upstream, origin, request.headers, await readAll(request)));
  } catch (error) {
    failed(response, error as Error);
  }
}

/** Form-encoded calls: SQS's query protocol is translated, anything else (SNS, STS) passes through. */
async function forwardForm(request: IncomingMessage, response: ServerResponse, upstream: string, origin: string) {
  try {
    const raw = await readAll(request);
    const query = queryToJson(raw.toString("utf8"));
    if (!query) {
      const url = new URL(upstream);
      const call = httpRequest(
        { host: url.hostname, port: url.port, method: request.method, path: request.url, headers: request.headers, agent: upstreamAgent },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      call.on("error", (error) => failed(response, error));
      call.end(raw);
      return;
    }
    const headers = {
      ...request.headers,
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": `AmazonSQS.${query.action}`,
    };
    const answer = await sqsJsonCall(upstream, origin, headers, Buffer.from(JSON.stringify(query.json)));
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
  response.end(JSON.stringify({ message: `sandbox endpoint: emulator unavailable (${error.message})` }));
}
