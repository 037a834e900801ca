import { afterEach, describe, expect, it } from "vitest";
import { targetOf } from "../../scripts/lib/target";

/** `dlq` and `reconcile` with `--stack` read the stack's outputs through the Pulumi CLI. */
describe("a deployed stack as the target", () => {
  const path = process.env.PATH;
  afterEach(() => {
    process.env.PATH = path;
  });

  it("says the Pulumi CLI may be missing when there is no pulumi to run", () => {
    process.env.PATH = "/nonexistent";
    expect(() => targetOf({ stack: "alice" })).toThrow(
      "could not read the outputs of stack alice (pulumi stack output --json --stack alice): spawnSync pulumi ENOENT (is the Pulumi CLI installed and on PATH?)",
    );
  });
});
