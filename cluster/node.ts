import { Backoff } from "../shared/backoff.ts";
import type { Logger } from "../shared/logger.ts";
import type { ErrorValue } from "../shared/result.ts";
import { CommitNoticeDelay } from "./commit-notice-delay.ts";
import type { NodeMetrics } from "./metrics.ts";
import { decodeNodeSnapshot, encodeNodeSnapshot } from "./node-snapshot.ts";
import {
  decodeEnvelope,
  encodeEnvelope,
  stampForwarded,
  stateVersionOf,
} from "./proposal-envelope.ts";
import { ProposalQueue } from "./proposal-queue.ts";
import { bootstrapEntries } from "./raft/bootstrap.ts";
import { decodeConfChange } from "./raft/conf-change-codec.ts";
import type { RaftErrorCode } from "./raft/errors.ts";
import { DEFAULT_MAX_UNCOMMITTED_BYTES, type RaftConfig } from "./raft/raft.ts";
import { type RaftStatus, RawNode } from "./raft/raw-node.ts";
import { MemoryStorage } from "./raft/storage.ts";
import type {
  ConfChange,
  ConfState,
  Entry,
  HardState,
  Message,
  NodeId,
  Ready,
  Snapshot,
} from "./raft/types.ts";
import { type CancelTimer, type Runtime, sleepFor, systemRuntime } from "./runtime.ts";
import type { StateMachine } from "./state-machine.ts";
import type { PersistedRaftState, SaveBatch } from "./storage/raft-log-store.ts";
import { timing } from "./timing.ts";

/** What the core refuses, plus what only a running node can fail at. */
export type NodeErrorCode =
  | RaftErrorCode
  | "NOT_READY"
  | "PROPOSAL_TIMEOUT"
  | "READ_TIMEOUT"
  | "SHUTTING_DOWN";

/** A request the node could not serve; `code` is stable, `message` says what to do. */
export class NodeError extends Error {
  constructor(
    readonly code: NodeErrorCode,
    message: string,
    /** The leader this node knows of, if any: where to retry. */
    readonly leaderId?: NodeId,
  ) {
    super(message);
    this.name = "NodeError";
  }
}

/**
 * Why a node stopped rather than apply a committed entry: it was proposed by
 * a node of a later state version, whose commands this one cannot be trusted
 * to apply alike. Upgrade the node; it replays the entry on its next start.
 */
export class StateVersionError extends Error {
  readonly code = "NEWER_STATE_VERSION";

  constructor(
    readonly index: number,
    readonly entryVersion: number,
    readonly ownVersion: number,
  ) {
    super(
      `the log at index ${index} was written by a node of state version ${entryVersion}; this node runs version ${ownVersion} and stops rather than apply it differently: upgrade it to the cluster's release`,
    );
    this.name = "StateVersionError";
  }
}

/** The durable side of the log: the Redis store in production, anything with the same shape in tests. */
export interface LogStore {
  load(): Promise<PersistedRaftState>;
  save(batch: SaveBatch): Promise<void>;
  compact(snapshot: Snapshot): Promise<void>;
}

export interface LeadershipChange {
  isLeader: boolean;
  term: number;
}

export interface ClusterNodeOptions<Result> {
  id: NodeId;
  /** The founding members (id -> URL), used to bootstrap an empty log. */
  initialMembers: ReadonlyMap<NodeId, string>;
  heartbeatMs: number;
  electionTimeoutMs: number;
  snapshotEveryEntries: number;
  store: LogStore;
  stateMachine: StateMachine<Result>;
  /** Hands messages to the peers (never blocks). */
  send: (messages: readonly Message[]) => void;
  /** Called after committed entries (or a snapshot) were applied, e.g. to sync the VPN interface. */
  onApplied?: () => void;
  /** Called when membership (and so the set of peers to connect to) changes. */
  onMembersChanged?: (members: ReadonlyMap<NodeId, string>) => void;
  logger: Logger;
  metrics: NodeMetrics;
  /** Clock, timers and randomness; default the process's own. */
  runtime?: Runtime;
  /** Limits and switches passed to the Raft core (the simulator sets small ones). */
  raft?: RaftTuning;
  /** Entries kept in memory behind a snapshot, so a follower slightly behind needs no snapshot; default 1 000. */
  entriesKeptAfterSnapshot?: number;
  /** Called when the Ready loop fails (a bug or corrupt state); the node has stopped. */
  onFatal?: (error: unknown) => void;
  /**
   * Whether leadership may be handed to a member (the voter candidates an
   * admin named), passed to the Raft core (RaftConfig.mayLead): a seized
   * voter that is not a candidate cannot ask to be made leader. The node
   * adds its own state version's say for itself (mayLeadItsVersion).
   */
  mayLead?: (id: NodeId) => boolean;
  /** Deliberately broken behaviour, for the simulator's proof that its checks catch it. */
  faults?: NodeFaults;
}

/** Core settings a node may pass through; production leaves them at the core's defaults. */
export type RaftTuning = Pick<
  RaftConfig,
  "maxEntriesBytesPerMessage" | "maxInflightMessages" | "maxUncommittedBytes" | "faults"
>;

/**
 * Wrong orderings of persist, send and apply, switched on only by the
 * simulator to prove that its checks catch them. Never set in production.
 */
