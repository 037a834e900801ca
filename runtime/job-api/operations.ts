import type { CursorCodec, CursorScope } from "../jobs/cursor";
import { jobFromJson, type FieldError, type Job } from "../jobs/schema";
import type { JobKey, JobStore } from "../jobs/store";
import { jobVersion } from "../jobs/version";
import { readJsonBody } from "./body";
import { ApiError } from "./errors";
import { openApiDocument } from "./openapi";
import { queryValue, type ApiRequest } from "./request";
import { json, noContent, type ApiResponse } from "./responses";
import { PAGE_LIMIT, type OperationId } from "./routes";
import { MAX_KEY_LENGTH } from "../jobs/limits";

export interface OperationInput {
  readonly request: ApiRequest;
  /** Path parameters, percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
}

export type Operation = (input: OperationInput) => Promise<ApiResponse> | ApiResponse;

export interface OperationDependencies {
  readonly store: JobStore;
  readonly cursors: CursorCodec;
  readonly now?: () => Date;
}

/** One implementation per route of the table; the record type makes a missing one a compile error. */
export function operations({ store, cursors, now = () => new Date() }: OperationDependencies): Record<OperationId, Operation> {
  const nextVersion = monotonicVersions(now);

  return {
    getHealth: () => json(200, { status: "ok" }),

    async listJobs({ request }) {
      const city = cityFilter(request.query);
      const limit = pageLimit(queryValue(request.query, "limit"));
      const scope: CursorScope = { city };
      const startKey = startKeyOf(cursors, queryValue(request.query, "cursor"), scope);
      // One item more than asked tells whether another page exists, so the last page says
      // `nextCursor: null` instead of sending the client to fetch an empty page.
      const page = await store.list({ city, limit: limit + 1, startKey });
      let items = page.items;
      let nextKey: Record<string, unknown> | undefined = page.lastKey;
      if (items.length > limit) {
        items = items.slice(0, limit);
        const last = items[limit - 1];
        nextKey = { id: last.id, city: last.city };
      }
      return json(200, { items, nextCursor: nextKey ? cursors.encode(nextKey, scope) : null });
    },

    async getJobsOfId({ params }) {
      // A value longer than any key names no job.
      const items = params.id.length > MAX_KEY_LENGTH ? [] : await store.listById(params.id);
      if (items.length === 0) throw new ApiError(404, "not_found", `no job with id '${params.id}'`);
      return json(200, { items });
    },

    async getJob({ params }) {
      const key = jobKey(params);
      const job = key && (await store.get(key));
      if (!job) throw jobNotFound(params);
      return json(200, job);
    },

    async createJob({ request }) {
      const validation = jobFromJson(readJsonBody(request));
      if (!validation.ok) throw validationFailed(validation.errors);
      const job = validation.job;
      if ((await store.create(job, nextVersion())) === "exists") {
        throw new ApiError(409, "conflict", `job '${job.id}' in '${job.city}' already exists; PUT replaces it`);
      }
      return json(201, job, { location: jobPath(request.basePath, job) });
    },

    async putJob({ request, params }) {
      const body = readJsonBody(request);
      const job = upsertedJob(body, params);
      if ((await store.putIfNewer(job, nextVersion())) === "stale") {
        throw new ApiError(409, "conflict", `a newer version of job '${job.id}' in '${job.city}' is stored`);
      }
      return json(200, job);
    },

    async deleteJob({ params }) {
      const key = jobKey(params);
      if (!key || !(await store.delete(key))) throw jobNotFound(params);
      return noContent();
    },

    getOpenApi: ({ request }) => json(200, openApiDocument(request.basePath)),
  };
}

/**
 * API writes are versioned by time (line 0). Within one container two writes in the same
 * millisecond would get the same version and the second would count as stale: keep them apart.
 */
function monotonicVersions(now: () => Date): () => string {
  let last = 0;
  return () => {
    last = Math.max(now().getTime(), last + 1);
    return jobVersion(new Date(last), 0);
  };
}

function cityFilter(query: URLSearchParams): string | undefined {
  const city = queryValue(query, "city");
  if (city === undefined) return undefined;
  if (city === "" || city.length > MAX_KEY_LENGTH) {
    throw new ApiError(400, "bad_request", "invalid query parameter 'city'", [
      { field: "city", message: `must be 1 to ${MAX_KEY_LENGTH} characters` },
    ]);
  }
  return city;
}

function pageLimit(value: string | undefined): number {
  if (value === undefined) return PAGE_LIMIT.default;
  const limit = /^\d{1,3}$/.test(value) ? Number(value) : NaN;
  if (!(limit >= PAGE_LIMIT.min && limit <= PAGE_LIMIT.max)) {
    throw new ApiError(400, "bad_request", "invalid query parameter 'limit'", [
      { field: "limit", message: `must be an integer from ${PAGE_LIMIT.min} to ${PAGE_LIMIT.max}` },
    ]);
  }
  return limit;
}

function startKeyOf(cursors: CursorCodec, cursor: string | undefined, scope: CursorScope): JobKey | undefined {
  if (cursor === undefined) return undefined;
  const decoded = cursors.decode(cursor, scope);
  if (!decoded.ok) {
    throw new ApiError(400, "invalid_cursor", "the cursor is not valid for this listing; start again without it", [
      { field: "cursor", message: decoded.reason },
    ]);
  }
  return { id: decoded.key.id, city: decoded.key.city };
}

function jobKey(params: Readonly<Record<string, string>>): JobKey | undefined {
  const { id, city } = params;
  return id.length > MAX_KEY_LENGTH || city.length > MAX_KEY_LENGTH ? undefined : { id, city };
}

function jobNotFound(params: Readonly<Record<string, string>>): ApiError {
  return new ApiError(404, "not_found", `no job '${params.id}' in '${params.city}'`);
}

function validationFailed(errors: readonly FieldError[]): ApiError {
  return new ApiError(400, "validation_failed", "the job is not valid", errors);
}

/** The path is the job's key: the body may repeat it but not contradict it, and may leave it out. */
function upsertedJob(body: unknown, params: Readonly<Record<string, string>>): Job {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    const validation = jobFromJson(body);
    throw validationFailed(validation.ok ? [] : validation.errors);
  }
  const given = body as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...given };
  for (const field of ["id", "city"] as const) {
    if (given[field] === undefined || given[field] === null) merged[field] = params[field];
    else if (given[field] !== params[field]) {
      throw validationFailed([{ field, message: `must equal the ${field} in the path, '${params[field]}'` }]);
    }
  }
  const validation = jobFromJson(merged);
  if (!validation.ok) throw validationFailed(validation.errors);
  // Validation trims: a path value with surrounding spaces would be stored under another key.
  const mismatched = (["id", "city"] as const).filter((field) => validation.job[field] !== params[field]);
  if (mismatched.length > 0) {
    throw validationFailed(mismatched.map((field) => ({ field, message: `the ${field} in the path has surrounding whitespace` })));
  }
  return validation.job;
}

/** The job's URL path under the prefix the client used, so `Location` resolves against the request URL. */
function jobPath(basePath: string, job: Job): string {
  return `${basePath}/v1/jobs/${encodeURIComponent(job.id)}/${encodeURIComponent(job.city)}`;
}
