import { MAX_KEY_LENGTH } from "../jobs/limits";

/**
 * The one route table of the job API. The router, the OpenAPI document and the gateway's routes
 * (which methods need the authorizer) are all built from it, so they cannot drift apart. Plain data
 * with no handler code, so that the component that declares the gateway can read it too.
 */

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

/** Names of the schemas in the OpenAPI document's `components.schemas`. */
export type SchemaName = "Health" | "Job" | "JobCreate" | "JobUpsert" | "JobPage" | "JobsOfId" | "Error" | "OpenApiDocument";

export interface ResponseSpec {
  readonly description: string;
  readonly schema?: SchemaName;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface QueryParameterSpec {
  readonly name: string;
  readonly description: string;
  readonly schema: Readonly<Record<string, unknown>>;
}

export interface RouteSpec {
  readonly operationId: string;
  readonly method: HttpMethod;
  /** An itty-router pattern: literal segments and `:name` parameters, one segment each. */
  readonly path: string;
  readonly summary: string;
  /** Needs `Authorization: Bearer <token>`; enforced by the gateway's authorizer, not the function. */
  readonly auth: boolean;
  readonly query?: readonly QueryParameterSpec[];
  readonly requestBody?: SchemaName;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
}

export const PAGE_LIMIT = { min: 1, max: 100, default: 25 } as const;

/** Path parameters: what each one means, for the document. */
export const PATH_PARAMETERS: Readonly<Record<string, string>> = {
  id: "Job id, percent-encoded",
  city: "City, percent-encoded (e.g. S%C3%A3o%20Paulo)",
};

const error = (description: string): ResponseSpec => ({ description, schema: "Error" });
const badRequest = error("Invalid request: bad query or path parameter, invalid JSON or failed validation");
const notFound = error("No such job");
const tooLarge = error("Request body too large");
const notJson = error("Request body is not application/json");

export const ROUTES = [
  {
    operationId: "getHealth",
    method: "GET",
    path: "/v1/health",
    summary: "Liveness check",
    auth: false,
    responses: { 200: { description: "The API is up", schema: "Health" } },
  },
  {
    operationId: "listJobs",
    method: "GET",
    path: "/v1/jobs",
    summary: "List jobs, optionally of one city, one page at a time",
    auth: false,
    query: [
      {
        name: "city",
        description: "Only jobs in this city (exact match)",
        schema: { type: "string", minLength: 1, maxLength: MAX_KEY_LENGTH },
      },
      {
        name: "limit",
        description: "Page size",
        schema: { type: "integer", minimum: PAGE_LIMIT.min, maximum: PAGE_LIMIT.max, default: PAGE_LIMIT.default },
      },
      {
        name: "cursor",
        description: "The `nextCursor` of the previous page, with the same `city`",
        schema: { type: "string" },
      },
    ],
    responses: { 200: { description: "One page of jobs", schema: "JobPage" }, 400: badRequest },
  },
  {
    operationId: "getJobsOfId",
    method: "GET",
    path: "/v1/jobs/:id",
    summary: "Every city of one job id",
    auth: false,
    responses: { 200: { description: "The jobs with this id", schema: "JobsOfId" }, 400: badRequest, 404: notFound },
  },
  {
    operationId: "getJob",
    method: "GET",
    path: "/v1/jobs/:id/:city",
    summary: "One job",
    auth: false,
    responses: { 200: { description: "The job", schema: "Job" }, 400: badRequest, 404: notFound },
  },
  {
    operationId: "createJob",
    method: "POST",
    path: "/v1/jobs",
    summary: "Create a job",
    auth: true,
    requestBody: "JobCreate",
    responses: {
      201: { description: "Created", schema: "Job", headers: { Location: "Path of the new job" } },
      400: badRequest,
      409: error("A job with this id and city exists"),
      413: tooLarge,
      415: notJson,
    },
  },
  {
    operationId: "putJob",
    method: "PUT",
    path: "/v1/jobs/:id/:city",
    summary: "Create or replace a job; `id` and `city` in the body, if given, must equal the path's",
    auth: true,
    requestBody: "JobUpsert",
    responses: {
      200: { description: "Stored", schema: "Job" },
      400: badRequest,
      409: error("A newer version of this job is stored"),
      413: tooLarge,
      415: notJson,
    },
  },
  {
    operationId: "deleteJob",
    method: "DELETE",
    path: "/v1/jobs/:id/:city",
    summary: "Delete a job",
    auth: true,
    responses: { 204: { description: "Deleted" }, 400: badRequest, 404: notFound },
  },
  {
    operationId: "getOpenApi",
    method: "GET",
    path: "/v1/openapi.json",
    summary: "This document",
    auth: false,
    responses: { 200: { description: "The OpenAPI 3.1 document of this API", schema: "OpenApiDocument" } },
  },
] as const satisfies readonly RouteSpec[];

export type OperationId = (typeof ROUTES)[number]["operationId"];

/** `/v1/jobs/:id` -> `/v1/jobs/{id}`: the form OpenAPI and API Gateway route keys use. */
export function templatePath(path: string): string {
  return path.replace(/:(\w+)/g, "{$1}");
}

/** The path's parameter names, in order. */
export function pathParameterNames(path: string): string[] {
  return [...path.matchAll(/:(\w+)/g)].map((match) => match[1]);
}
