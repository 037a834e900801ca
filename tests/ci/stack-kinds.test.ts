import { describe, expect, it } from "vitest";
import { stackKindOf as programStackKindOf } from "../../config";
import { reviewNumberOf, shortStackName, stackKindOf } from "../../scripts/lib/stack-kinds";

// The delivery scripts restate the program's stack-kind rule to start without @pulumi/pulumi;
// a stack that CI treats as personal but the program as shared (or the reverse) would be
// cleaned up, or refused, by mistake.
describe("stack kinds of the delivery scripts", () => {
  it.each(["dev", "staging", "prod", "pr-1", "pr-12", "pr-", "pr-x", "pr-12a", "Dev", "PR-3", "alice", "dev-alice", "prod2"])(
    "agree with the program for %j",
    (name) => {
      expect(stackKindOf(name)).toBe(programStackKindOf(name));
    },
  );

  it("read the pull request number of review stacks only", () => {
    expect(reviewNumberOf("pr-42")).toBe(42);
    expect(reviewNumberOf("alice")).toBeUndefined();
    expect(reviewNumberOf("dev")).toBeUndefined();
  });

  it("classify qualified names by their last segment", () => {
    expect(shortStackName("acme/job-offers/pr-7")).toBe("pr-7");
    expect(shortStackName("pr-7")).toBe("pr-7");
  });
});
