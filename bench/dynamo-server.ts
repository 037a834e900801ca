/**
 * A child process holding the sandbox's AWS endpoint (its DynamoDB: dynalite inside) and a
 * counting proxy in front of it, so that DynamoDB's own CPU runs beside the measured handler
 * instead of on its event loop (the sandbox keeps it out of the functions' threads too). Driven
 * over IPC by bench/dynamo-harness.ts.
 *   node --import tsx bench/dynamo-server.ts [stateDir]   (no stateDir: tables in memory)
 */
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { startLocalAws } from "../sandbox/endpoint";
import type { Traffic } from "./dynamo-harness";

const listen = (server: Server) =>
  new Promise<string>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );

async function main() {
  const aws = await startLocalAws({ port: 0, stateDir: process.argv[2] });
  const direct = aws.origin;
  const upstream = new URL(direct);
  const fresh = (): Traffic => ({ requests: 0, errors: 0, connections: 0, maxInFlight: 0, operations: [] });
  let traffic = fresh();
  let inFlight = 0;
  const proxy = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const body = Buffer.concat(chunks);
      const operation = String(incoming.headers["x-amz-target"] ?? "").replace(/^DynamoDB_\d+\./, "");
      const index =
        operation === "Query" || operation === "Scan" ? (JSON.parse(body.toString("utf8")).IndexName as string | undefined) : undefined;
      traffic.requests++;
      traffic.operations.push({ operation, ...(index ? { index } : {}) });
      traffic.maxInFlight = Math.max(traffic.maxInFlight, ++inFlight);
      const forward = request(
        // Addressed to the endpoint itself: it answers only requests whose Host is its own.
        {
          host: upstream.hostname,
          port: upstream.port,
          method: incoming.method,
          path: incoming.url,
          headers: { ...incoming.headers, host: upstream.host },
        },
        (answer) => {
          // A 400 here is mostly a failed condition (an answer, not a retry); throttling and 5xx are retried.
          if (answer.statusCode !== 200 && answer.statusCode !== 400) traffic.errors++;
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
          answer.on("end", () => inFlight--);
        },
      );
      forward.on("error", (error) => {
        inFlight--;
        outgoing.destroy(error);
      });
      forward.end(body);
    });
  });
  proxy.on("connection", () => traffic.connections++);
  const endpoint = await listen(proxy);
  process.on("message", (message: { type: string }) => {
    if (message.type === "reset") traffic = fresh();
    if (message.type === "traffic") process.send!({ type: "traffic", traffic });
  });
  // The parent going away ends this process, whatever state the parent died in.
  process.on("disconnect", () => process.exit(0));
  process.send!({ type: "ready", endpoint, direct });
}

void main();
