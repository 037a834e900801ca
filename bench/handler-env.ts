import { createHash } from "node:crypto";
import { s3ToSqsEnv } from "../runtime/s3-to-sqs/env";
import { sqsToDynamoEnv } from "../runtime/sqs-to-dynamo/env";
import { jobApiEnv } from "../runtime/job-api/env";
import { authorizerEnv } from "../runtime/authorizer/env";
import type { EnvContract } from "../runtime/env";
import { CITY_INDEX_NAME } from "../components/jobs-table-args";

/** The deployed handlers, each with the environment contract its component fills in. */
export const HANDLERS: ReadonlyArray<{ name: string; entry: string; contract: EnvContract<string> }> = [
  { name: "s3-to-sqs", entry: "runtime/s3-to-sqs/index.ts", contract: s3ToSqsEnv },
  { name: "sqs-to-dynamo", entry: "runtime/sqs-to-dynamo/index.ts", contract: sqsToDynamoEnv },
  { name: "job-api", entry: "runtime/job-api/index.ts", contract: jobApiEnv },
  { name: "authorizer", entry: "runtime/authorizer/index.ts", contract: authorizerEnv },
];

/** Values shaped like what the components pass (the components' defaults where they have one). */
const SAMPLE_VALUES: Record<string, string> = {
  QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/000000000000/jobs",
  REPORT_PREFIX: "reports/",
  UPLOAD_PREFIX: "job_offers/",
  CHECKPOINT_PREFIX: "checkpoints/",
  MAX_BATCHES_IN_FLIGHT: "4",
  TABLE_NAME: "jobs",
  CITY_INDEX_NAME,
  CURSOR_SIGNING_KEY: createHash("sha256").update("bench cursor key").digest("hex"),
  API_TOKEN_SHA256: createHash("sha256").update("bench-token").digest("hex"),
};

/**
 * What Lambda and the component give a handler at cold start. A variable added to a contract
 * without a sample here fails loudly rather than measuring a handler that throws at import.
 */
export function handlerEnvironment(contract: EnvContract<string>, overrides: Record<string, string> = {}): Record<string, string> {
  const values: Record<string, string> = { AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "bench", AWS_SECRET_ACCESS_KEY: "bench" };
  for (const name of Object.keys(contract.variables)) {
    const value = overrides[name] ?? SAMPLE_VALUES[name];
    if (value === undefined) throw new Error(`bench/handler-env.ts has no sample value for ${name}: add one`);
    values[name] = value;
  }
  return values;
}

/** Sets variables for a handler loaded in this process; the returned function puts back what was there. */
export function setEnvironment(values: Record<string, string>): () => void {
  const before = Object.fromEntries(Object.keys(values).map((name) => [name, process.env[name]]));
  Object.assign(process.env, values);
  return () => {
    for (const [name, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
