import { RaftInvariantError } from "./errors.ts";
import { UnstableLog } from "./log-unstable.ts";
import { type LogStorage, limitSize } from "./storage.ts";
import type { Entry, Snapshot } from "./types.ts";

/**
 * The whole Raft log as the core sees it: stable entries in storage followed
 * by unstable ones, plus the commit and apply points.
 */
export class RaftLog {
  readonly unstable: UnstableLog;
  committed: number;
  applied: number;

  constructor(
    readonly storage: LogStorage,
    private readonly maxApplyBytes: number,
  ) {
    const firstIndex = storage.firstIndex();
    this.unstable = new UnstableLog(storage.lastIndex() + 1);
    this.committed = firstIndex - 1;
    this.applied = firstIndex - 1;
  }

  firstIndex(): number {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): number {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  /** The last index known to be on stable storage. */
  stableLastIndex(): number {
    return Math.min(this.storage.lastIndex(), this.unstable.offset - 1);
  }

  term(index: number): number | undefined {
    const sentinelIndex = this.firstIndex() - 1;
    if (index < sentinelIndex || index > this.lastIndex()) return undefined;
    return this.unstable.maybeTerm(index) ?? this.storage.term(index);
  }

  lastTerm(): number {
    const term = this.term(this.lastIndex());
    if (term === undefined) throw new RaftInvariantError("the last entry has no term");
    return term;
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** §5.4.1: a candidate's log is up to date when its last term is higher, or equal with an index as high. */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const ownLastTerm = this.lastTerm();
    return lastTerm > ownLastTerm || (lastTerm === ownLastTerm && lastIndex >= this.lastIndex());
  }

  /**
   * Handles the entries of an append after (prevIndex, prevTerm). Returns the
   * last index the append covers, or undefined when the previous entry does not
   * match. Entries already present are skipped: only a real conflict (same
   * index, different term) truncates.
   */
  maybeAppend(
    prevIndex: number,
    prevTerm: number,
    leaderCommit: number,
    entries: readonly Entry[],
  ): number | undefined {
    if (!this.matchTerm(prevIndex, prevTerm)) return undefined;
    const lastNewIndex = prevIndex + entries.length;
    const conflictIndex = this.findConflict(entries);
    if (conflictIndex !== 0) {
      if (conflictIndex <= this.committed) {
        throw new RaftInvariantError(
          `entry ${conflictIndex} conflicts with committed entry (committed ${this.committed})`,
        );
      }
      this.append(entries.slice(conflictIndex - (prevIndex + 1)));
    }
    this.commitTo(Math.min(leaderCommit, lastNewIndex));
    return lastNewIndex;
  }

  /** Appends entries (replacing any unstable or stable suffix from their first index). */
  append(entries: readonly Entry[]): number {
    const first = entries[0];
    if (!first) return this.lastIndex();
    if (first.index - 1 < this.committed) {
      throw new RaftInvariantError(
        `append at ${first.index} would overwrite committed ${this.committed}`,
      );
    }
    this.unstable.truncateAndAppend(entries);
    return this.lastIndex();
  }

  /** The index of the first entry that is new or conflicts; 0 when all are present. */
  private findConflict(entries: readonly Entry[]): number {
    for (const entry of entries) {
      if (!this.matchTerm(entry.index, entry.term)) return entry.index;
    }
    return 0;
  }

  /**
   * The largest index at or below `index` whose term is at most `term`: where a
   * leader whose log has `term` at `index` could match. Used to skip a whole
   * term per round trip instead of one entry.
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    let candidate = index;
    for (;;) {
      const candidateTerm = this.term(candidate);
      if (candidateTerm === undefined) return { index: candidate, term: 0 };
      if (candidateTerm <= term) return { index: candidate, term: candidateTerm };
      candidate--;
    }
  }

  unstableEntries(): Entry[] {
    return this.unstable.entries.slice();
  }

  /** Committed entries not yet applied (starting after any snapshot). */
  nextCommittedEntries(): Entry[] {
    const low = Math.max(this.applied + 1, this.firstIndex());
    if (low > this.committed) return [];
    return this.slice(low, this.committed + 1, this.maxApplyBytes) ?? [];
  }

  hasNextCommittedEntries(): boolean {
    return this.committed > Math.max(this.applied, this.firstIndex() - 1);
  }

  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  commitTo(index: number): void {
    if (index <= this.committed) return;
    if (index > this.lastIndex()) {
      throw new RaftInvariantError(
        `commit ${index} is beyond last index ${this.lastIndex()}: the log was lost or truncated`,
      );
    }
    this.committed = index;
  }

  appliedTo(index: number): void {
    if (index === 0) return;
    if (index > this.committed || index < this.applied) {
      throw new RaftInvariantError(`applied ${index} outside [${this.applied}, ${this.committed}]`);
    }
    this.applied = index;
  }

  /** Commits `index` if it is from `term` (the current-term rule is the caller's choice of term). */
  maybeCommit(index: number, term: number): boolean {
    if (index > this.committed && this.term(index) === term) {
      this.commitTo(index);
      return true;
    }
    return false;
  }

  stableTo(index: number, term: number): void {
    this.unstable.stableTo(index, term);
  }

  stableSnapshotTo(index: number): void {
    this.unstable.stableSnapshotTo(index);
  }

  restore(snapshot: Snapshot): void {
    this.committed = snapshot.metadata.index;
    this.unstable.restore(snapshot);
  }

  /** Entries in [low, high) within `maxBytes`; undefined when `low` has been compacted. */
  slice(low: number, high: number, maxBytes: number): Entry[] | undefined {
    if (low >= high) return [];
    if (low < this.firstIndex()) return undefined;
    if (high > this.lastIndex() + 1) {
      throw new RaftInvariantError(`slice [${low}, ${high}) beyond last index ${this.lastIndex()}`);
    }
    let result: Entry[] = [];
    const unstableOffset = this.unstable.offset;
    if (low < unstableOffset) {
      const stable = this.storage.entries(low, Math.min(high, unstableOffset), maxBytes);
      if (stable === undefined) return undefined;
      // A short read means the byte limit was reached.
      if (stable.length < Math.min(high, unstableOffset) - low) return stable;
      result = stable;
    }
    if (high > unstableOffset) {
      const fromUnstable = this.unstable.slice(Math.max(low, unstableOffset), high);
      result = result.length > 0 ? result.concat(fromUnstable) : fromUnstable;
    }
    return limitSize(result, maxBytes);
  }
}
