import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { KNOWN_FIELDS } from "../../runtime/jobs/fields";
import { cursorCodec } from "../../runtime/jobs/cursor";
import { JobStore } from "../../runtime/jobs/store";
import { createJobApi } from "../../runtime/job-api/app";
import type { ApiResponse } from "../../runtime/job-api/responses";
import { CITY_INDEX_NAME } from "../../components/jobs-table-args";
import { createJobsTable, credentials, Emulators, region, startEmulators } from "../support/emulators";
import { httpEvent, type HttpRequest } from "../support/api-events";

const TABLE = "jobs-api-test";
const INDEX = CITY_INDEX_NAME;
const SIGNING_KEY = "test-cursor-signing-key";

let emulators: Emulators;
let handler: (event: APIGatewayProxyEventV2) => Promise<ApiResponse>;

beforeAll(async () => {
  emulators = await startEmulators();
  await createJobsTable(emulators.dynamo, TABLE);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: emulators.awsEndpoint,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    TABLE_NAME: TABLE,
    CITY_INDEX_NAME: INDEX,
    CURSOR_SIGNING_KEY: SIGNING_KEY,
  });
  // The handler reads its environment at module load, so it is imported only now.
  ({ handler } = await import("../../runtime/job-api/index"));
});
afterAll(() => emulators?.stop());

