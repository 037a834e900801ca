import { json, type ApiResponse } from "./responses";

/** Stable codes clients can branch on; messages are for humans and may change. */
export type ErrorCode =
  | "bad_request"
  | "invalid_cursor"
  | "invalid_json"
  | "validation_failed"
  | "not_found"
  | "method_not_allowed"
  | "conflict"
  | "payload_too_large"
  | "unsupported_media_type"
  | "internal_error";

export interface ErrorDetail {
  readonly field: string;
  readonly message: string;
}

/** An error the client caused (or may see), answered as `{"error":{code,message,details}}`. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    readonly details: readonly ErrorDetail[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export function errorResponse(error: ApiError): ApiResponse {
  return json(error.statusCode, { error: { code: error.code, message: error.message, details: error.details } }, error.headers);
}

/** What a client sees for a bug or an outage: nothing about the cause (that goes to the log). */
export function internalErrorResponse(): ApiResponse {
  return errorResponse(new ApiError(500, "internal_error", "internal error; the request was logged"));
}
