import { RaftInvariantError } from "./errors.ts";
import type { Entry, Snapshot } from "./types.ts";

/**
 * The part of the log not yet on stable storage: new entries starting at
 * `offset`, and possibly an incoming snapshot. The driver persists them from a
 * Ready; `stableTo` then moves them out.
 */
export class UnstableLog {
  snapshot: Snapshot | undefined;
  entries: Entry[] = [];
  /** The index of entries[0]. */
  offset: number;

  constructor(offset: number) {
    this.offset = offset;
  }

  maybeFirstIndex(): number | undefined {
    return this.snapshot ? this.snapshot.metadata.index + 1 : undefined;
  }

  maybeLastIndex(): number | undefined {
    if (this.entries.length > 0) return this.offset + this.entries.length - 1;
    return this.snapshot?.metadata.index;
  }

  maybeTerm(index: number): number | undefined {
    if (index < this.offset) {
      if (this.snapshot && this.snapshot.metadata.index === index)
        return this.snapshot.metadata.term;
      return undefined;
    }
    return this.entries[index - this.offset]?.term;
  }

  /**
   * Entries up to `index` reached stable storage. Ignored when the entry there
   * has since been replaced (a newer term overwrote it while the write was in
   * flight), so an old acknowledgement is never taken for a current one.
   */
  stableTo(index: number, term: number): void {
    if (this.maybeTerm(index) !== term || index < this.offset) return;
    this.entries = this.entries.slice(index + 1 - this.offset);
    this.offset = index + 1;
  }

  stableSnapshotTo(index: number): void {
    if (this.snapshot && this.snapshot.metadata.index === index) this.snapshot = undefined;
  }

  restore(snapshot: Snapshot): void {
    this.offset = snapshot.metadata.index + 1;
    this.entries = [];
    this.snapshot = snapshot;
  }

  truncateAndAppend(newEntries: readonly Entry[]): void {
    const first = newEntries[0];
    if (!first) return;
    const after = first.index;
    if (after === this.offset + this.entries.length) {
      this.entries = this.entries.concat(newEntries);
    } else if (after <= this.offset) {
      // Replaces everything unstable (and, once persisted, the stable suffix from `after`).
      this.offset = after;
      this.entries = [...newEntries];
    } else {
      this.entries = this.entries.slice(0, after - this.offset).concat(newEntries);
    }
  }

  slice(low: number, high: number): Entry[] {
    if (low > high || low < this.offset || high > this.offset + this.entries.length) {
      throw new RaftInvariantError(
        `unstable slice [${low}, ${high}) out of [${this.offset}, ${this.offset + this.entries.length})`,
      );
    }
    return this.entries.slice(low - this.offset, high - this.offset);
  }
}
