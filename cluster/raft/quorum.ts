/** Majority arithmetic for a single (non-joint) voter set. */

export type VoteOutcome = "won" | "lost" | "pending";

/** The number of voters that forms a majority. */
export function majoritySize(voterCount: number): number {
  return Math.floor(voterCount / 2) + 1;
}

/**
 * The highest log index that a majority of voters have persisted, given each
 * voter's match index. An empty voter set commits nothing.
 */
export function majorityCommittedIndex(matchIndexes: readonly number[]): number {
  if (matchIndexes.length === 0) return 0;
  // Numeric sort, descending: Array#sort without a comparator is lexicographic.
  const sorted = [...matchIndexes].sort((a, b) => b - a);
  return sorted[majoritySize(sorted.length) - 1] ?? 0;
}

/** Whether the votes cast so far already decide an election among `voterCount` voters. */
export function voteOutcome(voterCount: number, granted: number, rejected: number): VoteOutcome {
  const needed = majoritySize(voterCount);
  if (granted >= needed) return "won";
  const missing = voterCount - granted - rejected;
  if (granted + missing >= needed) return "pending";
  return "lost";
}
