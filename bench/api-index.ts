import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { bundle } from "../components/bundle";
import { CITY_INDEX_NAME } from "../components/jobs-table-args";
import { startDynamoHarness, type Traffic } from "./dynamo-harness";
import { handlerEnvironment, HANDLERS, setEnvironment } from "./handler-env";

type ApiHandler = (event: APIGatewayProxyEventV2) => Promise<{ statusCode: number }>;

function getEvent(path: string, query: string): APIGatewayProxyEventV2 {
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: `/dev${path}`,
    rawQueryString: query,
    queryStringParameters: query ? Object.fromEntries(new URLSearchParams(query)) : undefined,
    headers: { host: "bench.execute-api.us-east-1.amazonaws.com", accept: "application/json" },
    requestContext: {
      accountId: "000000000000",
      apiId: "bench",
      domainName: "bench.execute-api.us-east-1.amazonaws.com",
      domainPrefix: "bench",
      http: { method: "GET", path: `/dev${path}`, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "bench" },
      requestId: "bench",
      routeKey: "$default",
      stage: "dev",
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    isBase64Encoded: false,
  } as APIGatewayProxyEventV2;
}

export interface ListingOperations {
  byCity: Traffic["operations"];
  all: Traffic["operations"];
}

/**
 * What the job-api bundle sends to DynamoDB for each listing, seen on the wire: `?city=` has to be
 * a Query on the byCity index (a Scan with a filter reads the whole table for one page).
 */
export async function listingOperations(work: string): Promise<ListingOperations> {
  const harness = await startDynamoHarness();
  const spec = HANDLERS.find((handler) => handler.name === "job-api")!;
  let restoreEnvironment: () => void = () => undefined;
  try {
    await harness.createJobsTable("bench-api");
    const file = join(work, "job-api.js");
    writeFileSync(file, bundle(spec.entry).code);
    restoreEnvironment = setEnvironment({
      ...handlerEnvironment(spec.contract, { TABLE_NAME: "bench-api", CITY_INDEX_NAME }),
      AWS_ENDPOINT_URL: harness.endpoint,
    });
    const handler = (createRequire(__filename)(file) as { handler: ApiHandler }).handler;
    const call = async (query: string) => {
      await harness.reset();
      const response = await handler(getEvent("/v1/jobs", query));
      if (response.statusCode !== 200) throw new Error(`job-api: GET /v1/jobs?${query} answered ${response.statusCode}`);
      return (await harness.traffic()).operations;
    };
    return { byCity: await call("city=Paris"), all: await call("") };
  } finally {
    restoreEnvironment();
    await harness.stop();
  }
}