export interface NodeFaults {
  /** Write term and commit but keep the previous vote. */
  skipPersistingVote?: boolean;
  /** Send every message of a Ready before its entries and hard state are durable. */
  answerBeforePersist?: boolean;
  /** A leader counts its new entries towards a majority before its own write is acknowledged. */
  countOwnEntriesBeforeDurable?: boolean;
  /** Apply entries as they arrive, before they are committed. */
  applyBeforeCommit?: boolean;
}

/** One member as /v1/status shows it. */
export interface MemberStatus {
  id: NodeId;
  url: string;
  voter: boolean;
  role: "voter" | "learner";
  matchIndex: number | null;
  /** Entries behind the leader's log; null on a node that does not lead. */
  lag: number | null;
  /** How long since the leader heard from it; null on a node that does not lead. */
  silentForMs: number | null;
}

/** A member as the leader sees it (see ClusterNode.memberHealth). */
export interface MemberHealth {
  id: NodeId;
  voter: boolean;
  /** Entries the member's log is behind the leader's. */
  lag: number;
  /** How long since the leader last heard from it; 0 for the leader itself. */
  silentForMs: number;
  /**
   * Whether this node has heard from it at all. Until it has, `silentForMs`
   * counts from the start of the leader's term (a voter is not dead for
   * being unheard in the first moment), and `lag` from a match index of
   * nothing known.
   */
  heard: boolean;
}

export interface NodeStatus {
  id: NodeId;
  role: "leader" | "follower" | "candidate" | "precandidate" | "learner";
  term: number;
  leaderId: NodeId | null;
  commitIndex: number;
  appliedIndex: number;
  members: MemberStatus[];
}

interface PendingProposal<Result> {
  resolve: (outcome: { index: number; result: Result }) => void;
  reject: (error: NodeError) => void;
  cancelTimer: CancelTimer;
  startedAt: number;
}

interface PendingRead {
  resolve: () => void;
  reject: (error: NodeError) => void;
  cancelTimer: CancelTimer;
  /** Set once the leader has confirmed the read point. */
  index?: number;
}

/** Retries of a Redis call that failed (Redis down): from 50 ms, doubling up to 2 s. */
const STORAGE_RETRY = { minDelayMs: 50, maxDelayMs: 2000 };
/**
 * Turns of the event loop a leader lets pass between its batch committing
 * and cutting the next (proposal-queue.ts). Side by side, 4 turns gave up
 * to 5 % more throughput than 2 at 64 writers and no less at 2 or 16, and
 * 1 turn 2-8 % less than 2 (README, Benchmarks, 2026-12-08).
 */
const GATHER_TURNS = 4;
const DEFAULT_ENTRIES_KEPT_AFTER_SNAPSHOT = 1000;
/** Messages only a leader sends: they need no local durability and may go out while its write is in flight. */
const LEADER_MESSAGE_TYPES = new Set<Message["type"]>([
  "app",
  "heartbeat",
  "snap",
  "timeoutNow",
  "readIndexResp",
]);

/**
 * One NexaLoak node: the Raft core driven by timers, its log made durable in
 * Redis, messages exchanged through the transport, and committed commands
 * applied to the state machine. The only module that touches time and I/O on
 * behalf of the core.
 */
export class ClusterNode<Result = unknown> {
  readonly id: NodeId;
  private readonly options: ClusterNodeOptions<Result>;
  private readonly log: Logger;
  private readonly metrics: NodeMetrics;
  private readonly storage = new MemoryStorage();
  private readonly runtime: Runtime;
  private readonly faults: NodeFaults;
  private rawNode: RawNode | undefined;
  private members = new Map<NodeId, string>();
  /** Tells this run's request ids from an earlier run's (a restart reuses the counter). */
  private readonly incarnation: string;
  private requestCounter = 0;
  private readonly pendingProposals = new Map<string, PendingProposal<Result>>();
  /** Proposals not yet handed to the core: together, and on a leader one batch at a time. */
  private readonly queuedProposals: ProposalQueue;
  private readonly pendingReads = new Map<string, PendingRead>();
  private readonly leadershipListeners = new Set<(change: LeadershipChange) => void>();
  private stopTicking: CancelTimer | undefined;
  private wake: (() => void) | undefined;
  /** Set while the event loop goes round before the next batch is cut (proposal-queue.ts). */
  private cancelGatherTurn: CancelTimer | undefined;
  /** The turns have passed: the next `afterGathering` step proposes. */
  private gathered = false;
  private running = false;
  /** Set by stop(): storage retries give up instead of waiting for Redis. */
  private stopRequested = false;
  private loopDone: Promise<void> = Promise.resolve();
  private storageAvailable = false;
  private wasLeader = false;
  /** When this node last became leader; undefined while it does not lead. */
  private leaderSince: number | undefined;
  /** When each peer's last message arrived (runtime clock). */
  private readonly lastHeard = new Map<NodeId, number>();
  private knownLeader: NodeId = "";
  private lastSnapshotIndex = 0;
  /** The last index applied to the state machine (ahead of the core's view until advance). */
  private appliedIndex = 0;
  /** The latest state version stamped on what this node has applied; undefined before any stamp. */
  private newestAppliedStateVersion: number | undefined;
  /** The newest hard state the core produced, and the newest one Redis holds. */
  private latestHardState: HardState = { term: 0, vote: "", commit: 0 };
  private persistedHardState: HardState = { term: 0, vote: "", commit: 0 };
  private readonly timing: ReturnType<typeof timing>;
  private readonly commitNotices: CommitNoticeDelay;

