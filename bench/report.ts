/** One line of the final table. Values are preformatted so every goal can say it in its own unit. */
export interface Figure {
  readonly figure: string;
  readonly value: string;
  readonly baseline: string;
  readonly ratio: string;
  readonly goal: string;
  /** "yes" / "no" for a goal, "-" for a figure reported without one, "not measured" with the reason in value. */
  readonly met: "yes" | "no" | "-" | "not measured" | "error";
}

const startedAt = performance.now();

/** Progress goes to stderr, so stdout holds only the table (and can be piped into a file). */
export function progress(message: string): void {
  process.stderr.write(`[bench ${((performance.now() - startedAt) / 1000).toFixed(1).padStart(5)} s] ${message}\n`);
}

export const fmt = {
  ms: (value: number) => `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`,
  us: (value: number) => `${value.toFixed(2)} µs`,
  mb: (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`,
  kb: (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`,
  rate: (perSecond: number, unit = "rows/s") => `${Math.round(perSecond).toLocaleString("en-US")} ${unit}`,
  num: (value: number, digits = 2) => value.toFixed(digits),
  ratio: (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}x` : "-"),
};

export const yesNo = (met: boolean): Figure["met"] => (met ? "yes" : "no");

/** A goal that could not be measured still gets its line, saying why. */
export function notMeasured(figure: string, goal: string, reason: string): Figure {
  return { figure, value: `not measured: ${reason}`, baseline: "-", ratio: "-", goal, met: "not measured" };
}

export function failed(figure: string, error: unknown): Figure {
  const reason = error instanceof Error ? error.message : String(error);
  return { figure, value: `failed: ${reason.split("\n")[0].slice(0, 160)}`, baseline: "-", ratio: "-", goal: "-", met: "error" };
}

export function table(figures: readonly Figure[]): string {
  const header: Figure = {
    figure: "figure",
    value: "value",
    baseline: "baseline",
    ratio: "ratio",
    goal: "goal",
    met: "met?" as Figure["met"],
  };
  const rows = [header, ...figures];
  const keys = ["figure", "value", "baseline", "ratio", "goal", "met"] as const;
  const widths = keys.map((key) => Math.max(...rows.map((row) => row[key].length)));
  const line = (row: Figure) => `| ${keys.map((key, i) => row[key].padEnd(widths[i])).join(" | ")} |`;
  const rule = `|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`;
  return [line(header), rule, ...figures.map(line)].join("\n");
}
