import { describe, expect, it } from "vitest";
import { fixtureSandbox } from "../support/sandbox-harness";

/**
 * Programs written as Pulumi's examples are: resources handed to other resources themselves
 * (`role: lambdaRole`, `function: lambda`).
 */
describe("a program that hands resources to resources", () => {
  const fixture = fixtureSandbox("resource-references");
  const recorded = (name: string) => fixture.local.sandbox.wiring.index.deployment.resources.find((resource) => resource.name === name);

  it("deploys, giving each input that is a resource the resource's ID, as the provider receives it", async () => {
    expect(recorded("lambdaRoleAttachment")?.inputs.role).toBe(recorded("lambdaRole")?.id);
    expect(recorded("lambdaPermission")?.inputs.function).toBe(recorded("lambdaFunction")?.id);
    const response = await fetch(`${fixture.local.output("endpoint")}/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("Hello, Pulumi!");
  });
});
