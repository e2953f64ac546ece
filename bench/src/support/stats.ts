/** Value below which `share` (0 to 1) of the values fall, by the nearest-rank method; 0 for no values. */
export function percentile(values: readonly number[], share: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(share * sorted.length)));
  return sorted[rank - 1]!;
}

export function median(values: readonly number[]): number {
  return percentile(values, 0.5);
}

/** Rounds to `digits` decimals, for printing. */
export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Formats a whole number with thousands separators, such as `12,345`. */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}
