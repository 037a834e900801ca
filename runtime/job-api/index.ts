import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { cursorCodec } from "../jobs/cursor";
import { JobStore } from "../jobs/store";
import { createJobApi } from "./app";
import { jobApiEnv } from "./env";
import type { ApiResponse } from "./responses";

// Read once per container: a misconfigured function fails at cold start, naming what is missing.
const env = jobApiEnv.read();
const api = createJobApi({
  store: new JobStore(env.TABLE_NAME, env.CITY_INDEX_NAME),
  cursors: cursorCodec(env.CURSOR_SIGNING_KEY),
});

export function handler(event: APIGatewayProxyEventV2): Promise<ApiResponse> {
  return api(event);
}
