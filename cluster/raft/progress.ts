import { Inflights } from "./inflights.ts";

/**
 * How the leader is replicating to one follower:
 * - probe: one message at a time, until the follower's match point is found;
 * - replicate: optimistic pipelining, up to the in-flight limit;
 * - snapshot: a snapshot is on its way; no appends until it is reported.
 */
export type ProgressState = "probe" | "replicate" | "snapshot";

/** The leader's view of one member's log. */
export class Progress {
  match = 0;
  next: number;
  state: ProgressState = "probe";
  /** Index of the snapshot being sent, while in the snapshot state. */
  pendingSnapshot = 0;
  /** Heard from within the current check-quorum window. */
  recentActive = false;
  /** In probe state: a probe is outstanding, wait for a response or heartbeat. */
  probeSent = false;
  /** The highest commit index sent to this follower. */
  sentCommit = 0;
  readonly inflights: Inflights;

  constructor(next: number, maxInflightMessages: number, maxInflightBytes: number) {
    this.next = next;
    this.inflights = new Inflights(maxInflightMessages, maxInflightBytes);
  }

  private resetState(state: ProgressState): void {
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.state = state;
    this.inflights.reset();
  }

  becomeProbe(): void {
    // After a snapshot, the follower holds at least the snapshot's index.
    if (this.state === "snapshot") {
      const snapshotIndex = this.pendingSnapshot;
      this.resetState("probe");
      this.next = Math.max(this.match + 1, snapshotIndex + 1);
    } else {
      this.resetState("probe");
      this.next = this.match + 1;
    }
  }

  becomeReplicate(): void {
    this.resetState("replicate");
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.resetState("snapshot");
    this.pendingSnapshot = snapshotIndex;
  }

  /** Records an append just sent, carrying entries up to `lastIndex` (none if empty). */
  sentEntries(entryCount: number, lastIndex: number, bytes: number): void {
    if (this.state === "replicate") {
      if (entryCount > 0) {
        this.next = lastIndex + 1;
        this.inflights.add(lastIndex, bytes);
      }
    } else if (this.state === "probe") {
      this.probeSent = true;
    }
  }

  /** Acknowledgement of `index`: returns whether match moved forward. Never regresses match. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (this.match < index) {
      this.match = index;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, index + 1);
    return updated;
  }

  /**
   * A rejection of the append whose previous index was `rejected`; `nextProbeHint`
   * is where the follower suggests probing. Returns false for a stale rejection.
   */
  maybeDecreaseTo(rejected: number, nextProbeHint: number): boolean {
    if (this.state === "replicate") {
      // Already matched past it: a late rejection from before.
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    // In probe state only the rejection of the latest probe counts.
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, nextProbeHint + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }

  isPaused(): boolean {
    switch (this.state) {
      case "probe":
        return this.probeSent;
      case "replicate":
        return this.inflights.full();
      case "snapshot":
        return true;
    }
  }
}