interface Result {
  status: number;
  headers: Record<string, string>;
  rawBody: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

async function call(request: HttpRequest): Promise<Result> {
  const response = await handler(httpEvent(request));
  const headers = response.headers;
  const body = headers["content-type"] === "application/json" ? JSON.parse(response.body) : undefined;
  return { status: response.statusCode, headers, rawBody: response.body, body };
}

const JSON_HEADERS = { "content-type": "application/json" };
const auth = { authorization: "Bearer not-checked-here" };
const post = (body: unknown, extra: Partial<HttpRequest> = {}) =>
  call({ method: "POST", path: "/v1/jobs", headers: { ...JSON_HEADERS, ...auth }, body: JSON.stringify(body), ...extra });
const put = (path: string, body: unknown, extra: Partial<HttpRequest> = {}) =>
  call({ method: "PUT", path, headers: { ...JSON_HEADERS, ...auth }, body: JSON.stringify(body), ...extra });
const get = (path: string, extra: Partial<HttpRequest> = {}) => call({ method: "GET", path, ...extra });

let unique = 0;
/** A value no other test uses: the tests share one table. */
const fresh = (name: string) => `${name}-${Date.now().toString(36)}-${++unique}`;

function expectError(result: Result, status: number, code: string): void {
  expect(result.status, result.rawBody).toBe(status);
  expect(result.headers["content-type"]).toBe("application/json");
  expect(result.body).toEqual({ error: { code, message: expect.any(String), details: expect.any(Array) } });
}

async function collectPages(query: string, limit: number): Promise<{ items: Record<string, unknown>[]; pages: number[] }> {
  const items: Record<string, unknown>[] = [];
  const pages: number[] = [];
  let cursor: string | null = null;
  do {
    const parameters = new URLSearchParams(query);
    parameters.set("limit", String(limit));
    if (cursor) parameters.set("cursor", cursor);
    const result = await get("/v1/jobs", { query: parameters.toString() });
    expect(result.status, result.rawBody).toBe(200);
    expect(Object.keys(result.body).sort()).toEqual(["items", "nextCursor"]);
    expect(result.body.items.length).toBeLessThanOrEqual(limit);
    items.push(...result.body.items);
    pages.push(result.body.items.length);
    cursor = result.body.nextCursor;
    expect(pages.length).toBeLessThan(1000);
  } while (cursor !== null);
  return { items, pages };
}

describe("routing", () => {
  it("answers health with and without the stage in rawPath, and on the $default stage", async () => {
    for (const request of [
      { stageInPath: true },
      { stageInPath: false },
      { stage: "$default" },
      { routeKey: "ANY /{proxy+}" },
    ] satisfies Partial<HttpRequest>[]) {
      const result = await get("/v1/health", request);
      expect(result.status, JSON.stringify(request)).toBe(200);
      expect(result.headers).toEqual({ "content-type": "application/json" });
      expect(result.rawBody).toBe('{"status":"ok"}');
    }
  });

  it("answers 404 for unknown paths", async () => {
    for (const path of ["/", "/v1", "/v2/health", "/v1/healthz", "/v1/jobs/a/b/c", "/v1//jobs", "/dev/v1/health"]) {
      const result = await get(path);
      expectError(result, 404, "not_found");
      expect(result.body.error.message).toMatch(/no route/);
    }
  });

  it("answers 405 with Allow for a known path and another method", async () => {
    const cases: [string, string, string][] = [
      ["POST", "/v1/health", "GET"],
      ["DELETE", "/v1/jobs", "GET, POST"],
      ["PATCH", "/v1/jobs/a/b", "GET, PUT, DELETE"],
      ["POST", "/v1/jobs/a", "GET"],
      ["PUT", "/v1/openapi.json", "GET"],
    ];
    for (const [method, path, allow] of cases) {
      for (const stageInPath of [true, false]) {
        const result = await call({ method, path, stageInPath });
        expectError(result, 405, "method_not_allowed");
        expect(result.headers.allow, `${method} ${path}`).toBe(allow);
      }
    }
  });

  it("answers HEAD on every read as GET would, without the body", async () => {
    for (const path of ["/v1/health", "/v1/jobs", "/v1/openapi.json", "/v1/jobs/no-such-id"]) {
      const asGet = await get(path);
      const asHead = await handler(httpEvent({ method: "HEAD", path }));
      expect(asHead.statusCode, path).toBe(asGet.status);
      expect(asHead.headers, path).toEqual(asGet.headers);
      expect(asHead.body, path).toBe("");
    }
  });

  it("refuses malformed escapes and dot segments in the path with 400", async () => {
    for (const path of ["/v1/jobs/%ZZ/Paris", "/v1/jobs/a/%E0%A4%A", "/v1/jobs/%C3/Paris", "/v1/jobs/a/%ED%A0%80"]) {
      expectError(await get(path), 400, "bad_request");
    }
    for (const path of ["/v1/jobs/%2E%2E/Paris", "/v1/jobs/a/%2e", "/v1/jobs/../health"]) {
      expectError(await get(path), 400, "bad_request");
    }
  });
});

describe("jobs", () => {
  it("creates with POST, then reads it back at its Location", async () => {
    const id = fresh("create");
    const job = {
      id,
      city: "Paris",
      title: " Engineer ",
      salary_min: 40000,
      salary_max: 50000,
      currency: "eur",
      remote: true,
      team: "core",
    };
    const created = await post(job);
    const stored = {
      id,
      city: "Paris",
      title: "Engineer",
      salary_min: 40000,
      salary_max: 50000,
      currency: "EUR",
      remote: true,
      team: "core",
    };
    expect(created.status, created.rawBody).toBe(201);
    expect(created.headers).toEqual({ "content-type": "application/json", location: `/dev/v1/jobs/${id}/Paris` });
    expect(created.body).toEqual(stored);

    const read = await get(created.headers.location.slice("/dev".length));
    expect(read.status).toBe(200);
    expect(read.headers).toEqual({ "content-type": "application/json" });
    expect(read.body).toEqual(stored);
    expect(read.body).not.toHaveProperty("_version");
  });

  it("puts the stage in Location only when the request had it, and percent-encodes segments", async () => {
    const id = fresh("a b ü");
    const withStage = await post({ id, city: "São Paulo" });
    expect(withStage.status).toBe(201);
    expect(withStage.headers.location).toBe(`/dev/v1/jobs/${encodeURIComponent(id)}/S%C3%A3o%20Paulo`);
    const withoutStage = await post({ id, city: "Rio de Janeiro" }, { stageInPath: false });
    expect(withoutStage.status).toBe(201);
    expect(withoutStage.headers.location).toBe(`/v1/jobs/${encodeURIComponent(id)}/Rio%20de%20Janeiro`);
  });

  it("answers 409 when the job exists, and leaves it unchanged", async () => {
    const id = fresh("dup");
    expect((await post({ id, city: "Lyon", title: "first" })).status).toBe(201);
    expectError(await post({ id, city: "Lyon", title: "second" }), 409, "conflict");
    expect((await get(`/v1/jobs/${id}/Lyon`)).body.title).toBe("first");
  });

  it("answers 400 with field errors for an invalid job", async () => {
    const result = await post({ city: "Lyon", url: "ftp://x", remote: "yes", _secret: "x" });
    expectError(result, 400, "validation_failed");
    const fields = result.body.error.details.map((detail: { field: string }) => detail.field).sort();
    expect(fields).toEqual(["_secret", "id", "remote", "url"]);
    expect(result.body.error.details).toContainEqual({ field: "id", message: "is required" });
    const salaries = await post({ id: fresh("salary"), city: "Lyon", salary_min: 5, salary_max: 1 });
    expectError(salaries, 400, "validation_failed");
    expect(salaries.body.error.details).toEqual([{ field: "salary_max", message: expect.stringMatching(/salary_min/) }]);
    for (const body of [[], "text", 42, null]) expectError(await post(body), 400, "validation_failed");
  });

  it("answers 415 unless the body is application/json (charset utf-8 allowed)", async () => {
    const body = JSON.stringify({ id: fresh("media"), city: "Nice" });
    for (const contentType of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "application/json; charset=latin1",
      "application/jsonx",
    ]) {
      const result = await call({ method: "POST", path: "/v1/jobs", headers: { "content-type": contentType }, body });
      expectError(result, 415, "unsupported_media_type");
    }
    expectError(await call({ method: "POST", path: "/v1/jobs", body }), 415, "unsupported_media_type");
    expectError(
      await call({ method: "PUT", path: "/v1/jobs/a/b", headers: { "content-type": "text/csv" }, body }),
      415,
      "unsupported_media_type",
    );
    const accepted = await call({
      method: "POST",
      path: "/v1/jobs",
      headers: { "content-type": 'Application/JSON; Charset="UTF-8"' },
      body,
    });
    expect(accepted.status, accepted.rawBody).toBe(201);
  });

  it("answers 400 invalid_json for a body that is not JSON", async () => {
    for (const body of ["{", "{'id': 1}", "", "   ", "[1,]"]) {
      expectError(await call({ method: "POST", path: "/v1/jobs", headers: JSON_HEADERS, body }), 400, "invalid_json");
    }
    expectError(await call({ method: "POST", path: "/v1/jobs", headers: JSON_HEADERS }), 400, "invalid_json");
    const notUtf8 = Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]);
    expectError(await call({ method: "POST", path: "/v1/jobs", headers: JSON_HEADERS, body: notUtf8 }), 400, "invalid_json");
  });

  it("answers 413 for a body over 64 KiB, base64 or not", async () => {
    const body = JSON.stringify({ id: fresh("big"), city: "Nice", description: "x".repeat(64 * 1024) });
    expectError(await call({ method: "POST", path: "/v1/jobs", headers: JSON_HEADERS, body }), 413, "payload_too_large");
    expectError(await call({ method: "POST", path: "/v1/jobs", headers: JSON_HEADERS, body, base64: true }), 413, "payload_too_large");
    const multiByte = JSON.stringify({ id: fresh("big"), city: "Nice", note: "é".repeat(33 * 1024) });
    expectError(await call({ method: "POST", path: "/v1/jobs", headers: JSON_HEADERS, body: multiByte }), 413, "payload_too_large");
  });

  it("decodes base64-encoded bodies", async () => {
    const id = fresh("b64");
    const result = await post({ id, city: "Zürich", title: "Ingénieur" }, { base64: true });
    expect(result.status, result.rawBody).toBe(201);
    expect(result.body).toEqual({ id, city: "Zürich", title: "Ingénieur" });
  });

  it("decodes path parameters: unicode, spaces, lower-case escapes, with or without the stage", async () => {
    const id = fresh("j 1");
    const path = `/v1/jobs/${encodeURIComponent(id)}/S%C3%A3o%20Paulo`;
    const stored = await put(path, { title: "Dev" });
    expect(stored.status, stored.rawBody).toBe(200);
    expect(stored.body).toEqual({ id, city: "São Paulo", title: "Dev" });

    const lowerCaseEscapes = `/v1/jobs/${encodeURIComponent(id)}/S%c3%a3o%20Paulo`;
    expect((await get(lowerCaseEscapes)).body).toEqual({ id, city: "São Paulo", title: "Dev" });
    expect((await get(path, { stageInPath: false })).body).toEqual({ id, city: "São Paulo", title: "Dev" });
    const ofId = await get(`/v1/jobs/${encodeURIComponent(id)}`);
    expect(ofId.body).toEqual({ items: [{ id, city: "São Paulo", title: "Dev" }] });
  });

  it("refuses ids and cities that an HTTP API path could not address ('/', '?', '#', '%')", async () => {
    // HTTP APIs hand the function an already-decoded rawPath: such a key would be stored unreachable.
    for (const id of ["a/b", "a?b", "a#b", "100%"]) {
      const result = await post({ id, city: "Lyon" });
      expectError(result, 400, "validation_failed");
      expect(result.body.error.details).toEqual([{ field: "id", message: "must not contain '/', '?', '#' or '%'" }]);
    }
  });

  it("routes a path the AWS gateway already percent-decoded (unicode and spaces)", async () => {
    const id = fresh("decoded");
    const path = `/v1/jobs/${id}/S%C3%A3o%20Paulo`;
    expect((await put(path, { title: "Dev" }, { pathDecodedByGateway: true })).status).toBe(200);
    const read = await get(path, { pathDecodedByGateway: true });
    expect(httpEvent({ method: "GET", path, pathDecodedByGateway: true }).rawPath).toBe(`/dev/v1/jobs/${id}/São Paulo`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ id, city: "São Paulo", title: "Dev" });
  });

  it("lists every city of an id, and 404 when there is none", async () => {
    const id = fresh("cities");
    for (const city of ["Nantes", "Brest", "Lille"]) expect((await put(`/v1/jobs/${id}/${city}`, {})).status).toBe(200);
    const result = await get(`/v1/jobs/${id}`);
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ items: ["Brest", "Lille", "Nantes"].map((city) => ({ id, city })) });
    expectError(await get(`/v1/jobs/${fresh("none")}`), 404, "not_found");
    expectError(await get(`/v1/jobs/${"x".repeat(300)}`), 404, "not_found");
  });

  it("answers 404 for a job that does not exist", async () => {
    expectError(await get(`/v1/jobs/${fresh("none")}/Paris`), 404, "not_found");
    expectError(await get(`/v1/jobs/a/${"y".repeat(300)}`), 404, "not_found");
  });

  it("upserts with PUT: creates, replaces, takes id and city from the path", async () => {
    const id = fresh("put");
    const path = `/v1/jobs/${id}/Bordeaux`;
    const created = await put(path, { title: "first", company: "ACME" });
    expect(created.status).toBe(200);
    expect(created.headers).toEqual({ "content-type": "application/json" });
    expect(created.body).toEqual({ id, city: "Bordeaux", title: "first", company: "ACME" });
    const replaced = await put(path, { id, city: "Bordeaux", title: "second" });
    expect(replaced.body).toEqual({ id, city: "Bordeaux", title: "second" });
    expect((await get(path)).body).toEqual({ id, city: "Bordeaux", title: "second" });
    expect((await put(path, { id: null, title: "third" })).body).toEqual({ id, city: "Bordeaux", title: "third" });
  });

  it("answers 400 when the PUT body disagrees with the path", async () => {
    const id = fresh("disagree");
    const path = `/v1/jobs/${id}/Toulouse`;
    for (const [body, field] of [
      [{ id: "other" }, "id"],
      [{ city: "Paris" }, "city"],
      [{ city: "toulouse" }, "city"],
      [{ id: 5 }, "id"],
    ] as const) {
      const result = await put(path, body);
      expectError(result, 400, "validation_failed");
      expect(
        result.body.error.details.map((detail: { field: string }) => detail.field),
        JSON.stringify(body),
      ).toEqual([field]);
    }
    const spaced = await put(`/v1/jobs/%20${id}/Toulouse`, {});
    expectError(spaced, 400, "validation_failed");
    expectError(await put(path, ["not", "an", "object"]), 400, "validation_failed");
    expectError(await put(path, { salary_min: "12" }), 400, "validation_failed");
    expectError(await get(path), 404, "not_found");
  });

  it("deletes once: 204, then 404", async () => {
    const id = fresh("delete");
    const path = `/v1/jobs/${id}/Metz`;
    expect((await put(path, {})).status).toBe(200);
    const first = await call({ method: "DELETE", path, headers: auth });
    expect(first).toEqual({ status: 204, headers: {}, rawBody: "", body: undefined });
    expectError(await call({ method: "DELETE", path, headers: auth }), 404, "not_found");
    expectError(await get(path), 404, "not_found");
  });
});

