import type { IncomingMessage, ServerResponse } from "node:http";
import { sandboxRegion } from "../shared/constants";

export interface FauxqsEmulator {
  /** Serves one request in-process (S3 streams through as it is). */
  handle(request: IncomingMessage, response: ServerResponse): void;
  /** Serves a request whose body the endpoint rewrote (SQS queue URLs). */
  inject(request: { method: string; url: string; headers: Record<string, string | string[] | undefined>; body: Buffer }): Promise<{
    status: number;
    headers: Record<string, string | string[] | number | undefined>;
    body: Buffer;
  }>;
  stop(): Promise<void>;
}

/**
 * fauxqs for S3 and SQS, without a port of its own: `startFauxqs` would listen on every interface,
 * so the sandbox builds the app and hands it requests from its own loopback endpoint.
 */
export async function startFauxqs(): Promise<FauxqsEmulator> {
  const { buildApp } = await import("fauxqs");
  const app = buildApp({ logger: false, defaultRegion: sandboxRegion });
  await app.ready();
  return {
    handle: (request, response) => app.routing(request, response),
    async inject(request) {
      const answer = await app.inject({
        method: request.method as "POST",
        url: request.url,
        headers: request.headers as Record<string, string>,
        payload: request.body,
      });
      return { status: answer.statusCode, headers: answer.headers, body: answer.rawPayload };
    },
    stop: async () => {
      await app.close();
    },
  };
}
