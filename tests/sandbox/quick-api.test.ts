import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { memoryReporter } from "../../sandbox/shared/log";
import { watchForChanges } from "../../sandbox/reload/watch";
import { fixtureSandbox } from "../support/sandbox-harness";

/**
 * A JavaScript program (no TypeScript anywhere) with a quick-create HTTP API (`routeKey` and
 * `target` on the Api: no Route, Integration or Stage resources) and a route to an integration
 * the sandbox does not run, which says so instead of a bare 500.
 */
describe("a JavaScript program with a quick-create HTTP API", () => {
  const fixture = fixtureSandbox("javascript-quick-api");

  it("serves the quick-create route on the $default stage, as API Gateway creates it", async () => {
    const response = await fetch(`${fixture.local.output("quickUrl")}/hello`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ route: "GET /hello", path: "/hello", stage: "$default" });
    const other = await fetch(`${fixture.local.output("quickUrl")}/other`);
    expect(other.status).toBe(404);
    expect(await other.json()).toEqual({ message: "Not Found" });
  });

  it("answers a route to an EventBridge integration with a 501 that names it, and warns at start", async () => {
    const response = await fetch(`${fixture.local.output("eventsUrl")}/events`, { method: "POST", body: "{}" });
    expect(response.status).toBe(501);
    expect(await response.json()).toEqual({
      message:
        "AWS_PROXY integration with subtype EventBridge-PutEvents put-events of route 'POST /events' is not emulated by the sandbox (it runs Lambda proxy integrations only)",
    });
    expect(fixture.local.reporter.lines.join("\n")).toContain(
      "AWS_PROXY integration with subtype EventBridge-PutEvents put-events is not emulated (only Lambda proxy integrations to the program's functions are): its routes answer 501",
    );
  });

  it("redeploys when the program's own file changes, whatever its name (index.js here)", async () => {
    const watcher = watchForChanges(fixture.local.sandbox, memoryReporter(), { debounceMs: 50 });
    try {
      await watcher.idle();
      const file = join(fixture.dir, "index.js");
      writeFileSync(file, readFileSync(file, "utf8").replace("route: event.routeKey", "route: 'changed ' + event.routeKey"));
      await new Promise((resolve) => setTimeout(resolve, 300));
      await watcher.idle();
      expect(await (await fetch(`${fixture.local.output("quickUrl")}/hello`)).json()).toMatchObject({ route: "changed GET /hello" });
    } finally {
      watcher.close();
    }
  });
});
