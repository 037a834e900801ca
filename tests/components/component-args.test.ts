import { beforeAll, describe, expect, it } from "vitest";
import type * as pulumiType from "@pulumi/pulumi";
import { gatewayRoutes } from "../../components/gateway-routes";
import { ROUTES } from "../../runtime/job-api/routes";

// The components are reusable outside index.ts: each checks its own arguments before it creates
// anything, and says what to use instead.
const created: string[] = [];
let pulumi: typeof pulumiType;

beforeAll(async () => {
  pulumi = await import("@pulumi/pulumi");
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        created.push(`${args.type} ${args.name}`);
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call(args) {
        throw new Error(`unexpected invoke ${args.token}`);
      },
    },
    "job-offers",
    "component-args",
    false,
  );
});

const table = { name: "jobs", arn: "arn:aws:dynamodb:eu-west-3:123456789012:table/jobs", cityIndexName: "byCity" };

describe("component arguments", () => {
  it("IngestPipeline lists every invalid argument and creates nothing", async () => {
    const { IngestPipeline } = await import("../../components/ingest-pipeline");
    expect(
      () =>
        new IngestPipeline("bad", {
          table,
          uploadPrefix: "/uploads",
          reportPrefix: "reports/",
          checkpointPrefix: "reports/parts/",
          maxReceiveCount: 0,
          consumer: { batchSize: 50, batchWindow: 0, maxConcurrency: 1 },
        }),
    ).toThrow(
      "IngestPipeline 'bad': invalid arguments:\n" +
        "  - uploadPrefix '/uploads' must be a key prefix ending with '/', e.g. job_offers/\n" +
        "  - checkpointPrefix 'reports/parts/' overlaps uploadPrefix '/uploads' or reportPrefix 'reports/'\n" +
        "  - maxReceiveCount 0 must be an integer from 1 to 1000\n" +
        "  - consumer.batchSize 50 above 10 needs a batchWindow of at least 1 second\n" +
        "  - consumer.maxConcurrency 1 must be an integer from 2 to 1000",
    );
    expect(created.filter((resource) => !resource.includes("IngestPipeline"))).toEqual([]);
  });

  it("JobApi refuses a timeout API Gateway would cut short", async () => {
    const { JobApi } = await import("../../components/job-api");
    expect(() => new JobApi("bad", { table, apiToken: "x".repeat(32), timeout: 30 })).toThrow(
      "JobApi 'bad': invalid arguments:\n  - timeout 30 must be an integer from 1 to 29 seconds (API Gateway gives up on an integration after 30 s)",
    );
    expect(created.filter((resource) => !resource.includes("JobApi") && !resource.includes("IngestPipeline"))).toEqual([]);
  });
});

describe("the gateway's routes", () => {
  it("come from the API's route table: a method per route, HEAD beside a public GET", () => {
    const { routes, problems } = gatewayRoutes(ROUTES);
    expect(problems).toEqual([]);
    expect(routes).toEqual([
      { method: "GET", routeKey: "GET /{proxy+}", authorized: false },
      { method: "POST", routeKey: "POST /{proxy+}", authorized: true },
      { method: "PUT", routeKey: "PUT /{proxy+}", authorized: true },
      { method: "DELETE", routeKey: "DELETE /{proxy+}", authorized: true },
      { method: "HEAD", routeKey: "HEAD /{proxy+}", authorized: false },
    ]);
  });

  it("refuse a table whose routes of one method disagree on auth, which the gateway could not enforce", () => {
    const mixed = [...ROUTES, { ...ROUTES[0], operationId: "secret", path: "/v1/secret", auth: true }];
    expect(gatewayRoutes(mixed).problems).toEqual([
      "the GET routes of the route table mix public and authorized ones (/v1/secret); the gateway authorizes per method: give every GET route the same 'auth'",
    ]);
  });
});