  constructor(options: ClusterNodeOptions<Result>) {
    this.options = options;
    this.id = options.id;
    this.log = options.logger;
    this.metrics = options.metrics;
    this.timing = timing(options.heartbeatMs, options.electionTimeoutMs);
    this.runtime = options.runtime ?? systemRuntime;
    this.faults = options.faults ?? {};
    this.incarnation = this.runtime.random.nextInt(0x1_0000_0000).toString(16).padStart(8, "0");
    this.commitNotices = new CommitNoticeDelay(this.runtime, (messages) => options.send(messages));
    this.queuedProposals = new ProposalQueue(
      options.raft?.maxUncommittedBytes ?? DEFAULT_MAX_UNCOMMITTED_BYTES,
    );
  }

  /** Loads the durable log (retrying while Redis is unreachable), then starts ticking. */
  async start(): Promise<void> {
    let persisted = await this.withStorageRetry("load the Raft log", () =>
      this.options.store.load(),
    );
    const empty =
      !persisted.snapshot && persisted.entries.length === 0 && persisted.hardState.term === 0;
    if (empty && this.options.initialMembers.has(this.id)) {
      // A founding member's first start: the founding membership becomes the
      // first committed entries, identical on every founder.
      const entries = bootstrapEntries([...this.options.initialMembers.keys()]);
      const hardState = { term: 1, vote: "", commit: entries.length };
      await this.withStorageRetry("bootstrap the Raft log", () =>
        this.options.store.save({ hardState, entries }),
      );
      persisted = { hardState, snapshot: null, entries };
      this.log.info(
        { members: [...this.options.initialMembers.keys()] },
        "bootstrapped a new cluster",
      );
    }
    this.restoreFrom(persisted);
    this.running = true;
    this.stopTicking = this.runtime.every(this.timing.tickMs, () => this.tick());
    this.loopDone = this.runReadyLoop();
    this.log.info(
      {
        term: persisted.hardState.term,
        commit: persisted.hardState.commit,
        entries: persisted.entries.length,
        snapshotIndex: persisted.snapshot?.metadata.index ?? 0,
        tickMs: this.timing.tickMs,
        electionTicks: this.timing.electionTicks,
      },
      "raft node started",
    );
  }

  private restoreFrom(persisted: PersistedRaftState): void {
    const snapshot = persisted.snapshot;
    this.members = new Map(this.options.initialMembers);
    if (snapshot) {
      this.storage.applySnapshot(snapshot);
      this.installSnapshotData(snapshot.data, snapshot.metadata.index);
      this.lastSnapshotIndex = snapshot.metadata.index;
      this.appliedIndex = snapshot.metadata.index;
    }
    this.storage.append(persisted.entries);
    this.storage.setHardState(persisted.hardState);
    this.latestHardState = persisted.hardState;
    this.persistedHardState = persisted.hardState;
    this.rawNode = new RawNode({
      id: this.id,
      storage: this.storage,
      electionTicks: this.timing.electionTicks,
      heartbeatTicks: this.timing.heartbeatTicks,
      random: this.runtime.random,
      applied: snapshot?.metadata.index ?? 0,
      mayLead: (id) =>
        (this.options.mayLead?.(id) ?? true) && (id !== this.id || this.mayLeadItsVersion()),
      ...this.options.raft,
    });
    this.options.onMembersChanged?.(this.members);
  }

  /**
   * Whether this node's state version lets it lead first: not while the log
   * it applied was written by an earlier release than its own. During an
   * upgrade one member at a time, the members still on the earlier release
   * then keep leading (a member of the later one would make them stop at its
   * first entry, StateVersionError), and an upgraded member leads only once
   * none of them can win: like a voter that is not a candidate, after four
   * election timeouts without a leader (RaftConfig.mayLead).
   */
  private mayLeadItsVersion(): boolean {
    const newest = this.newestAppliedStateVersion;
    return newest === undefined || this.options.stateMachine.version <= newest;
  }

  private noteAppliedStateVersion(version: number): void {
    if (this.newestAppliedStateVersion === undefined || version > this.newestAppliedStateVersion)
      this.newestAppliedStateVersion = version;
  }

  private installSnapshotData(data: string, index: number): void {
    if (data === "") return;
    const snapshot = decodeNodeSnapshot(data);
    const machine = this.options.stateMachine;
    const version = snapshot.stateVersion;
    if (version > machine.version) throw new StateVersionError(index, version, machine.version);
    this.noteAppliedStateVersion(version);
    machine.restore(snapshot.state);
    this.members = new Map(Object.entries(snapshot.members));
    this.log.info({ members: this.members.size }, "state restored from a snapshot");
    // How this node reaches the founders it lists in PEERS is its own business
    // (proxies, private addresses): its own URLs win over the sender's.
    for (const [id, url] of this.options.initialMembers) {
      if (this.members.has(id)) this.members.set(id, url);
    }
  }

  private tick(): void {
    const node = this.rawNode;
    if (!node) return;
    node.tick();
    // Once a tick, not once a Ready: scrapes come seconds apart, writes do not.
    this.updateMetrics(node);
    this.kick();
  }

