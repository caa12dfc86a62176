import { Progress } from "./progress.ts";
import { majorityCommittedIndex, majoritySize, type VoteOutcome, voteOutcome } from "./quorum.ts";
import type { ConfState, NodeId } from "./types.ts";

/** The membership and, on a leader, the replication progress of every member. */
export class ProgressTracker {
  readonly voters = new Set<NodeId>();
  readonly learners = new Set<NodeId>();
  readonly progress = new Map<NodeId, Progress>();
  private readonly votes = new Map<NodeId, boolean>();

  constructor(
    private readonly maxInflightMessages: number,
    private readonly maxInflightBytes: number,
  ) {}

  confState(): ConfState {
    return { voters: [...this.voters].sort(), learners: [...this.learners].sort() };
  }

  isMember(id: NodeId): boolean {
    return this.voters.has(id) || this.learners.has(id);
  }

  /** Replaces the membership, keeping the progress of members that stay. */
  setConfState(confState: ConfState, nextIndex: number): void {
    this.voters.clear();
    this.learners.clear();
    for (const id of confState.voters) this.voters.add(id);
    for (const id of confState.learners) if (!this.voters.has(id)) this.learners.add(id);
    for (const id of [...this.progress.keys()]) if (!this.isMember(id)) this.progress.delete(id);
    for (const id of [...this.voters, ...this.learners]) {
      if (!this.progress.has(id)) this.progress.set(id, this.newProgress(nextIndex));
    }
  }

  newProgress(nextIndex: number): Progress {
    return new Progress(nextIndex, this.maxInflightMessages, this.maxInflightBytes);
  }

  /** The highest index a majority of voters have persisted. */
  committed(): number {
    return majorityCommittedIndex([...this.voters].map((id) => this.progress.get(id)?.match ?? 0));
  }

  resetVotes(): void {
    this.votes.clear();
  }

  /** Records a voter's first answer in this election; later answers from it are ignored. */
  recordVote(id: NodeId, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  tallyVotes(): VoteOutcome {
    let granted = 0;
    let rejected = 0;
    for (const id of this.voters) {
      const vote = this.votes.get(id);
      if (vote === true) granted++;
      else if (vote === false) rejected++;
    }
    return voteOutcome(this.voters.size, granted, rejected);
  }

  /** Whether a majority of voters (counting `self`) were heard from since the last check. */
  quorumActive(self: NodeId): boolean {
    let active = 0;
    for (const id of this.voters) {
      if (id === self || this.progress.get(id)?.recentActive) active++;
    }
    return active >= majoritySize(this.voters.size);
  }
}
