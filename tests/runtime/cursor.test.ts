import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { cursorCodec } from "../../runtime/jobs/cursor";

const KEY = "cursor-test-signing-key";
const codec = cursorCodec(KEY);

/** Signs any payload the way the codec does (format documented in cursor.ts). */
function forge(payload: unknown, key = KEY): string {
  const encoded = Buffer.from(JSON.stringify(payload), "utf8").toString("base64url");
  const signature = createHmac("sha256", key).update(`job-offers/cursor/v1\n${encoded}`).digest("base64url");
  return `${encoded}.${signature}`;
}

function flip(text: string, index: number): string {
  const replacement = text[index] === "A" ? "B" : "A";
  return text.slice(0, index) + replacement + text.slice(index + 1);
}

describe("pagination cursors", () => {
  it("round-trips a key with and without a city filter", () => {
    const key = { id: "j/1", city: "São Paulo" };
    expect(codec.decode(codec.encode(key, { city: "São Paulo" }), { city: "São Paulo" })).toEqual({ ok: true, key });
    expect(codec.decode(codec.encode(key, {}), {})).toEqual({ ok: true, key });
  });

  it("is opaque base64url text, safe in a query string", () => {
    expect(codec.encode({ id: "a", city: "b" }, {})).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it("refuses a cursor made for another listing", () => {
    const paris = codec.encode({ id: "a", city: "Paris" }, { city: "Paris" });
    expect(codec.decode(paris, { city: "Lyon" }).ok).toBe(false);
    expect(codec.decode(paris, {}).ok).toBe(false);
    const all = codec.encode({ id: "a", city: "Paris" }, {});
    expect(codec.decode(all, { city: "Paris" }).ok).toBe(false);
  });

  it("refuses tampered, truncated, foreign-key and garbage cursors", () => {
    const cursor = codec.encode({ id: "a", city: "Paris" }, {});
    const [payload, signature] = cursor.split(".");
    expect(codec.decode(`${flip(payload, 3)}.${signature}`, {}).ok).toBe(false);
    expect(codec.decode(`${payload}.${flip(signature, 5)}`, {}).ok).toBe(false);
    expect(codec.decode(cursor.slice(0, -1), {}).ok).toBe(false);
    expect(codec.decode(payload, {}).ok).toBe(false);
    expect(codec.decode(`${payload}.`, {}).ok).toBe(false);
    expect(codec.decode(`${cursor}.${signature}`, {}).ok).toBe(false);
    expect(cursorCodec("another-key").decode(cursor, {}).ok).toBe(false);
    for (const garbage of ["", "abc", "...", "not base64!.x", "a".repeat(5000)]) {
      expect(codec.decode(garbage, {}).ok, garbage.slice(0, 20)).toBe(false);
    }
  });

  it("refuses a correctly signed cursor whose key has the wrong shape", () => {
    // The forger is faithful: a well-formed payload it signs decodes.
    expect(codec.decode(forge({ v: 1, c: null, k: { id: "a", city: "b" } }), {})).toEqual({ ok: true, key: { id: "a", city: "b" } });
    const wrong = [
      { v: 1, c: null, k: { id: "a" } },
      { v: 1, c: null, k: { id: "a", city: "b", extra: "c" } },
      { v: 1, c: null, k: { id: 1, city: "b" } },
      { v: 1, c: null, k: { id: { S: "a" }, city: "b" } },
      { v: 1, c: null, k: { id: "", city: "b" } },
      { v: 1, c: null, k: ["a", "b"] },
      { v: 2, c: null, k: { id: "a", city: "b" } },
      { v: 1, c: 5, k: { id: "a", city: "b" } },
      { v: 1, c: "Paris", k: { id: "a", city: "Lyon" } },
      "just a string",
    ];
    for (const payload of wrong) {
      const scope = typeof payload === "object" && typeof payload.c === "string" ? { city: payload.c } : {};
      expect(codec.decode(forge(payload), scope).ok, JSON.stringify(payload)).toBe(false);
    }
  });

  it("will not encode a start key that is not a jobs-table key", () => {
    expect(() => codec.encode({ id: "a", city: "b", _version: "x" }, {})).toThrow(/start key/);
    expect(() => codec.encode({ id: "a" }, {})).toThrow(/start key/);
    expect(() => cursorCodec("")).toThrow(/signing key/);
  });
});
