import { existsSync, realpathSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
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
  await acceptWhatSqsAccepts();
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

/** SQS's rule for message bodies: these characters, astral ones (emoji) included. */
const notInSqsBody = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/**
 * fauxqs checks message bodies one UTF-16 unit at a time, so it refuses characters beyond U+FFFF
 * that SQS accepts. Its check (one shared RegExp of its own module) is given SQS's rule, so that a
 * function sends the sandbox exactly what it would send SQS.
 */
export async function acceptWhatSqsAccepts(): Promise<void> {
  const search = createRequire(__filename).resolve.paths("fauxqs") ?? [];
  const folder = search.map((dir) => join(dir, "fauxqs")).find((dir) => existsSync(join(dir, "dist", "sqs", "sqsTypes.js")));
  if (!folder) throw new Error("fauxqs is not installed: run npm ci");
  const types = (await import(pathToFileURL(join(realpathSync(folder), "dist", "sqs", "sqsTypes.js")).href)) as { INVALID_MESSAGE_BODY_CHAR: RegExp };
  types.INVALID_MESSAGE_BODY_CHAR.test = (text: string) => notInSqsBody.test(text);
}
