import type { IncomingMessage, ServerResponse } from "node:http";
import type { Reporter } from "../log";
import type { Wiring } from "../wiring";
import { sampleEvent, type SampleSource } from "./samples";
import { asyncConfigOf } from "./async-invoke";

const invokePath = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function json(response: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(value);
  response.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)), ...headers });
  response.end(text);
}

/**
 * Lambda's Invoke API on the sandbox endpoint (so `aws lambda invoke --endpoint-url` and
 * `npm run invoke` work), plus the sandbox's own read-only routes under `/_sandbox/`.
 */
export function controlRoutes(wiring: () => Wiring, reporter: Reporter) {
  return (request: IncomingMessage, response: ServerResponse): boolean => {
    const url = new URL(request.url ?? "/", "http://sandbox");
    const invoke = invokePath.exec(url.pathname);
    if (invoke && request.method === "POST") {
      void (async () => {
        const name = decodeURIComponent(invoke[1]);
        const current = wiring();
        const fn = current.functionByRef(name) ?? [...current.functions.values()].find((candidate) => candidate.spec.logicalName === name);
        if (!fn) return json(response, 404, { Type: "User", message: `Function not found: ${name}` }, { "x-amzn-errortype": "ResourceNotFoundException" });
        const text = await body(request);
        let event: unknown;
        try {
          event = text ? JSON.parse(text) : {};
        } catch {
          return json(response, 400, { Type: "User", message: "Could not parse request body into json: the event must be JSON" }, { "x-amzn-errortype": "InvalidRequestContentException" });
        }
        if (request.headers["x-amz-invocation-type"] === "Event") {
          // Queued as Lambda queues it: retried, then sent to the destinations the program declared.
          void current.asyncInvoker.invoke(fn, event, { source: "invoke", detail: "(Event)" }, asyncConfigOf(current.index, fn.name));
          return json(response, 202, {});
        }
        const result = await fn.invoke(event);
        reporter.invocation(fn.spec, { source: "invoke", detail: "(RequestResponse)" }, result);
        const tail = Buffer.from(result.logs.map((log) => log.text).join("\n").slice(-4096)).toString("base64");
        const headers: Record<string, string> = { "x-amz-executed-version": "$LATEST", "x-amz-request-id": result.requestId };
        if (request.headers["x-amz-log-type"] === "Tail") headers["x-amz-log-result"] = tail;
        if (!result.ok) headers["x-amz-function-error"] = "Unhandled";
        return json(response, 200, result.ok ? result.value : result.error, headers);
      })().catch((error) => json(response, 400, { Type: "User", message: String(error) }));
      return true;
    }
    if (url.pathname === "/_sandbox/resources" && request.method === "GET") {
      const resources = wiring().index.deployment.resources.map(({ type, name, id, state }) => ({
        type,
        name,
        id,
        state: Object.fromEntries(Object.entries(state).filter(([key]) => key !== "code")),
      }));
      json(response, 200, { resources });
      return true;
    }
    if (url.pathname === "/_sandbox/sample" && request.method === "GET") {
      const source = url.searchParams.get("source") as SampleSource;
      const fn = url.searchParams.get("function") ?? "";
      if (!["s3", "sqs", "http"].includes(source)) {
        json(response, 400, { message: "source must be s3, sqs or http" });
        return true;
      }
      const current = wiring();
      const name = current.functionByRef(fn)?.name ?? [...current.functions.values()].find((candidate) => candidate.spec.logicalName === fn)?.name ?? fn;
      json(response, 200, sampleEvent(source, name, current.index));
      return true;
    }
    return false;
  };
}
