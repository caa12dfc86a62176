/**
 * Side-by-side measurement on a machine whose speed drifts: instead of one
 * long run per system, one after the other, every system runs a short slice
 * in each round, so a slow minute of the host falls on all of them alike.
 * The order rotates each round, so no system always follows another's load
 * or always goes first. Pure.
 */
import { type Summary, summarize } from "./stats.ts";

/** The order of `systems` (indexes) in each of `rounds` rounds: rotated by one per round. */
export function roundOrders(systems: number, rounds: number): number[][] {
  return Array.from({ length: rounds }, (_, round) =>
    Array.from({ length: systems }, (_, slot) => (slot + round) % systems),
  );
}

/** One system's slice in one round. */
export interface Slice {
  acknowledged: number;
  errors: number;
  elapsedMs: number;
  samplesMs: readonly number[];
}

/** A system's slices merged: throughput over all its time, latency over all its writes. */
export interface MergedSlices {
  acknowledged: number;
  opsPerSecond: number;
  errors: number;
  latencyMs: Summary;
  /** Throughput of each slice, in round order, to show the host's drift. */
  opsPerSecondByRound: number[];
}

export function mergeSlices(slices: readonly Slice[]): MergedSlices {
  const acknowledged = slices.reduce((sum, slice) => sum + slice.acknowledged, 0);
  const elapsedMs = slices.reduce((sum, slice) => sum + slice.elapsedMs, 0);
  return {
    acknowledged,
    opsPerSecond: elapsedMs > 0 ? (acknowledged * 1000) / elapsedMs : Number.NaN,
    errors: slices.reduce((sum, slice) => sum + slice.errors, 0),
    latencyMs: summarize(slices.flatMap((slice) => slice.samplesMs)),
    opsPerSecondByRound: slices.map((slice) =>
      slice.elapsedMs > 0 ? (slice.acknowledged * 1000) / slice.elapsedMs : Number.NaN,
    ),
  };
}

/**
 * The ratio ours / theirs of throughput in each round, as `min-max`: how much
 * the comparison itself moved while the host drifted.
 */
export function roundRatioRange(ours: readonly number[], theirs: readonly number[]): string {
  const ratios = ours
    .map((value, round) => value / (theirs[round] ?? Number.NaN))
    .filter((value) => Number.isFinite(value));
  if (ratios.length === 0) return "-";
  return `${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}x`;
}
