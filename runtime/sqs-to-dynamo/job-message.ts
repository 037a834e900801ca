import type { JobMessage } from "../jobs/message";
import { jobFromJson } from "../jobs/schema";

/** The shape of `jobVersion`: versions are compared as strings, so a stray one must not pass. */
const VERSION = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#\d{10}$/;

export type ParsedMessage = { ok: true; message: JobMessage } | { ok: false; reason: string };

/**
 * A queue message body back to a JobMessage, validated again: the queue accepts anything from
 * anyone allowed to send to it, and a malformed version could outrank every real one.
 */
export function parseJobMessage(body: string): ParsedMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: false, reason: "the body is not JSON" };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { ok: false, reason: "the body is not a JSON object" };
  }
  const { job, version, source } = parsed as Record<string, unknown>;
  if (typeof version !== "string" || !VERSION.test(version)) {
    return { ok: false, reason: "version: must be a job version such as 2026-11-22T09:30:00.000Z#0000000002" };
  }
  const validation = jobFromJson(job);
  if (!validation.ok) {
    return { ok: false, reason: validation.errors.map((problem) => `job.${problem.field}: ${problem.message}`).join("; ") };
  }
  return { ok: true, message: { job: validation.job, version, source: source as JobMessage["source"] } };
}
