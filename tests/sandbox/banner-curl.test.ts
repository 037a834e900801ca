import { describe, expect, it } from "vitest";
import { routeToTry } from "../../sandbox/services/apigateway/http-apis";

/** The banner's `curl` reaches a route of the API, whatever its routes look like. */
describe("the route the banner's curl calls", () => {
  it("is a GET route without variables when the API has one", () => {
    expect(routeToTry(["POST /items", "GET /items/{id}", "GET /health"])).toEqual({ key: "GET /health", path: "/health" });
  });

  it("fills a route's variables, a greedy one included, since a greedy variable never matches the bare stage URL", () => {
    expect(routeToTry(["POST /{proxy+}", "GET /{proxy+}"])).toEqual({ key: "GET /{proxy+}", path: "/example" });
    expect(routeToTry(["ANY /files/{bucket}/{key+}"])).toEqual({ key: "ANY /files/{bucket}/{key+}", path: "/files/example/example" });
  });

  it("is the $default route when the API has no GET route, since it takes any path", () => {
    expect(routeToTry(["POST /items", "$default"])).toEqual({ key: "$default", path: "/" });
  });

  it("is none when the API has neither a GET route nor a $default route", () => {
    expect(routeToTry(["POST /items", "DELETE /items/{id}"])).toBeUndefined();
  });
});
