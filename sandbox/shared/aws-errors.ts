import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * AWS's wire protocols, as far as an error is concerned: each SDK and CLI parses a service's
 * errors in that service's protocol only (an S3 XML error to a Lambda call reads as garbage).
 */
export type AwsProtocol = "rest-json" | "json" | "query" | "rest-xml" | "rpc-v2-cbor";

/** The service a request was signed for: SigV4's credential scope names it (`.../<region>/<service>/aws4_request`). */
export function signingServiceOf(request: IncomingMessage): string | undefined {
  return /Credential=\S+?\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(String(request.headers.authorization ?? ""))?.[1];
}

/** Services that speak XML over REST: every other REST service speaks JSON. */
const restXmlServices = new Set(["s3", "s3-control", "route53", "cloudfront"]);

/** The protocol a request was made in, from what every protocol puts on the request. */
export function protocolOf(request: IncomingMessage, service: string | undefined): AwsProtocol {
  if (String(request.headers["smithy-protocol"] ?? "") === "rpc-v2-cbor") return "rpc-v2-cbor";
  if (request.headers["x-amz-target"]) return "json";
  if (request.method === "POST" && String(request.headers["content-type"] ?? "").includes("x-www-form-urlencoded")) return "query";
  return service && restXmlServices.has(service) ? "rest-xml" : "rest-json";
}

const escapeXml = (text: string) =>
  text.replace(/[<>&'"]/g, (char) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[char]!);

/** A CBOR map of text strings: all an RPC v2 CBOR error needs. */
function cborTextMap(entries: Record<string, string>): Buffer {
  const head = (major: number, length: number) => {
    if (length < 24) return Buffer.from([(major << 5) | length]);
    if (length < 0x100) return Buffer.from([(major << 5) | 24, length]);
    if (length < 0x10000) return Buffer.from([(major << 5) | 25, length >> 8, length & 0xff]);
    const four = Buffer.alloc(5);
    four[0] = (major << 5) | 26;
    four.writeUInt32BE(length, 1);
    return four;
  };
  const text = (value: string) => {
    const bytes = Buffer.from(value, "utf8");
    return Buffer.concat([head(3, bytes.length), bytes]);
  };
  const pairs = Object.entries(entries);
  return Buffer.concat([head(5, pairs.length), ...pairs.flatMap(([key, value]) => [text(key), text(value)])]);
}

/** An error as it goes on the wire: status, headers (with the body's length) and body. */
export interface AwsErrorAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * An error in the given protocol's own shape, with the code and message SDKs and CLIs show;
 * `details` are the error's other members (S3's `<ProposedSize>`, for one).
 */
export function awsErrorAnswer(
  protocol: AwsProtocol,
  status: number,
  code: string,
  message: string,
  details: Record<string, string> = {},
): AwsErrorAnswer {
  const requestId = randomUUID();
  const headers: Record<string, string> = { "x-amzn-requestid": requestId, "x-amzn-errortype": code };
  let body: Buffer;
  switch (protocol) {
    case "rest-json":
      headers["content-type"] = "application/json";
      body = Buffer.from(JSON.stringify({ message, ...details }));
      break;
    case "json":
      headers["content-type"] = "application/x-amz-json-1.1";
      // Services that moved from the query protocol read the code from here.
      headers["x-amzn-query-error"] = `${code};${status < 500 ? "Sender" : "Receiver"}`;
      body = Buffer.from(JSON.stringify({ __type: code, message, ...details }));
      break;
    case "rpc-v2-cbor":
      headers["content-type"] = "application/cbor";
      headers["smithy-protocol"] = "rpc-v2-cbor";
      headers["x-amzn-query-error"] = `${code};${status < 500 ? "Sender" : "Receiver"}`;
      body = cborTextMap({ __type: code, message, ...details });
      break;
    case "query":
      headers["content-type"] = "text/xml";
      body = Buffer.from(
        `<?xml version="1.0"?>\n<ErrorResponse><Error><Type>${status < 500 ? "Sender" : "Receiver"}</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message>${xmlElements(details)}</Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      );
      break;
    case "rest-xml":
      headers["content-type"] = "application/xml";
      // S3 names its request ID in this header too.
      headers["x-amz-request-id"] = requestId;
      body = Buffer.from(
        `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message>${xmlElements(details)}<RequestId>${requestId}</RequestId></Error>`,
      );
      break;
  }
  headers["content-length"] = String(body.length);
  return { status, headers, body };
}

const xmlElements = (details: Record<string, string>) =>
  Object.entries(details)
    .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
    .join("");

export function sendAnswer(response: ServerResponse, answer: AwsErrorAnswer): void {
  response.writeHead(answer.status, answer.headers);
  response.end(answer.body);
}

/** Sends an error in the given protocol's own shape (see awsErrorAnswer). */
export function sendAwsError(response: ServerResponse, protocol: AwsProtocol, status: number, code: string, message: string): void {
  sendAnswer(response, awsErrorAnswer(protocol, status, code, message));
}

/** The operation a request asks for, as far as the protocol tells it without the service's model. */
export function operationOf(request: IncomingMessage, protocol: AwsProtocol, form?: URLSearchParams): string {
  if (protocol === "json") return String(request.headers["x-amz-target"]).split(".").pop()!;
  if (protocol === "rpc-v2-cbor") return (request.url ?? "").split("?")[0].split("/").pop() ?? "";
  if (protocol === "query") return form?.get("Action") ?? "(no Action)";
  return `${request.method} ${(request.url ?? "/").split("?")[0]}`;
}

/** What the endpoint answers for a call it does not emulate: 501, in the service's own shape. */
export function notEmulated(response: ServerResponse, protocol: AwsProtocol, service: string, operation: string, emulated: string): void {
  sendAwsError(response, protocol, 501, "NotImplemented", `the sandbox does not emulate ${service} ${operation}: ${emulated}`);
}
