import { type ProposeResult, Raft, type RaftConfig, type RequestResult } from "./raft.ts";
import type {
  ConfChange,
  ConfState,
  HardState,
  Message,
  NodeId,
  Ready,
  Role,
  SoftState,
} from "./types.ts";

/** What a node reports about itself (and, on a leader, about its followers). */
export interface RaftStatus {
  id: NodeId;
  role: Role;
  isLearner: boolean;
  term: number;
  vote: NodeId;
  leaderId: NodeId;
  commitIndex: number;
  appliedIndex: number;
  lastIndex: number;
  confState: ConfState;
  /** Only on a leader: each member's replication progress. */
  progress: Array<{
    id: NodeId;
    match: number;
    next: number;
    state: string;
    recentActive: boolean;
  }>;
}

function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

/**
 * The Raft core as an application drives it. Call tick() on a timer, step()
 * for every message from a peer, and whenever hasReady() is true: take
 * ready(), persist it, send its messages, apply it, then advance(ready).
 * Only one Ready is outstanding at a time.
 */
export class RawNode {
  private readonly raft: Raft;
  private lastSoftState: SoftState;
  private lastHardState: HardState;

  constructor(config: RaftConfig) {
    this.raft = new Raft(config);
    this.lastSoftState = this.raft.softState();
    this.lastHardState = config.storage.initialState().hardState;
  }

  tick(): void {
    this.raft.tick();
  }

  /** Starts an election at once (skipping the timeout). */
  campaign(): void {
    this.raft.campaign();
  }

  /** Feeds a message received from a peer. */
  step(message: Message): void {
    this.raft.step(message);
  }

  /** Proposes data to append; followers forward it to the leader they know. */
  propose(data: string): ProposeResult {
    return this.raft.propose(data);
  }

  /** Proposes several entries in one step (see Raft.proposeBatch). */
  proposeBatch(data: readonly string[]): ProposeResult {
    return this.raft.proposeBatch(data);
  }

  proposeConfChange(change: ConfChange): ProposeResult {
    return this.raft.proposeConfChange(change);
  }

  /** Requests a linearizable read point; it arrives as a ReadState carrying `context`. */
  readIndex(context: string): RequestResult {
    return this.raft.readIndex(context);
  }

  transferLeadership(target?: NodeId): RequestResult {
    return this.raft.transferLeadership(target);
  }

  /** Must be called when a committed confChange entry is applied. */
  applyConfChange(change: ConfChange): ConfState {
    return this.raft.applyConfChange(change);
  }

  /** The leader's connection closed: drop its lease and campaign soon. */
  forgetLeader(): void {
    this.raft.forgetLeader();
  }

  reportUnreachable(id: NodeId): void {
    this.raft.reportUnreachable(id);
  }

  reportSnapshot(id: NodeId, succeeded: boolean): void {
    this.raft.reportSnapshot(id, succeeded);
  }

  hasReady(): boolean {
    const raft = this.raft;
    const soft = raft.softState();
    return (
      soft.role !== this.lastSoftState.role ||
      soft.leaderId !== this.lastSoftState.leaderId ||
      !sameHardState(raft.hardState(), this.lastHardState) ||
      raft.log.unstable.entries.length > 0 ||
      raft.log.unstable.snapshot !== undefined ||
      raft.messages.length > 0 ||
      raft.readStates.length > 0 ||
      raft.log.hasNextCommittedEntries()
    );
  }

  ready(): Ready {
    const raft = this.raft;
    const entries = raft.log.unstableEntries();
    const hardState = raft.hardState();
    const hardStateChanged = !sameHardState(hardState, this.lastHardState);
    const ready: Ready = {
      entries,
      committedEntries: raft.log.nextCommittedEntries(),
      messages: raft.takeMessages(),
      readStates: raft.takeReadStates(),
      mustSync:
        entries.length > 0 ||
        hardState.term !== this.lastHardState.term ||
        hardState.vote !== this.lastHardState.vote,
    };
    const snapshot = raft.log.unstable.snapshot;
    if (snapshot) ready.snapshot = snapshot;
    if (hardStateChanged) {
      ready.hardState = hardState;
      this.lastHardState = hardState;
    }
    const soft = raft.softState();
    if (soft.role !== this.lastSoftState.role || soft.leaderId !== this.lastSoftState.leaderId) {
      ready.softState = soft;
      this.lastSoftState = soft;
    }
    return ready;
  }

  /** The driver has persisted, sent and applied `ready`. */
  advance(ready: Ready): void {
    if (ready.snapshot) {
      this.raft.log.stableSnapshotTo(ready.snapshot.metadata.index);
      this.raft.log.appliedTo(ready.snapshot.metadata.index);
    }
    const lastEntry = ready.entries[ready.entries.length - 1];
    if (lastEntry) this.raft.persisted(lastEntry.index, lastEntry.term);
    this.raft.applied(ready.committedEntries);
  }

  /** Whether this node leads, its term and its commit index, without building the whole status (the node asks before every Ready). */
  leadership(): { isLeader: boolean; term: number; committed: number } {
    const raft = this.raft;
    return { isLeader: raft.role === "leader", term: raft.term, committed: raft.log.committed };
  }

  /** The index last applied, without building the whole status (the node asks after every Ready). */
  appliedIndex(): number {
    return this.raft.log.applied;
  }

  status(): RaftStatus {
    const raft = this.raft;
    const progress =
      raft.role === "leader"
        ? [...raft.tracker.progress].map(([id, p]) => ({
            id,
            match: p.match,
            next: p.next,
            state: p.state,
            recentActive: p.recentActive,
          }))
        : [];
    return {
      id: raft.id,
      role: raft.role,
      isLearner: raft.isLearner(),
      term: raft.term,
      vote: raft.vote,
      leaderId: raft.leaderId,
      commitIndex: raft.log.committed,
      appliedIndex: raft.log.applied,
      lastIndex: raft.log.lastIndex(),
      confState: raft.tracker.confState(),
      progress,
    };
  }

  /** The underlying state machine, for tests that inspect internals. */
  get core(): Raft {
    return this.raft;
  }
}
