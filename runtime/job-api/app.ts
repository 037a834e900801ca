import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { ApiError, errorResponse, internalErrorResponse } from "./errors";
import { operations, type OperationDependencies } from "./operations";
import { parseRequest } from "./request";
import type { ApiResponse } from "./responses";
import { createRouter } from "./router";

export type JobApi = (event: APIGatewayProxyEventV2) => Promise<ApiResponse>;

/** The whole API as one function of the event: every outcome is an HTTP response, never a throw. */
export function createJobApi(dependencies: OperationDependencies): JobApi {
  const router = createRouter(operations(dependencies));
  const respond: JobApi = async (event) => {
    try {
      return await router.route(parseRequest(event));
    } catch (error) {
      if (error instanceof ApiError) return errorResponse(error);
      // A throw from the Lambda would become a bare 500 from the gateway and lose the request's
      // context; log it here with that context and answer a generic error.
      console.error(
        JSON.stringify({
          level: "ERROR",
          message: "unhandled error",
          requestId: event.requestContext?.requestId,
          method: event.requestContext?.http?.method,
          rawPath: event.rawPath,
          error: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error),
        }),
      );
      return internalErrorResponse();
    }
  };
  // HEAD answers as GET would, without the body: status and headers only.
  return async (event) => {
    const response = await respond(event);
    return event.requestContext?.http?.method?.toUpperCase() === "HEAD" ? { ...response, body: "" } : response;
  };
}
