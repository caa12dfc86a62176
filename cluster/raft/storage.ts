import { RaftInvariantError } from "./errors.ts";
import type { ConfState, Entry, HardState, Snapshot } from "./types.ts";

/**
 * The stable (persisted) part of the log as the core reads it: synchronous,
 * in memory. The node keeps it in step with Redis; the simulator uses it as
 * the "disk" that survives a crash.
 */
export interface LogStorage {
  initialState(): { hardState: HardState; confState: ConfState };
  /** Entries in [low, high), at most `maxBytes` of data but at least one; undefined when `low` is compacted. */
  entries(low: number, high: number, maxBytes: number): Entry[] | undefined;
  /** Term of the entry at `index`; defined from firstIndex()-1 (the snapshot) to lastIndex(). */
  term(index: number): number | undefined;
  firstIndex(): number;
  lastIndex(): number;
  snapshot(): Snapshot;
}

/** Total data size of entries, the unit of every byte limit in the core. */
export function entriesSize(entries: readonly Entry[]): number {
  let size = 0;
  for (const entry of entries) size += entry.data.length;
  return size;
}

/** Keeps a prefix of `entries` within `maxBytes`, always at least one entry. */
export function limitSize(entries: Entry[], maxBytes: number): Entry[] {
  if (entries.length <= 1) return entries;
  let size = entries[0]?.data.length ?? 0;
  let count = 1;
  while (count < entries.length) {
    size += entries[count]?.data.length ?? 0;
    if (size > maxBytes) break;
    count++;
  }
  return count === entries.length ? entries : entries.slice(0, count);
}

/**
 * An in-memory LogStorage. `entries[0]` is a sentinel holding the snapshot's
 * index and term, so term() works one index below the first real entry.
 */
export class MemoryStorage implements LogStorage {
  private hardState: HardState = { term: 0, vote: "", commit: 0 };
  private currentSnapshot: Snapshot;
  private log: Entry[];

  constructor(confState: ConfState = { voters: [], learners: [] }) {
    this.currentSnapshot = { metadata: { index: 0, term: 0, confState }, data: "" };
    this.log = [{ index: 0, term: 0, type: "normal", data: "" }];
  }

  initialState(): { hardState: HardState; confState: ConfState } {
    return { hardState: { ...this.hardState }, confState: this.currentSnapshot.metadata.confState };
  }

  setHardState(hardState: HardState): void {
    this.hardState = { ...hardState };
  }

  hardStateSnapshot(): HardState {
    return { ...this.hardState };
  }

  private get offset(): number {
    return this.log[0]?.index ?? 0;
  }

  firstIndex(): number {
    return this.offset + 1;
  }

  lastIndex(): number {
    return this.offset + this.log.length - 1;
  }

  term(index: number): number | undefined {
    const position = index - this.offset;
    if (position < 0 || position >= this.log.length) return undefined;
    return this.log[position]?.term;
  }

  entries(low: number, high: number, maxBytes: number): Entry[] | undefined {
    if (low <= this.offset) return undefined;
    if (high > this.lastIndex() + 1) {
      throw new RaftInvariantError(
        `entries(${low}, ${high}) beyond last index ${this.lastIndex()}`,
      );
    }
    return limitSize(this.log.slice(low - this.offset, high - this.offset), maxBytes);
  }

  snapshot(): Snapshot {
    return this.currentSnapshot;
  }

  /** All stored entries after the snapshot, for persistence checks and debugging. */
  allEntries(): Entry[] {
    return this.log.slice(1);
  }

  /** Replaces everything with a snapshot received from the leader. */
  applySnapshot(snapshot: Snapshot): void {
    if (snapshot.metadata.index <= this.currentSnapshot.metadata.index) return;
    this.currentSnapshot = snapshot;
    this.log = [
      { index: snapshot.metadata.index, term: snapshot.metadata.term, type: "normal", data: "" },
    ];
  }

  /** Records a snapshot of the application's state at an applied index (before compacting). */
  createSnapshot(index: number, confState: ConfState, data: string): Snapshot {
    if (index <= this.currentSnapshot.metadata.index) return this.currentSnapshot;
    const term = this.term(index);
    if (term === undefined) {
      throw new RaftInvariantError(`snapshot index ${index} is outside the log`);
    }
    this.currentSnapshot = { metadata: { index, term, confState }, data };
    return this.currentSnapshot;
  }

  /** Drops entries up to and including `index`, which must be covered by the snapshot. */
  compact(index: number): void {
    if (index <= this.offset) return;
    if (index > this.lastIndex()) {
      throw new RaftInvariantError(`compact(${index}) beyond last index ${this.lastIndex()}`);
    }
    const sentinelTerm = this.term(index) ?? 0;
    this.log = [
      { index, term: sentinelTerm, type: "normal", data: "" },
      ...this.log.slice(index - this.offset + 1),
    ];
  }

  /** Appends entries, replacing any stored suffix they conflict with. */
  append(entries: readonly Entry[]): void {
    const first = entries[0];
    if (!first) return;
    // Entries already covered by the snapshot are committed; skip them.
    const fresh =
      first.index <= this.offset ? entries.slice(this.offset + 1 - first.index) : entries;
    const head = fresh[0];
    if (!head) return;
    if (head.index > this.lastIndex() + 1) {
      throw new RaftInvariantError(
        `append at ${head.index} leaves a gap after last index ${this.lastIndex()}`,
      );
    }
    // In place: the log holds up to a snapshot interval of entries, and
    // copying it for every append cost more than the rest of the append.
    this.log.length = head.index - this.offset;
    for (const entry of fresh) this.log.push(entry);
  }
}
