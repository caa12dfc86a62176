import type { RaftFaults } from "../../cluster/raft/raft.ts";
import { RawNode } from "../../cluster/raft/raw-node.ts";
import type { MemoryStorage } from "../../cluster/raft/storage.ts";
import type {
  ConfChange,
  Entry,
  HardState,
  Message,
  NodeId,
  RandomSource,
  ReadState,
  Ready,
  SoftState,
} from "../../cluster/raft/types.ts";
import { SimStateMachine } from "./state-machine.ts";

/** Bugs in the driver that the simulator must catch. */
export interface DriverFaults {
  /** Persist term and commit but not the vote. */
  skipPersistVote?: boolean;
  /** Send a Ready's messages before its entries and hard state are durable. */
  answerBeforePersist?: boolean;
}

export interface SimNodeHooks {
  send(message: Message): void;
  applied(node: SimNode, entry: Entry, newProposalId: string | undefined): void;
  readState(node: SimNode, readState: ReadState): void;
  softState(node: SimNode, softState: SoftState): void;
  /** Called when a write of hard state reaches the disk, to check durability rules. */
  persisted(node: SimNode, hardState: HardState): void;
}

export interface SimNodeOptions {
  electionTicks: number;
  heartbeatTicks: number;
  maxEntriesBytesPerMessage: number;
  snapshotEveryEntries: number;
  /** Entries kept behind a snapshot, so slow followers sometimes need one and sometimes not. */
  entriesKeptAfterSnapshot: number;
  coreFaults: RaftFaults;
  driverFaults: DriverFaults;
}

/**
 * One simulated member: a RawNode driven exactly like the real node (persist,
 * send, apply, advance), over a MemoryStorage that plays the disk. The disk is
 * slow on purpose: a Ready may stay in flight for a tick, and a crash in that
 * window loses it.
 */
export class SimNode {
  node: RawNode | undefined;
  machine = new SimStateMachine();
  incarnation = 0;
  private inFlight: { ready: Ready; completesAtTick: number; messagesSent: boolean } | undefined;
  /** Proposal ids this incarnation proposed and has not yet seen applied. */
  readonly ownProposals = new Set<string>();
  /** Read contexts this incarnation asked for, awaiting their ReadState. */
  readonly ownReads = new Set<string>();
  /** Reads whose read point is known but not yet applied: served once applied. */
  readonly readsAwaitingApply: ReadState[] = [];
  private lastSnapshotIndex = 0;

  constructor(
    readonly id: NodeId,
    readonly storage: MemoryStorage,
    private readonly options: SimNodeOptions,
    private readonly random: RandomSource,
    private readonly hooks: SimNodeHooks,
  ) {}

  get alive(): boolean {
    return this.node !== undefined;
  }

  start(): void {
    const snapshot = this.storage.snapshot();
    this.machine = SimStateMachine.restore(snapshot.data);
    this.lastSnapshotIndex = snapshot.metadata.index;
    this.incarnation++;
    this.node = new RawNode({
      id: this.id,
      storage: this.storage,
      electionTicks: this.options.electionTicks,
      heartbeatTicks: this.options.heartbeatTicks,
      random: this.random,
      applied: snapshot.metadata.index,
      maxEntriesBytesPerMessage: this.options.maxEntriesBytesPerMessage,
      maxInflightMessages: 4,
      maxUncommittedBytes: 2048,
      faults: this.options.coreFaults,
    });
  }

  /** Stops dead: whatever was not on the disk is gone. */
  crash(): void {
    this.node = undefined;
    this.inFlight = undefined;
    this.ownProposals.clear();
    this.ownReads.clear();
    this.readsAwaitingApply.length = 0;
  }

  /** Runs the Ready loop as far as the disk allows at `tick`. */
  process(tick: number): void {
    for (let rounds = 0; rounds < 1000; rounds++) {
      const node = this.node;
      if (!node) return;
      if (this.inFlight) {
        if (this.inFlight.completesAtTick > tick) return;
        this.complete(this.inFlight.ready, this.inFlight.messagesSent);
        this.inFlight = undefined;
        continue;
      }
      if (!node.hasReady()) return;
      const ready = node.ready();
      if (ready.softState) this.hooks.softState(this, ready.softState);
      const sendEarly = this.options.driverFaults.answerBeforePersist === true;
      if (sendEarly) this.sendAll(ready);
      const slowDisk = ready.mustSync && this.random.nextInt(10) < 3;
      if (slowDisk) {
        this.inFlight = { ready, completesAtTick: tick + 1, messagesSent: sendEarly };
        return;
      }
      this.complete(ready, sendEarly);
    }
    throw new Error(`${this.id}: Ready loop did not settle`);
  }

  private complete(ready: Ready, messagesSent: boolean): void {
    const node = this.node;
    if (!node) return;
    // 1. persist
    if (ready.snapshot) this.storage.applySnapshot(ready.snapshot);
    if (ready.entries.length > 0) this.storage.append(ready.entries);
    if (ready.hardState) {
      const previous = this.storage.hardStateSnapshot();
      const written = this.options.driverFaults.skipPersistVote
        ? { ...ready.hardState, vote: previous.term === ready.hardState.term ? previous.vote : "" }
        : ready.hardState;
      this.storage.setHardState(written);
      this.hooks.persisted(this, written);
    }
    // 2. send
    if (!messagesSent) this.sendAll(ready);
    // 3. apply
    if (ready.snapshot) {
      this.machine = SimStateMachine.restore(ready.snapshot.data);
      this.lastSnapshotIndex = ready.snapshot.metadata.index;
    }
    for (const entry of ready.committedEntries) this.applyEntry(node, entry);
    for (const readState of ready.readStates) {
      if (this.ownReads.delete(readState.context)) this.readsAwaitingApply.push(readState);
    }
    // 4. advance
    node.advance(ready);
    this.serveReads();
    this.maybeSnapshot(node);
  }

  private sendAll(ready: Ready): void {
    for (const message of ready.messages) {
      this.hooks.send(message);
      // The simulated transport hands a snapshot over at once; losing it later is
      // recovered by the leader's probing.
      if (message.type === "snap") this.node?.reportSnapshot(message.to, true);
    }
  }

  private applyEntry(node: RawNode, entry: Entry): void {
    if (entry.type === "confChange") {
      this.machine.skip(entry.index, entry.data);
      node.applyConfChange(JSON.parse(entry.data) as ConfChange);
      this.hooks.applied(this, entry, undefined);
      return;
    }
    const newId = this.machine.apply(entry.index, entry.data);
    this.hooks.applied(this, entry, newId);
    if (newId !== undefined) this.ownProposals.delete(newId);
  }

  private serveReads(): void {
    for (let position = this.readsAwaitingApply.length - 1; position >= 0; position--) {
      const read = this.readsAwaitingApply[position]!;
      if (read.index <= this.machine.appliedIndex) {
        this.readsAwaitingApply.splice(position, 1);
        this.hooks.readState(this, read);
      }
    }
  }

  private maybeSnapshot(node: RawNode): void {
    const applied = this.machine.appliedIndex;
    if (applied - this.lastSnapshotIndex < this.options.snapshotEveryEntries) return;
    if (applied > this.storage.lastIndex()) return;
    this.storage.createSnapshot(applied, node.status().confState, this.machine.serialize());
    this.lastSnapshotIndex = applied;
    const compactTo = applied - this.options.entriesKeptAfterSnapshot;
    if (compactTo > this.storage.firstIndex()) this.storage.compact(compactTo);
  }
}
