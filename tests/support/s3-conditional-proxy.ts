import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ConditionalWrites } from "../../sandbox/endpoint/s3-conditional-writes";

/**
 * S3 in front of fauxqs with conditional writes checked as the sandbox's endpoint checks them
 * (fauxqs alone ignores If-Match and If-None-Match on PutObject), for handler tests.
 */
export async function startS3ConditionalProxy(upstream: string): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(upstream);
  const forward = (request: import("node:http").IncomingMessage, response: import("node:http").ServerResponse) => {
    const outgoing = httpRequest(
      { host: target.hostname, port: target.port, method: request.method, path: request.url, headers: request.headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    request.pipe(outgoing);
  };
  const conditional = new ConditionalWrites(async (path) => {
    const answer = await fetch(`${upstream}${path}`, { method: "HEAD" });
    return answer.status === 200 ? (answer.headers.get("etag") ?? undefined) : undefined;
  });
  const server: Server = createServer((request, response) => {
    if (!conditional.handle(request, response, () => forward(request, response))) forward(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