describe("listing", () => {
  it("pages through one city with the index: every item exactly once, last page says null", async () => {
    const city = fresh("Pagetown");
    const ids = Array.from({ length: 7 }, (_, n) => `job-${n}`);
    for (const id of ids) expect((await put(`/v1/jobs/${id}/${city}`, { title: id })).status).toBe(200);
    expect((await put(`/v1/jobs/job-0/${city}-other`, {})).status).toBe(200);

    const { items, pages } = await collectPages(`city=${encodeURIComponent(city)}`, 3);
    expect(pages).toEqual([3, 3, 1]);
    expect(items).toEqual(ids.map((id) => ({ id, city, title: id })));

    const exact = await collectPages(`city=${encodeURIComponent(city)}`, 7);
    expect(exact.pages).toEqual([7]);
  });

  it("pages through the whole table: every item exactly once", async () => {
    for (let n = 0; n < 12; n++) expect((await put(`/v1/jobs/${fresh("all")}/Anywhere`, {})).status).toBe(200);
    const scanned = await new DynamoDBClient({ endpoint: emulators.awsEndpoint, region, credentials }).send(
      new ScanCommand({ TableName: TABLE }),
    );
    const expected = (scanned.Items ?? []).map((item) => `${item.id.S}|${item.city.S}`).sort();
    expect(expected.length).toBeGreaterThan(12);

    const { items, pages } = await collectPages("", 5);
    const seen = items.map((item) => `${item.id}|${item.city}`);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual(expected);
    expect(pages.slice(0, -1).every((size) => size === 5)).toBe(true);
    expect(items.some((item) => "_version" in item)).toBe(false);
  });

  it("defaults to 25 items and accepts 1 to 100", async () => {
    const city = fresh("Crowded");
    for (let n = 0; n < 27; n++) await put(`/v1/jobs/j${String(n).padStart(2, "0")}/${city}`, {});
    const page = await get("/v1/jobs", { query: `city=${city}` });
    expect(page.body.items).toHaveLength(25);
    expect(page.body.nextCursor).toEqual(expect.any(String));
    expect((await get("/v1/jobs", { query: `city=${city}&limit=1` })).body.items).toHaveLength(1);
    const all = await get("/v1/jobs", { query: `city=${city}&limit=100` });
    expect(all.body.items).toHaveLength(27);
    expect(all.body.nextCursor).toBeNull();
  });

  it("answers 400 for a bad limit or city", async () => {
    for (const limit of ["0", "101", "abc", "1.5", "-1", "", "1e1", " 5", "0x10", "1000000"]) {
      const result = await get("/v1/jobs", { query: `limit=${encodeURIComponent(limit)}` });
      expectError(result, 400, "bad_request");
      expect(result.body.error.details, limit).toEqual([{ field: "limit", message: expect.any(String) }]);
    }
    expectError(await get("/v1/jobs", { query: "limit=5&limit=6" }), 400, "bad_request");
    expectError(await get("/v1/jobs", { query: "city=" }), 400, "bad_request");
    expectError(await get("/v1/jobs", { query: "city=a&city=b" }), 400, "bad_request");
  });

  it("answers 400 invalid_cursor for a tampered, truncated, foreign or garbage cursor", async () => {
    const city = fresh("Cursorville");
    for (const id of ["a", "b", "c"]) await put(`/v1/jobs/${id}/${city}`, {});
    const first = await get("/v1/jobs", { query: `city=${city}&limit=1` });
    const cursor: string = first.body.nextCursor;
    expect(cursor).toEqual(expect.any(String));
    const next = await get("/v1/jobs", { query: `city=${city}&limit=1&cursor=${cursor}` });
    expect(next.status).toBe(200);
    expect(next.body.items).toEqual([{ id: "b", city }]);

    const tampered = cursor.slice(0, 4) + (cursor[4] === "A" ? "B" : "A") + cursor.slice(5);
    const forgedKey = cursorCodec("someone-elses-key").encode({ id: "a", city }, { city });
    const otherCity = cursorCodec(SIGNING_KEY).encode({ id: "a", city: "Elsewhere" }, { city: "Elsewhere" });
    for (const [query, what] of [
      [`city=${city}&cursor=${tampered}`, "tampered"],
      [`city=${city}&cursor=${cursor.slice(0, -3)}`, "truncated"],
      [`city=${city}&cursor=${forgedKey}`, "signed with another key"],
      [`city=${city}&cursor=${otherCity}`, "made for another city"],
      [`city=Elsewhere&cursor=${cursor}`, "used with another city"],
      [`cursor=${cursor}`, "used without the city"],
      [`city=${city}&cursor=garbage`, "garbage"],
      [`city=${city}&cursor=`, "empty"],
    ]) {
      const result = await get("/v1/jobs", { query });
      expectError(result, 400, "invalid_cursor");
      expect(result.body.error.details[0].field, what).toBe("cursor");
    }
  });
});