  private kick(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Feeds messages received from a peer. */
  receive(messages: readonly Message[]): void {
    const node = this.rawNode;
    if (!node || !this.running) return;
    const now = this.runtime.nowMs();
    for (const message of messages) {
      this.lastHeard.set(message.from, now);
      try {
        node.step(
          message.type === "prop"
            ? stampedProposal(message, this.options.stateMachine.version, this.log)
            : message,
        );
      } catch (error) {
        // A message the core cannot take (from a faulty or hostile peer) is
        // dropped; it must not stop this node or the connection it came on.
        this.log.warn(
          { from: message.from, type: message.type, err: (error as Error).message },
          "dropped a message the Raft core refused",
        );
      }
    }
    this.kick();
  }

  /** The connection to `peer` closed; if it was the leader, stop waiting for it. */
  peerDisconnected(peer: NodeId): void {
    if (peer === this.knownLeader) {
      this.rawNode?.forgetLeader();
      this.kick();
    }
  }

  // ---- the Ready loop ------------------------------------------------------

  private async runReadyLoop(): Promise<void> {
    while (this.running) {
      const node = this.rawNode;
      if (node) this.proposeWhenDue(node);
      if (!node?.hasReady()) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        continue;
      }
      const ready = node.ready();
      try {
        await this.handleReady(node, ready);
      } catch (error) {
        if (this.stopRequested) return;
        // A failure here is a bug or corrupt state: stop rather than diverge.
        this.log.fatal({ err: error }, "the Raft loop failed; stopping this node");
        this.running = false;
        this.stopTicking?.();
        this.options.onFatal?.(error);
        return;
      }
    }
  }

  private async handleReady(node: RawNode, ready: Ready): Promise<void> {
    if (ready.softState) this.onSoftState(ready.softState.role, ready.softState.leaderId);
    // A leader's appends and heartbeats need nothing of its own disk: send them
    // while the write is in flight. Everything else waits for durability.
    const sendsEarly = (message: Message) =>
      this.faults.answerBeforePersist === true || LEADER_MESSAGE_TYPES.has(message.type);
    const early = ready.messages.filter(sendsEarly);
    const late = ready.messages.filter((message) => !sendsEarly(message));
    this.sendMessages(node, early);
    const lastNew = ready.entries[ready.entries.length - 1];
    if (this.faults.countOwnEntriesBeforeDurable && lastNew && !ready.snapshot) {
      this.storage.append(ready.entries);
      node.core.persisted(lastNew.index, lastNew.term);
    }
    if (this.faults.applyBeforeCommit) this.applyUncommitted(node, ready.entries);
    if (ready.snapshot) {
      await this.persist(ready);
      this.installSnapshotData(ready.snapshot.data, ready.snapshot.metadata.index);
      this.lastSnapshotIndex = ready.snapshot.metadata.index;
      this.appliedIndex = ready.snapshot.metadata.index;
      this.metrics.snapshotsInstalled.inc();
      this.options.onMembersChanged?.(this.members);
    }
    // Committed entries are durable on a majority already, and this node's
    // state is rebuilt from Redis after a crash: apply them (and answer the
    // waiting clients) without waiting for this Ready's own write.
    for (const entry of ready.committedEntries) {
      // Under the applyBeforeCommit fault an entry may have been applied when it arrived.
      if (this.faults.applyBeforeCommit && entry.index <= this.appliedIndex) continue;
      this.applyEntry(node, entry);
    }
    if (ready.committedEntries.length > 0 || ready.snapshot) this.options.onApplied?.();
    for (const readState of ready.readStates) {
      const read = this.pendingReads.get(readState.context);
      if (read) read.index = readState.index;
    }
    this.serveReads();
    if (!ready.snapshot) await this.persist(ready);
    this.sendMessages(node, late);
    node.advance(ready);
    await this.maybeSnapshot(node);
  }

  /** Hands the queue to the core when proposal-queue.ts says so; starts gathering when it asks for it. */
  private proposeWhenDue(node: RawNode): void {
    const step = this.queuedProposals.nextStep(node.leadership());
    if (step === "wait") return;
    if (step === "afterGathering" && !this.gathered) {
      if (this.cancelGatherTurn === undefined) this.gather();
      return;
    }
    this.stopGathering();
    this.proposeQueued(node);
  }

  /** Lets the event loop go round GATHER_TURNS times, then wakes the Ready loop to cut the batch. */
  private gather(): void {
    let turns = 0;
    const turn = () => {
      turns += 1;
      if (turns < GATHER_TURNS) {
        this.cancelGatherTurn = this.runtime.afterPendingIo(turn);
        return;
      }
      this.cancelGatherTurn = undefined;
      this.gathered = true;
      this.kick();
    };
    this.cancelGatherTurn = this.runtime.afterPendingIo(turn);
  }

  private stopGathering(): void {
    this.cancelGatherTurn?.();
    this.cancelGatherTurn = undefined;
    this.gathered = false;
  }

