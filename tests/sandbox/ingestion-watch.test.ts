import { describe, expect, it } from "vitest";
import { progressLine } from "../../sandbox/cli/ingestion-watch";

describe("the progress line of upload --wait", () => {
  it("shows the producer's phase until the report is written, then rows queued, stored, rate and time left", () => {
    expect(progressLine({ elapsedSeconds: 42, waiting: 18_790, inFlight: 40, deadLettered: 0 })).toBe(
      "ingesting: the producer is reading the file (42 s); queue: 18,790 waiting, 40 in flight",
    );
    expect(progressLine({ elapsedSeconds: 120, queued: 300_000, waiting: 20_000, inFlight: 50, deadLettered: 3, rate: 2_000 })).toBe(
      "ingesting: 300,000 rows queued, 279,947 stored; queue: 20,000 waiting, 50 in flight, 3 dead-lettered, 2,000 rows/s, about 11 s left",
    );
  });
});
