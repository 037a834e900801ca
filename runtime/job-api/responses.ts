import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";

/** What the function returns to API Gateway (payload format 2.0, structured result). */
export interface ApiResponse extends APIGatewayProxyStructuredResultV2 {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export function json(statusCode: number, value: unknown, headers: Record<string, string> = {}): ApiResponse {
  return { statusCode, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(value) };
}

export function noContent(): ApiResponse {
  return { statusCode: 204, headers: {}, body: "" };
}