  /**
   * Hands the core every queued proposal whose caller still waits, in one
   * step. Under load many requests arrive while a write is in flight;
   * proposed one by one, each would become its own append to every follower
   * and its own acknowledgement back. Together they are one append and one
   * answer (proposal-queue.ts says when a leader hands them over).
   */
  private proposeQueued(node: RawNode): void {
    const queued = this.queuedProposals
      .take()
      .filter((proposal) => this.pendingProposals.has(proposal.requestId));
    if (queued.length === 0) return;
    const outcome = node.proposeBatch(queued.map((proposal) => proposal.data));
    if (outcome.ok) {
      if (outcome.value.status === "appended")
        this.queuedProposals.handedOver({ index: outcome.value.index, term: outcome.value.term });
      return;
    }
    const error = this.fromRaftError(outcome.error);
    for (const { requestId } of queued) {
      const pending = this.pendingProposals.get(requestId);
      if (!pending) continue;
      this.pendingProposals.delete(requestId);
      pending.cancelTimer();
      this.metrics.proposals.inc({ outcome: "refused" });
      pending.reject(error);
    }
  }

  /** The applyBeforeCommit fault: normal entries are applied as they arrive. */
  private applyUncommitted(node: RawNode, entries: readonly Entry[]): void {
    for (const entry of entries)
      if (entry.type === "normal" && entry.index === this.appliedIndex + 1)
        this.applyEntry(node, entry);
  }

  private sendMessages(node: RawNode, messages: readonly Message[]): void {
    if (messages.length === 0) return;
    this.commitNotices.submit(messages);
    for (const message of messages) {
      if (message.type === "snap") node.reportSnapshot(message.to, true);
    }
  }

  private async persist(ready: Ready): Promise<void> {
    if (ready.hardState) this.latestHardState = ready.hardState;
    // The commit index is volatile in Raft: a commit-only change is not worth
    // an fsync on the path to the client. It is written with the next durable
    // write (or before a compaction), and a restart merely replays less.
    const termOrVoteChanged =
      ready.hardState !== undefined &&
      (ready.hardState.term !== this.persistedHardState.term ||
        ready.hardState.vote !== this.persistedHardState.vote);
    if (ready.entries.length === 0 && !ready.snapshot && !termOrVoteChanged) return;
    const hardState = this.faults.skipPersistingVote
      ? {
          ...this.latestHardState,
          vote:
            this.latestHardState.term === this.persistedHardState.term
              ? this.persistedHardState.vote
              : "",
        }
      : this.latestHardState;
    const batch: SaveBatch = { hardState };
    if (ready.entries.length > 0) batch.entries = ready.entries;
    if (ready.snapshot) batch.snapshot = ready.snapshot;
    await this.save(batch);
    if (ready.snapshot) this.storage.applySnapshot(ready.snapshot);
    if (ready.entries.length > 0) this.storage.append(ready.entries);
    this.storage.setHardState(this.latestHardState);
  }

  private async save(batch: SaveBatch): Promise<void> {
    const startedAt = this.runtime.nowMs();
    await this.withStorageRetry("save the Raft log", () => this.options.store.save(batch));
    this.metrics.redisWriteLatency.observe((this.runtime.nowMs() - startedAt) / 1000);
    if (batch.hardState) this.persistedHardState = batch.hardState;
  }