describe("OpenAPI document", () => {
  const SERVED = [
    "DELETE /v1/jobs/{id}/{city}",
    "GET /v1/health",
    "GET /v1/jobs",
    "GET /v1/jobs/{id}",
    "GET /v1/jobs/{id}/{city}",
    "GET /v1/openapi.json",
    "POST /v1/jobs",
    "PUT /v1/jobs/{id}/{city}",
  ];

  it("is OpenAPI 3.1 and lists exactly the served routes, bearer auth on writes", async () => {
    const result = await get("/v1/openapi.json");
    expect(result.status).toBe(200);
    expect(result.headers).toEqual({ "content-type": "application/json" });
    const document = result.body;
    expect(document.openapi).toBe("3.1.0");
    expect(document.servers).toEqual([{ url: "/dev" }]);
    expect((await get("/v1/openapi.json", { stageInPath: false })).body.servers).toEqual([{ url: "/" }]);
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });

    const operations: string[] = [];
    for (const [path, item] of Object.entries<Record<string, { security?: unknown; parameters?: { name: string; in: string }[] }>>(
      document.paths,
    )) {
      for (const [method, operation] of Object.entries(item)) {
        operations.push(`${method.toUpperCase()} ${path}`);
        const isWrite = method !== "get";
        expect(operation.security, `${method} ${path}`).toEqual(isWrite ? [{ bearer: [] }] : undefined);
        const pathParameters = (operation.parameters ?? []).filter((p) => p.in === "path").map((p) => p.name);
        expect(pathParameters).toEqual([...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]));
      }
    }
    expect(operations.sort()).toEqual(SERVED);
  });

  it("agrees with the router: every documented route is served, other methods get 405 listing exactly the documented ones", async () => {
    const document = (await get("/v1/openapi.json")).body;
    const all = ["GET", "POST", "PUT", "DELETE", "PATCH"];
    for (const [template, item] of Object.entries<object>(document.paths)) {
      const path = template.replace(/\{\w+\}/g, "probe");
      const documented = Object.keys(item).map((method) => method.toUpperCase());
      for (const method of all) {
        const result = await call({ method, path, headers: JSON_HEADERS, body: method === "POST" || method === "PUT" ? "{}" : undefined });
        if (documented.includes(method)) {
          expect(result.status, `${method} ${path}`).not.toBe(405);
          expect(result.body?.error?.message ?? "", `${method} ${path}`).not.toMatch(/no route/);
        } else {
          expect(result.status, `${method} ${path}`).toBe(405);
          expect(result.headers.allow.split(", ").sort()).toEqual([...documented].sort());
        }
      }
    }
  });

  it("derives the request body schema from the job schema", async () => {
    const { components, paths } = (await get("/v1/openapi.json")).body;
    expect(paths["/v1/jobs"].post.requestBody.content["application/json"].schema).toEqual({ $ref: "#/components/schemas/JobCreate" });
    expect(Object.keys(components.schemas.JobCreate.properties).sort()).toEqual([...KNOWN_FIELDS].sort());
    expect(components.schemas.JobCreate.required).toEqual(["id", "city"]);
    expect(components.schemas.JobUpsert.required).toBeUndefined();
    expect(components.schemas.JobCreate.properties.salary_min).toMatchObject({ type: "number", minimum: 0 });
    expect(components.schemas.JobCreate.additionalProperties).toMatchObject({ type: "string" });
  });
});

describe("unexpected failures", () => {
  it("answers a generic 500 without internals, and logs the cause", async () => {
    const client = new DynamoDBClient({ endpoint: emulators.awsEndpoint, region, credentials });
    const broken = createJobApi({ store: new JobStore("no-such-table", INDEX, client), cursors: cursorCodec(SIGNING_KEY) });
    const log = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const response = await broken(httpEvent({ method: "GET", path: "/v1/jobs/a/b" }));
      expect(response.statusCode).toBe(500);
      expect(JSON.parse(response.body)).toEqual({ error: { code: "internal_error", message: expect.any(String), details: [] } });
      expect(response.body).not.toMatch(/ResourceNotFound|no-such-table|at /);
      expect(log).toHaveBeenCalledTimes(1);
      expect(String(log.mock.calls[0][0])).toMatch(/ResourceNotFound/);
    } finally {
      log.mockRestore();
    }
  });
});
