import { describe, expect, it } from "vitest";
import { reviewNumberOf, shortStackName, stackKindOf } from "../../stack-kinds";

describe("stack kinds", () => {
  it.each([
    ["dev", "shared"],
    ["staging", "shared"],
    ["prod", "shared"],
    ["pr-1", "review"],
    ["pr-12", "review"],
    ["pr-", "personal"],
    ["pr-x", "personal"],
    ["pr-12a", "personal"],
    ["Dev", "personal"],
    ["PR-3", "personal"],
    ["alice", "personal"],
    ["dev-alice", "personal"],
    ["prod2", "personal"],
  ])("%j is a %s stack", (name, kind) => {
    expect(stackKindOf(name)).toBe(kind);
  });

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
