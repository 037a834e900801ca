// zod/mini, as a namespace import, like runtime/jobs/schema.ts: classic zod (or `import { z }`)
// would put all of zod 4, 418 KB, back into the job-api bundle.
import * as z from "zod/mini";
import { MAX_FIELD_LENGTH } from "../jobs/fields";
import { jobSchema } from "../jobs/schema";
import { PATH_PARAMETERS, ROUTES, pathParameterNames, templatePath, type RouteSpec, type SchemaName } from "./routes";

type JsonObject = Record<string, unknown>;

const ref = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });

/** The OpenAPI 3.1 document of exactly the routes in the table, served under `basePath`. */
export function openApiDocument(basePath: string): JsonObject {
  return {
    openapi: "3.1.0",
    info: {
      title: "job-offers API",
      version: "1.0.0",
      description: "Job offers loaded from CSV uploads, and read and written one by one.",
    },
    // Relative, so the document is right behind any host and stage it is fetched from.
    servers: [{ url: basePath === "" ? "/" : basePath }],
    paths: paths(),
    components: {
      schemas: schemas(),
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "The stack's API token (secret `job-offers:apiToken`)" },
      },
    },
  };
}

let cachedPaths: JsonObject | undefined;
function paths(): JsonObject {
  if (cachedPaths) return cachedPaths;
  const result: Record<string, JsonObject> = {};
  for (const route of ROUTES as readonly RouteSpec[]) {
    const path = templatePath(route.path);
    result[path] = { ...result[path], [route.method.toLowerCase()]: operation(route) };
  }
  return (cachedPaths = result);
}

function operation(route: RouteSpec): JsonObject {
  const parameters = [
    ...pathParameterNames(route.path).map((name) => ({
      name,
      in: "path",
      required: true,
      description: PATH_PARAMETERS[name],
      schema: { type: "string" },
    })),
    ...(route.query ?? []).map((query) => ({ in: "query", required: false, ...query })),
  ];
  const responses: JsonObject = {};
  for (const [status, response] of Object.entries(route.responses)) {
    responses[status] = {
      description: response.description,
      ...(response.headers && {
        headers: Object.fromEntries(
          Object.entries(response.headers).map(([name, description]) => [name, { description, schema: { type: "string" } }]),
        ),
      }),
      ...(response.schema && { content: { "application/json": { schema: ref(response.schema) } } }),
    };
  }
  if (route.auth) {
    // Answered by API Gateway before the function runs, in the gateway's own body shape.
    const gateway = { "application/json": { schema: { type: "object", properties: { message: { type: "string" } } } } };
    responses["401"] = { description: "No bearer token", content: gateway };
    responses["403"] = { description: "Wrong bearer token", content: gateway };
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(parameters.length > 0 && { parameters }),
    ...(route.requestBody && {
      requestBody: { required: true, content: { "application/json": { schema: ref(route.requestBody) } } },
    }),
    responses,
    ...(route.auth && { security: [{ bearer: [] }] }),
  };
}

let cachedSchemas: Record<SchemaName, JsonObject> | undefined;
function schemas(): Record<SchemaName, JsonObject> {
  if (cachedSchemas) return cachedSchemas;
  const { $schema: _dialect, ...job } = z.toJSONSchema(jobSchema, { io: "input", unrepresentable: "any" }) as JsonObject;
  // The schema lists the typed fields; any other field is kept as a string attribute.
  const extraFields = { type: "string", maxLength: MAX_FIELD_LENGTH };
  const jobWithExtras: JsonObject = { ...job, additionalProperties: extraFields };
  const { required: _keyFields, ...jobWithoutKey } = jobWithExtras;
  const error = {
    type: "object",
    required: ["error"],
    properties: {
      error: {
        type: "object",
        required: ["code", "message", "details"],
        properties: {
          code: { type: "string", description: "Stable, e.g. not_found, validation_failed, invalid_cursor" },
          message: { type: "string" },
          details: {
            type: "array",
            items: { type: "object", properties: { field: { type: "string" }, message: { type: "string" } } },
          },
        },
      },
    },
  };
  return (cachedSchemas = {
    Health: { type: "object", required: ["status"], properties: { status: { const: "ok" } } },
    Job: jobWithExtras,
    JobCreate: jobWithExtras,
    // The path supplies id and city; the body may repeat them.
    JobUpsert: jobWithoutKey,
    JobPage: {
      type: "object",
      required: ["items", "nextCursor"],
      properties: { items: { type: "array", items: ref("Job") }, nextCursor: { type: ["string", "null"] } },
    },
    JobsOfId: { type: "object", required: ["items"], properties: { items: { type: "array", items: ref("Job") } } },
    Error: error,
    OpenApiDocument: { type: "object" },
  });
}
