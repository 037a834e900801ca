export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile: p99 of 200 samples is the 198th, an observed value, never interpolated. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}
