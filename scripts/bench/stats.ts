/** Summaries and tables for the benchmarks' output. Pure. */

/** Order statistics of a sample, in the sample's unit. */
export interface Summary {
  count: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * The `fraction` quantile (0..1) of ascending `sorted` values by the
 * nearest-rank method: the smallest value with at least that fraction of the
 * sample at or below it. NaN for an empty sample.
 */
export function quantile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** min, p50, p90, p99 and max of `values` (any order). */
export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    min: sorted[0] ?? Number.NaN,
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/** A number for a table cell: `-` when unknown, else with `digits` decimals. */
export function cell(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "-";
}

/** `ours / theirs` as a table cell, e.g. `0.85x`. */
export function ratio(ours: number, theirs: number): string {
  return Number.isFinite(ours) && Number.isFinite(theirs) && theirs !== 0
    ? `${(ours / theirs).toFixed(2)}x`
    : "-";
}

/** A plain-text table: a header row, a rule, then the rows; numbers right-aligned. */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const numeric = /^[-+]?[\d.]+(x|%)?$|^-$/;
  const line = (cells: readonly string[]): string =>
    cells
      .map((text, column) =>
        column > 0 && numeric.test(text)
          ? text.padStart(widths[column]!)
          : text.padEnd(widths[column]!),
      )
      .join("  ")
      .trimEnd();
  const rule = widths.map((width) => "-".repeat(width)).join("  ");
  return [line(headers), rule, ...rows.map(line)].join("\n");
}
