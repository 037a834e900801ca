import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * An HTTP proxy in front of fauxqs' SQS endpoint that sees what the handler really sends: every
 * SendMessageBatch call (entries, bytes, how many were outstanding at once). It can also make SQS
 * answer some entries with `Failed`, as SQS does under load or for a body it refuses, so the
 * handler's retries run against the real wire protocol and the real queue.
 */
export interface BatchCall {
  readonly entries: number;
  readonly bytes: number;
}

export interface EntryFailureRule {
  /** Which message bodies to fail. */
  readonly match: (body: string) => boolean;
  /** How many times each matching body is failed before it is let through. */
  readonly times: number;
  readonly senderFault: boolean;
}

export interface SqsProxy {
  url: string;
  /** Calls by action name (SendMessage, SendMessageBatch, ...). */
  readonly actions: Map<string, number>;
  readonly batches: BatchCall[];
  maxConcurrentBatches: number;
  /** Holds each SendMessageBatch for this long, so that overlapping calls can be observed. */
  delayBatchesMs: number;
  failEntries(rule: EntryFailureRule): void;
  reset(): void;
  close(): Promise<void>;
}

interface BatchRequest {
  QueueUrl: string;
  Entries: { Id: string; MessageBody: string }[];
}

interface BatchResponse {
  Successful?: unknown[];
  Failed?: unknown[];
}

export async function startSqsProxy(upstream: string): Promise<SqsProxy> {
  const target = new URL(upstream);
  let rule: EntryFailureRule | undefined;
  const failuresServed = new Map<string, number>();
  let concurrent = 0;

  const proxy: SqsProxy = {
    url: "",
    actions: new Map(),
    batches: [],
    maxConcurrentBatches: 0,
    delayBatchesMs: 0,
    failEntries(next) {
      rule = next;
      failuresServed.clear();
    },
    reset() {
      proxy.actions.clear();
      proxy.batches.length = 0;
      proxy.maxConcurrentBatches = 0;
      proxy.delayBatchesMs = 0;
      rule = undefined;
      failuresServed.clear();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  const forward = (incoming: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const headers = { ...incoming.headers, "content-length": String(body.length), host: target.host };
      const outgoing = httpRequest(
        { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers },
        async (response) => {
          const chunks: Buffer[] = [];
          for await (const chunk of response) chunks.push(chunk as Buffer);
          const copied: Record<string, string> = {};
          for (const [name, value] of Object.entries(response.headers)) {
            if (typeof value === "string" && name !== "content-length" && name !== "transfer-encoding") copied[name] = value;
          }
          resolve({ status: response.statusCode ?? 500, headers: copied, body: Buffer.concat(chunks) });
        },
      );
      outgoing.on("error", reject);
      outgoing.end(body);
    });

  const send = (response: ServerResponse, status: number, headers: Record<string, string>, body: Buffer) => {
    response.writeHead(status, { ...headers, "content-length": String(body.length) });
    response.end(body);
  };

  const sendBatch = async (incoming: IncomingMessage, raw: Buffer, response: ServerResponse) => {
    const request = JSON.parse(raw.toString("utf8")) as BatchRequest;
    proxy.batches.push({
      entries: request.Entries.length,
      bytes: request.Entries.reduce((sum, entry) => sum + Buffer.byteLength(entry.MessageBody), 0),
    });
    concurrent++;
    proxy.maxConcurrentBatches = Math.max(proxy.maxConcurrentBatches, concurrent);
    try {
      if (proxy.delayBatchesMs > 0) await new Promise((resolve) => setTimeout(resolve, proxy.delayBatchesMs));
      const failed: unknown[] = [];
      const kept = request.Entries.filter((entry) => {
        const served = failuresServed.get(entry.MessageBody) ?? 0;
        if (!rule || !rule.match(entry.MessageBody) || served >= rule.times) return true;
        failuresServed.set(entry.MessageBody, served + 1);
        failed.push(
          rule.senderFault
            ? { Id: entry.Id, SenderFault: true, Code: "InvalidMessageContents", Message: "refused by the test" }
            : { Id: entry.Id, SenderFault: false, Code: "InternalError", Message: "try again" },
        );
        return false;
      });
      if (kept.length === 0) {
        const body = Buffer.from(JSON.stringify({ Successful: [], Failed: failed }));
        send(response, 200, { "content-type": "application/x-amz-json-1.0" }, body);
        return;
      }
      const upstreamReply = await forward(incoming, Buffer.from(JSON.stringify({ ...request, Entries: kept })));
      if (upstreamReply.status !== 200) {
        send(response, upstreamReply.status, upstreamReply.headers, upstreamReply.body);
        return;
      }
      const result = JSON.parse(upstreamReply.body.toString("utf8")) as BatchResponse;
      const merged = { ...result, Failed: [...(result.Failed ?? []), ...failed] };
      send(response, 200, upstreamReply.headers, Buffer.from(JSON.stringify(merged)));
    } finally {
      concurrent--;
    }
  };

  const server = createServer(async (incoming, response) => {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of incoming) chunks.push(chunk as Buffer);
      const raw = Buffer.concat(chunks);
      const action = String(incoming.headers["x-amz-target"] ?? "").replace("AmazonSQS.", "");
      proxy.actions.set(action, (proxy.actions.get(action) ?? 0) + 1);
      if (action === "SendMessageBatch") await sendBatch(incoming, raw, response);
      else {
        const reply = await forward(incoming, raw);
        send(response, reply.status, reply.headers, reply.body);
      }
    } catch (error) {
      send(response, 502, { "content-type": "text/plain" }, Buffer.from(String(error)));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
