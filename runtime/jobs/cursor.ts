import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Pagination cursors: an opaque, signed token that carries DynamoDB's LastEvaluatedKey and the
 * listing it continues (all jobs, or the jobs of one city). Clients cannot forge a start key
 * (which would let them probe arbitrary keys or make DynamoDB reject the request with a 500), and a
 * cursor made for one city cannot be replayed against another listing.
 *
 * Format: base64url(JSON payload) "." base64url(HMAC-SHA256(signing key, context + payload)).
 */

/** The jobs table's key attributes; the byCity index (city, id) is keyed by the same two. */
export interface CursorKey {
  readonly id: string;
  readonly city: string;
}

/** The listing a cursor belongs to: a city filter, or none. */
export interface CursorScope {
  readonly city?: string;
}

export type CursorDecoding = { ok: true; key: CursorKey } | { ok: false; reason: string };

export interface CursorCodec {
  /** Throws when `key` is not a jobs-table key: that is a bug in the caller, not bad input. */
  encode(key: Record<string, unknown>, scope: CursorScope): string;
  decode(cursor: string, scope: CursorScope): CursorDecoding;
}

const FORMAT_VERSION = 1;
// Domain separation: a MAC made by the same key for another purpose never verifies as a cursor.
const MAC_CONTEXT = "job-offers/cursor/v1\n";
// Two 256-character keys, JSON-escaped and base64url-encoded, stay well below this.
const MAX_CURSOR_LENGTH = 4096;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

interface Payload {
  v: number;
  c: string | null;
  k: CursorKey;
}

export function cursorCodec(signingKey: string): CursorCodec {
  if (signingKey.length === 0) throw new Error("cursorCodec: the signing key must not be empty");
  const sign = (payload: string) =>
    createHmac("sha256", signingKey)
      .update(MAC_CONTEXT + payload)
      .digest("base64url");

  return {
    encode(key, scope) {
      const checked = asCursorKey(key);
      if (!checked) throw new Error(`cursor: unexpected start key shape ${JSON.stringify(Object.keys(key))}`);
      const body: Payload = { v: FORMAT_VERSION, c: scope.city ?? null, k: { id: checked.id, city: checked.city } };
      const payload = Buffer.from(JSON.stringify(body), "utf8").toString("base64url");
      return `${payload}.${sign(payload)}`;
    },

    decode(cursor, scope) {
      if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH) return invalid("cursor has an impossible length");
      const parts = cursor.split(".");
      if (parts.length !== 2 || !BASE64URL.test(parts[0]) || !BASE64URL.test(parts[1])) {
        return invalid("cursor is malformed");
      }
      const [payload, signature] = parts;
      const expected = Buffer.from(sign(payload), "ascii");
      const given = Buffer.from(signature, "ascii");
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return invalid("cursor signature does not match");

      let body: unknown;
      try {
        body = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
      } catch {
        return invalid("cursor payload is not JSON");
      }
      if (!isRecord(body) || body.v !== FORMAT_VERSION) return invalid("cursor has an unknown format");
      if (!(body.c === null || typeof body.c === "string")) return invalid("cursor has an unknown format");
      const key = isRecord(body.k) ? asCursorKey(body.k) : undefined;
      if (!key) return invalid("cursor key has an unexpected shape");
      if ((body.c ?? undefined) !== scope.city) return invalid("cursor belongs to a different listing");
      if (body.c !== null && key.city !== body.c) return invalid("cursor key does not belong to its city");
      return { ok: true, key };
    },
  };
}

function invalid(reason: string): CursorDecoding {
  return { ok: false, reason };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Exactly `id` and `city`, both non-empty strings: anything else is not a key this API produced. */
function asCursorKey(value: Record<string, unknown>): CursorKey | undefined {
  const names = Object.keys(value);
  if (names.length !== 2 || !names.includes("id") || !names.includes("city")) return undefined;
  const { id, city } = value;
  if (typeof id !== "string" || typeof city !== "string" || id === "" || city === "") return undefined;
  return { id, city };
}
