import type { IncomingMessage, ServerResponse } from "node:http";

/** A console API failure: its status and a message that says what to do. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
    "cache-control": "no-store",
  });
  response.end(text);
}

export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function requiredParam(query: URLSearchParams, name: string): string {
  const value = query.get(name);
  if (value === null || value === "") throw new ApiError(400, `the query parameter '${name}' is required`);
  return value;
}

/** An opaque cursor: the position to continue from, as the page hands it back. */
export function encodeCursor(position: unknown): string | null {
  return position === undefined ? null : Buffer.from(JSON.stringify(position)).toString("base64url");
}

export function decodeCursor(cursor: string | null): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    return JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new ApiError(400, "the cursor is not one this API gave: start again without it");
  }
}