  /**
   * Runs a storage operation until it succeeds. While Redis is down the node
   * stays up but acknowledges nothing: no vote, no append, no apply.
   */
  private async withStorageRetry<T>(action: string, operation: () => Promise<T>): Promise<T> {
    const backoff = new Backoff(STORAGE_RETRY);
    let firstFailure = true;
    for (;;) {
      try {
        const result = await operation();
        if (!this.storageAvailable) {
          this.storageAvailable = true;
          this.metrics.storageAvailable.set(1);
          this.log.info("Redis is available");
        }
        return result;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code !== "STORAGE_UNAVAILABLE") throw error;
        // A node asked to stop does not wait for its Redis to come back.
        if (this.stopRequested) {
          throw new NodeError("SHUTTING_DOWN", `gave up trying to ${action}: the node is stopping`);
        }
        if (this.storageAvailable || firstFailure) {
          this.log.warn(
            { err: (error as Error).message },
            `cannot ${action}; retrying until Redis is back`,
          );
        }
        this.storageAvailable = false;
        this.metrics.storageAvailable.set(0);
        this.metrics.redisErrors.inc();
        firstFailure = false;
        await sleepFor(this.runtime, backoff.next());
      }
    }
  }

  private applyEntry(node: RawNode, entry: Entry): void {
    const envelope = entry.type === "normal" ? decodeEnvelope(entry.data) : undefined;
    const machine = this.options.stateMachine;
    if (envelope) {
      const version = stateVersionOf(envelope);
      if (version > machine.version)
        throw new StateVersionError(entry.index, version, machine.version);
      this.noteAppliedStateVersion(version);
    }
    this.appliedIndex = entry.index;
    if (entry.type === "confChange") {
      const change = decodeConfChange(entry.data);
      if (!change) {
        // A leader never appends one (see Raft.proposeEntries); every node reads
        // the same bytes alike, so skipping it keeps them all in step.
        this.log.error(
          { index: entry.index },
          "a committed membership change cannot be read; skipped",
        );
        return;
      }
      const confState = node.applyConfChange(change);
      this.applyMembership(change, confState);
      return;
    }
    if (!envelope) return;
    const result = machine.apply(envelope.command, entry.index, envelope.forwardedBy);
    const pending = this.pendingProposals.get(envelope.requestId);
    if (pending) {
      this.pendingProposals.delete(envelope.requestId);
      pending.cancelTimer();
      this.metrics.commitLatency.observe((this.runtime.nowMs() - pending.startedAt) / 1000);
      this.metrics.proposals.inc({ outcome: "applied" });
      pending.resolve({ index: entry.index, result });
    }
  }

  private applyMembership(change: ConfChange, confState: ConfState): void {
    if (change.type === "removeNode") {
      this.members.delete(change.nodeId);
    } else {
      // A founder's bootstrap entry carries no URL: it comes from PEERS.
      const url = change.context ?? this.options.initialMembers.get(change.nodeId);
      if (url) this.members.set(change.nodeId, url);
    }
    this.log.info({ change, confState }, "membership changed");
    this.options.onMembersChanged?.(this.members);
  }

  private serveReads(): void {
    const applied = this.appliedIndex;
    for (const [context, read] of this.pendingReads) {
      if (read.index !== undefined && read.index <= applied) {
        this.pendingReads.delete(context);
        read.cancelTimer();
        read.resolve();
      }
    }
  }

  private async maybeSnapshot(node: RawNode): Promise<void> {
    const applied = node.appliedIndex();
    if (applied - this.lastSnapshotIndex < this.options.snapshotEveryEntries) return;
    if (applied > this.storage.lastIndex()) return;
    const status = node.status();
    const data = encodeNodeSnapshot({
      members: Object.fromEntries(this.members),
      state: this.options.stateMachine.snapshot(),
      // The version of the commands it holds, not of this node: restored, it
      // must not let an upgraded member lead before the earlier release's.
      stateVersion: this.newestAppliedStateVersion ?? this.options.stateMachine.version,
    });
    const snapshot = this.storage.createSnapshot(applied, status.confState, data);
    // The store compacts only up to its stored commit index: bring it up to date first.
    if (this.persistedHardState.commit < applied)
      await this.save({ hardState: this.latestHardState });
    await this.withStorageRetry("compact the Raft log", () => this.options.store.compact(snapshot));
    this.lastSnapshotIndex = applied;
    const compactTo =
      applied - (this.options.entriesKeptAfterSnapshot ?? DEFAULT_ENTRIES_KEPT_AFTER_SNAPSHOT);
    if (compactTo > this.storage.firstIndex()) this.storage.compact(compactTo);
    this.metrics.snapshotsTaken.inc();
    this.log.info({ index: applied }, "snapshot taken and log compacted");
  }

  private onSoftState(role: string, leaderId: NodeId): void {
    const node = this.rawNode;
    const term = node?.status().term ?? 0;
    if (leaderId !== this.knownLeader) {
      if (leaderId !== "") this.metrics.leaderChanges.inc();
      this.log.info({ leaderId: leaderId || null, role, term }, "leader changed");
      this.knownLeader = leaderId;
      this.failUnconfirmedReads();
    }
    const isLeader = role === "leader";
    if (isLeader !== this.wasLeader) {
      this.wasLeader = isLeader;
      // A new leader has heard from nobody yet: silence is counted from now.
      this.leaderSince = isLeader ? this.runtime.nowMs() : undefined;
      this.log.info({ term }, isLeader ? "became leader" : "lost leadership");
      for (const listener of this.leadershipListeners) listener({ isLeader, term });
    }
  }

  /**
   * A read the old leader had not confirmed yet will never be answered (a new
   * leader knows nothing of it): fail it now, so the caller retries at once.
   */
  private failUnconfirmedReads(): void {
    for (const [context, read] of this.pendingReads) {
      if (read.index !== undefined) continue;
      this.pendingReads.delete(context);
      read.cancelTimer();
      read.reject(
        new NodeError(
          "NOT_LEADER",
          "the leader changed before it confirmed the read; retry",
          this.knownLeader || undefined,
        ),
      );
    }
  }

  private updateMetrics(node: RawNode): void {
    const status = node.status();
    this.metrics.term.set(status.term);
    this.metrics.commitIndex.set(status.commitIndex);
    this.metrics.appliedIndex.set(status.appliedIndex);
    this.metrics.isLeader.set(status.role === "leader" ? 1 : 0);
    for (const role of ["leader", "follower", "candidate", "precandidate", "learner"]) {
      this.metrics.role.set({ role }, role === this.roleOf(status) ? 1 : 0);
    }
    for (const progress of status.progress) {
      if (progress.id !== this.id) {
        this.metrics.peerLag.set(
          { peer: progress.id },
          Math.max(0, status.lastIndex - progress.match),
        );
      }
    }
  }

  private roleOf(status: RaftStatus): NodeStatus["role"] {
    return status.isLearner ? "learner" : status.role;
  }

  // ---- requests ----------------------------------------------------------

  /**
   * Proposes a command; resolves with the state machine's result once it is
   * committed and applied on this node. Followers forward it to the leader,
   * which stamps it with their id: apply then accepts only a report about the
   * follower's own server (fsm/proposer-authority.ts).
   * A PROPOSAL_TIMEOUT leaves the outcome unknown: retry with the same
   * idempotency key so a second attempt cannot act twice.
   */
  propose(command: string): Promise<{ index: number; result: Result }> {
    this.readyNode(); // throws while stopped or while Redis is down
    const requestId = `${this.id}.${this.incarnation}.${++this.requestCounter}`;
    const queued = this.queuedProposals.add({
      requestId,
      data: encodeEnvelope({ requestId, command, stateVersion: this.options.stateMachine.version }),
    });
    if (!queued) {
      this.metrics.proposals.inc({ outcome: "refused" });
      return Promise.reject(
        new NodeError(
          "UNCOMMITTED_LIMIT",
          "too many proposals wait for the previous batch to commit (is a majority of the cluster reachable?); retry later",
          this.knownLeader || undefined,
        ),
      );
    }
    this.kick();
    return new Promise((resolve, reject) => {
      const cancelTimer = this.runtime.after(this.timing.requestTimeoutMs, () => {
        this.pendingProposals.delete(requestId);
        this.metrics.proposals.inc({ outcome: "timeout" });
        reject(
          new NodeError(
            "PROPOSAL_TIMEOUT",
            "the proposal was not applied in time (leader change or lost quorum); its outcome is unknown, retry with the same idempotency key",
            this.knownLeader || undefined,
          ),
        );
      });
      this.pendingProposals.set(requestId, {
        resolve,
        reject,
        cancelTimer,
        startedAt: this.runtime.nowMs(),
      });
    });
  }

  /**
   * Waits until this node's state machine reflects every write committed
   * before the call (ReadIndex): read the state machine after it resolves.
   */
  linearizableRead(): Promise<void> {
    const node = this.readyNode();
    const context = `${this.id}.${this.incarnation}.r${++this.requestCounter}`;
    const outcome = node.readIndex(context);
    if (!outcome.ok) return Promise.reject(this.fromRaftError(outcome.error));
    this.kick();
    return new Promise((resolve, reject) => {
      const cancelTimer = this.runtime.after(this.timing.requestTimeoutMs, () => {
        this.pendingReads.delete(context);
        reject(
          new NodeError(
            "READ_TIMEOUT",
            "the leader did not confirm the read in time; retry",
            this.knownLeader || undefined,
          ),
        );
      });
      this.pendingReads.set(context, { resolve, reject, cancelTimer });
    });
  }

  /**
   * Hands leadership to `target`, or (when omitted) to the most caught-up
   * voter as the leader sees it. A follower forwards the request.
   */
  transferLeadership(
    target?: NodeId,
  ): { status: "accepted"; target: NodeId } | { status: "forwarded"; leaderId: NodeId } {
    const node = this.readyNode();
    const outcome = node.transferLeadership(target);
    if (!outcome.ok) throw this.fromRaftError(outcome.error);
    this.kick();
    if (outcome.value.status === "forwarded")
      return { status: "forwarded", leaderId: this.knownLeader };
    return { status: "accepted", target: outcome.value.target ?? this.id };
  }

  /** Proposes a membership change (learner, promotion, removal); resolves when applied here. */
  async changeMembership(change: ConfChange): Promise<void> {
    const node = this.readyNode();
    const outcome = node.proposeConfChange(change);
    if (!outcome.ok) throw this.fromRaftError(outcome.error);
    this.kick();
    const deadline = this.runtime.nowMs() + this.timing.requestTimeoutMs;
    while (this.runtime.nowMs() < deadline) {
      const confState = node.status().confState;
      const applied =
        change.type === "removeNode"
          ? !confState.voters.includes(change.nodeId) && !confState.learners.includes(change.nodeId)
          : change.type === "addVoter"
            ? confState.voters.includes(change.nodeId)
            : // A voter named in addLearner is demoted: done once it is a learner.
              confState.learners.includes(change.nodeId);
      if (applied) return;
      await sleepFor(this.runtime, this.timing.tickMs);
    }
    throw new NodeError(
      "PROPOSAL_TIMEOUT",
      "the membership change was not applied in time; check /v1/status",
    );
  }

  private readyNode(): RawNode {
    if (!this.running || !this.rawNode) {
      throw new NodeError("SHUTTING_DOWN", "the node is not running");
    }
    if (!this.storageAvailable) {
      throw new NodeError("NOT_READY", "this node's Redis is unavailable; retry on another node");
    }
    return this.rawNode;
  }

  private fromRaftError(error: ErrorValue<string>): NodeError {
    return new NodeError(error.code as NodeErrorCode, error.message, this.knownLeader || undefined);
  }

  // ---- observation ---------------------------------------------------------

  /** The Raft core, for the simulator's invariant checks; nothing outside this class drives it. */
  get raft(): RawNode | undefined {
    return this.rawNode;
  }

  /** The last index applied to the state machine (ahead of the core's own view until it advances). */
  get lastAppliedIndex(): number {
    return this.appliedIndex;
  }

  /** Starts an election at once (scripted simulations); a running node campaigns by its own timer. */
  campaign(): void {
    if (!this.running) return;
    this.rawNode?.campaign();
    this.kick();
  }

  onLeadershipChange(listener: (change: LeadershipChange) => void): () => void {
    this.leadershipListeners.add(listener);
    return () => this.leadershipListeners.delete(listener);
  }

  isLeader(): boolean {
    return this.wasLeader;
  }

  /** Whether the Raft core leads at this instant: cheaper than status(), for every request. */
  leadsNow(): boolean {
    return this.rawNode?.leadership().isLeader === true;
  }

  leaderId(): NodeId | undefined {
    return this.knownLeader || undefined;
  }

  memberUrls(): ReadonlyMap<NodeId, string> {
    return this.members;
  }

  /** Who votes and who only follows, as this node has applied it. */
  confState(): ConfState {
    return this.rawNode?.status().confState ?? { voters: [], learners: [] };
  }

  /**
   * Each member as the leader sees it: its role, how far its log is behind
   * the leader's, and how long ago this node last heard from it. Empty on a
   * node that does not lead (it does not track the others' progress).
   */
  memberHealth(): MemberHealth[] {
    const status = this.rawNode?.status();
    if (status?.role !== "leader") return [];
    const now = this.runtime.nowMs();
    return status.progress.map((progress) => ({
      id: progress.id,
      voter: status.confState.voters.includes(progress.id),
      lag: Math.max(0, status.lastIndex - progress.match),
      silentForMs:
        progress.id === this.id
          ? 0
          : now - (this.lastHeard.get(progress.id) ?? this.leaderSince ?? now),
      heard: progress.id === this.id || this.lastHeard.has(progress.id),
    }));
  }

  /** Ready to serve: Redis works, a leader is known, and everything committed is applied. */
  readiness(): { ready: boolean; reason?: string } {
    const status = this.rawNode?.status();
    if (!this.running || !status) return { ready: false, reason: "the node is starting" };
    if (!this.storageAvailable) return { ready: false, reason: "Redis is unavailable" };
    if (!status.leaderId) return { ready: false, reason: "no leader is known" };
    if (status.appliedIndex < status.commitIndex) {
      return {
        ready: false,
        reason: `applying committed entries (${status.appliedIndex}/${status.commitIndex})`,
      };
    }
    return { ready: true };
  }

  status(): NodeStatus {
    const status = this.rawNode?.status();
    if (!status) {
      return {
        id: this.id,
        role: "follower",
        term: 0,
        leaderId: null,
        commitIndex: 0,
        appliedIndex: 0,
        members: [],
      };
    }
    const matchOf = new Map(status.progress.map((progress) => [progress.id, progress.match]));
    const healthOf = new Map(this.memberHealth().map((member) => [member.id, member]));
    const ids = [...status.confState.voters, ...status.confState.learners];
    return {
      id: this.id,
      role: this.roleOf(status),
      term: status.term,
      leaderId: status.leaderId || null,
      commitIndex: status.commitIndex,
      appliedIndex: status.appliedIndex,
      members: ids.map((id) => {
        const health = healthOf.get(id);
        return {
          id,
          url: this.members.get(id) ?? "",
          voter: status.confState.voters.includes(id),
          role: status.confState.voters.includes(id) ? "voter" : "learner",
          matchIndex: status.role === "leader" ? (matchOf.get(id) ?? 0) : null,
          lag: health?.lag ?? null,
          silentForMs: health?.silentForMs ?? null,
        };
      }),
    };
  }

  // ---- shutdown --------------------------------------------------------------

  /**
   * Leaves gracefully: a leader first hands leadership to the most caught-up
   * voter (bounded by an election timeout), then the node stops.
   */
  async shutdown(): Promise<void> {
    if (this.running && this.wasLeader) {
      try {
        const transfer = this.transferLeadership();
        this.log.info({ transfer }, "handing leadership over before shutting down");
        const deadline = this.runtime.nowMs() + 2 * this.options.electionTimeoutMs;
        while (this.wasLeader && this.runtime.nowMs() < deadline) {
          await sleepFor(this.runtime, this.timing.tickMs);
        }
      } catch (error) {
        this.log.warn({ err: (error as Error).message }, "could not hand leadership over");
      }
    }
    await this.stop();
  }

  async stop(): Promise<void> {
    this.stopRequested = true;
    if (!this.running) return;
    this.running = false;
    this.stopTicking?.();
    this.kick();
    await this.loopDone.catch(() => undefined);
    // Followers learn the last commit index now rather than from the next leader.
    this.commitNotices.release();
    this.commitNotices.discard();
    const stopped = new NodeError(
      "SHUTTING_DOWN",
      "the node is shutting down; retry on another node",
    );
    for (const pending of this.pendingProposals.values()) {
      pending.cancelTimer();
      pending.reject(stopped);
    }
    for (const read of this.pendingReads.values()) {
      read.cancelTimer();
      read.reject(stopped);
    }
    this.pendingProposals.clear();
    this.queuedProposals.clear();
    this.stopGathering();
    this.pendingReads.clear();
  }
}

/**
 * A proposal a peer forwarded, without membership changes and with every
 * entry stamped as forwarded by that peer (the transport has authenticated `from`); a follower drops it anyway,
 * the leader appends it stamped, so apply knows who proposed it.
 */
function stampedProposal(message: Message, leaderVersion: number, log: Logger): Message {
  if (!message.entries) return message;
  const entries: Entry[] = [];
  // Membership changes come from the leader's own process only (the
  // autopilot, a join, an admin's removal): a forwarded one is dropped, so a
  // seized member cannot add, promote or remove anyone.
  for (const entry of message.entries) {
    if (entry.type !== "normal") continue;
    const data = stampForwarded(entry.data, message.from, leaderVersion);
    if (data === undefined) {
      log.warn(
        { from: message.from, leaderVersion },
        "dropped a forwarded proposal of a later state version than this leader's",
      );
      continue;
    }
    entries.push({ ...entry, data });
  }
  return { ...message, entries };
}
