import { ApiError } from "./errors";
import type { ApiRequest } from "./request";

/** A job is a few KiB at most (descriptions cap at 10,000 characters): anything far above is not one. */
export const MAX_BODY_BYTES = 64 * 1024;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The request body as parsed JSON: 415 unless it is `application/json`, 413 if too big, 400 if not JSON. */
export function readJsonBody(request: ApiRequest): unknown {
  requireJsonContentType(request.headers["content-type"]);
  const text = bodyText(request);
  if (text.trim() === "") throw new ApiError(400, "invalid_json", "the request body is empty; send a JSON object");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, "invalid_json", `the request body is not valid JSON: ${(error as Error).message}`);
  }
}

function requireJsonContentType(header: string | undefined): void {
  const [mediaType, ...parameters] = (header ?? "").split(";");
  let acceptable = mediaType.trim().toLowerCase() === "application/json";
  for (const parameter of parameters) {
    const [name, value = ""] = parameter.split("=");
    // The body is decoded as UTF-8, so a declared charset must be UTF-8 too.
    if (name.trim().toLowerCase() === "charset") {
      acceptable &&= ["utf-8", "utf8"].includes(value.trim().replace(/^"|"$/g, "").toLowerCase());
    }
  }
  if (!acceptable) {
    throw new ApiError(
      415,
      "unsupported_media_type",
      `expected content-type application/json, got ${header ? `'${header.slice(0, 100)}'` : "none"}`,
    );
  }
}

function bodyText(request: ApiRequest): string {
  const raw = request.body ?? "";
  let bytes: Buffer;
  if (request.isBase64Encoded) {
    // Refuse before decoding: 4 base64 characters carry 3 bytes.
    if (raw.length > Math.ceil(MAX_BODY_BYTES / 3) * 4 + 4) throw tooLarge();
    bytes = Buffer.from(raw, "base64");
  } else {
    // UTF-8 needs at least one byte per UTF-16 unit, so a long string is refused before it is copied.
    if (raw.length > MAX_BODY_BYTES) throw tooLarge();
    bytes = Buffer.from(raw, "utf8");
  }
  if (bytes.length > MAX_BODY_BYTES) throw tooLarge();
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ApiError(400, "invalid_json", "the request body is not valid UTF-8");
  }
}

function tooLarge(): ApiError {
  return new ApiError(413, "payload_too_large", `the request body is larger than ${MAX_BODY_BYTES} bytes`);
}
