import type { ErrorValue } from "../../shared/result.ts";
import { decodeConfChange, encodeConfChange } from "./conf-change-codec.ts";
import { type RaftErrorCode, RaftInvariantError } from "./errors.ts";
import { RaftLog } from "./log.ts";
import type { Progress } from "./progress.ts";
import { ReadOnlyQueue } from "./read-only.ts";
import { entriesSize, type LogStorage } from "./storage.ts";
import { ProgressTracker } from "./tracker.ts";
import {
  type ConfChange,
  type ConfState,
  type Entry,
  type EntryType,
  type HardState,
  type Message,
  type MessageType,
  NO_NODE,
  type NodeId,
  type RandomSource,
  type ReadState,
  type Role,
  type Snapshot,
  type SoftState,
} from "./types.ts";

/**
 * Deliberately wrong behaviour, switched on only by tests that prove the
 * simulator catches a broken core. Never set in production.
 */
export interface RaftFaults {
  /** Commit entries of earlier terms by counting replicas (the paper's Figure 8 bug). */
  commitOldTermByCounting?: boolean;
  /** Grant votes without the §5.4.1 up-to-date check. */
  grantVoteToStaleLog?: boolean;
}

export interface RaftConfig {
  id: NodeId;
  storage: LogStorage;
  /** Minimum election timeout; each timeout is drawn from [electionTicks, 2 * electionTicks). */
  electionTicks: number;
  heartbeatTicks: number;
  random: RandomSource;
  /** The last index the application has applied (its state survived a restart); default: the snapshot's. */
  applied?: number;
  maxEntriesBytesPerMessage?: number;
  maxInflightMessages?: number;
  maxInflightBytes?: number;
  /** Uncommitted entry bytes a leader accepts before refusing proposals (0 = unlimited). */
  maxUncommittedBytes?: number;
  maxApplyBytesPerReady?: number;
  preVote?: boolean;
  checkQuorum?: boolean;
  /**
   * Whether a voter may lead (an admin's voter candidates); default: any
   * voter. A transfer to another is refused, a peer's request for one
   * included, and a transfer naming nobody goes to the most caught-up voter
   * that may lead. In elections candidates go first: another voter neither
   * campaigns nor gets a vote until its voters have heard from no leader for
   * {@link CANDIDATES_FIRST_ELECTIONS} election timeouts.
   */
  mayLead?: (id: NodeId) => boolean;
  faults?: RaftFaults;
}

export type ProposeResult =
  | { ok: true; value: { status: "appended"; index: number; term: number } }
  | { ok: true; value: { status: "forwarded"; leaderId: NodeId } }
  | { ok: false; error: ErrorValue<RaftErrorCode> };

export type RequestResult =
  | { ok: true; value: { status: "accepted"; target?: NodeId } | { status: "forwarded" } }
  | { ok: false; error: ErrorValue<RaftErrorCode> };

/** The vote request context that marks a campaign started by a leadership transfer. */
const TRANSFER_CONTEXT = "transfer";
/** {@link RaftConfig.maxUncommittedBytes} when unset. */
export const DEFAULT_MAX_UNCOMMITTED_BYTES = 64 * 1024 * 1024;

type CampaignKind = "preElection" | "election" | "transfer";

function refusal(
  code: RaftErrorCode,
  message: string,
): { ok: false; error: ErrorValue<RaftErrorCode> } {
  return { ok: false, error: { code, message } };
}

/**
 * How many minimum election timeouts without a leader a voter waits before
 * it campaigns, or votes, for a voter that may not lead. Candidates campaign
 * after one to two; four leave them room for a split vote and a retry, so
 * another voter leads only when no candidate can win (all down or cut off),
 * and the cluster still elects someone then.
 */
export const CANDIDATES_FIRST_ELECTIONS = 4;

function responseTypeOf(type: "vote" | "preVote"): MessageType {
  return type === "vote" ? "voteResp" : "preVoteResp";
}

/**
 * The Raft state machine: deterministic, no I/O, no clock, no randomness of
 * its own. Inputs arrive through tick(), step() and the request methods;
 * outputs accumulate in `messages`, `readStates` and the log until the driver
 * collects them through RawNode.ready().
 */
export class Raft {
  readonly id: NodeId;
  term = 0;
  vote: NodeId = NO_NODE;
  leaderId: NodeId = NO_NODE;
  role: Role = "follower";
  readonly log: RaftLog;
  readonly tracker: ProgressTracker;
  messages: Message[] = [];
  readStates: ReadState[] = [];

  private readonly electionTicks: number;
  private readonly heartbeatTicks: number;
  private readonly random: RandomSource;
  private readonly maxEntriesBytesPerMessage: number;
  private readonly maxUncommittedBytes: number;
  private readonly mayLead: (id: NodeId) => boolean;
  private readonly preVote: boolean;
  private readonly checkQuorum: boolean;
  private readonly faults: RaftFaults;

  private electionElapsed = 0;
  /** Ticks since this node last heard from a leader (or led); candidates-first elections count them. */
  private ticksWithoutLeader = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;
  private leadTransferee: NodeId = NO_NODE;
  /** Index of the latest conf change the leader appended; no new one until it is applied. */
  private pendingConfIndex = 0;
  private uncommittedBytes = 0;
  private readonly readOnly = new ReadOnlyQueue();
  /** ReadIndex requests held until this leader has committed an entry of its term. */
  private pendingReadIndexRequests: Message[] = [];
  private stepRole: (message: Message) => void;
  private tickRole: () => void;

  constructor(config: RaftConfig) {
    if (config.electionTicks <= config.heartbeatTicks) {
      throw new RaftInvariantError("electionTicks must be greater than heartbeatTicks");
    }
    this.id = config.id;
    this.electionTicks = config.electionTicks;
    this.heartbeatTicks = config.heartbeatTicks;
    this.random = config.random;
    this.maxEntriesBytesPerMessage = config.maxEntriesBytesPerMessage ?? 1024 * 1024;
    this.maxUncommittedBytes = config.maxUncommittedBytes ?? DEFAULT_MAX_UNCOMMITTED_BYTES;
    this.preVote = config.preVote ?? true;
    this.checkQuorum = config.checkQuorum ?? true;
    this.mayLead = config.mayLead ?? (() => true);
    this.faults = config.faults ?? {};
    this.log = new RaftLog(config.storage, config.maxApplyBytesPerReady ?? 16 * 1024 * 1024);
    this.tracker = new ProgressTracker(
      config.maxInflightMessages ?? 256,
      config.maxInflightBytes ?? 0,
    );
    const { hardState, confState } = config.storage.initialState();
    this.tracker.setConfState(confState, this.log.lastIndex() + 1);
    this.loadHardState(hardState);
    if (config.applied !== undefined && config.applied > 0) this.log.appliedTo(config.applied);
    this.stepRole = this.stepFollower;
    this.tickRole = this.tickElection;
    this.becomeFollower(this.term, NO_NODE);
  }

  private loadHardState(hardState: HardState): void {
    if (hardState.commit < this.log.committed || hardState.commit > this.log.lastIndex()) {
      throw new RaftInvariantError(
        `stored commit ${hardState.commit} is outside [${this.log.committed}, ${this.log.lastIndex()}]`,
      );
    }
    this.log.committed = hardState.commit;
    this.term = hardState.term;
    this.vote = hardState.vote;
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  softState(): SoftState {
    return { leaderId: this.leaderId, role: this.role };
  }

  isLearner(): boolean {
    return this.tracker.learners.has(this.id);
  }

  /** Whether this node may become leader: a voter, not removed. */
  private promotable(): boolean {
    return this.tracker.voters.has(this.id);
  }

  // ---- outgoing messages -------------------------------------------------

  private send(message: Message): void {
    this.messages.push(message);
  }

  // ---- role transitions --------------------------------------------------

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = NO_NODE;
    }
    this.leaderId = NO_NODE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout = this.electionTicks + this.random.nextInt(this.electionTicks);
    this.leadTransferee = NO_NODE;
    this.tracker.resetVotes();
    const nextIndex = this.log.lastIndex() + 1;
    for (const id of [...this.tracker.progress.keys()]) {
      const fresh = this.tracker.newProgress(nextIndex);
      if (id === this.id) fresh.match = this.log.stableLastIndex();
      this.tracker.progress.set(id, fresh);
    }
    this.pendingConfIndex = 0;
    this.uncommittedBytes = 0;
    this.readOnly.clear();
    this.pendingReadIndexRequests = [];
  }

  becomeFollower(term: number, leaderId: NodeId): void {
    this.stepRole = this.stepFollower;
    this.tickRole = this.tickElection;
    this.reset(term);
    this.leaderId = leaderId;
    if (leaderId !== NO_NODE) this.ticksWithoutLeader = 0;
    this.role = "follower";
  }

  private becomePreCandidate(): void {
    if (this.role === "leader") throw new RaftInvariantError("leader cannot become pre-candidate");
    // A pre-candidate keeps its term and vote: it only asks whether it could win.
    this.stepRole = this.stepCandidate;
    this.tickRole = this.tickElection;
    this.tracker.resetVotes();
    this.leaderId = NO_NODE;
    this.role = "precandidate";
  }

  private becomeCandidate(): void {
    if (this.role === "leader") throw new RaftInvariantError("leader cannot become candidate");
    this.stepRole = this.stepCandidate;
    this.tickRole = this.tickElection;
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = "candidate";
  }

  private becomeLeader(): void {
    if (this.role === "follower") throw new RaftInvariantError("follower cannot become leader");
    this.stepRole = this.stepLeader;
    this.tickRole = this.tickHeartbeat;
    this.reset(this.term);
    this.leaderId = this.id;
    this.role = "leader";
    const own = this.tracker.progress.get(this.id);
    if (own) {
      own.match = this.log.stableLastIndex();
      own.becomeReplicate();
    }
    // Conf changes may sit uncommitted in the log; allow no new one until they apply.
    this.pendingConfIndex = this.log.lastIndex();
    // The no-op lets this term commit (and with it every earlier entry).
    this.appendEntries([{ type: "normal", data: "" }], false);
  }

  // ---- ticks ---------------------------------------------------------------

  tick(): void {
    this.ticksWithoutLeader = this.role === "leader" ? 0 : this.ticksWithoutLeader + 1;
    this.tickRole();
  }

  /**
   * Whether `id` may become leader now: a voter candidate at once, any other
   * voter only once this node has been without a leader long enough that no
   * candidate could win (see {@link RaftConfig.mayLead}).
   */
  private mayWinElection(id: NodeId): boolean {
    return (
      this.mayLead(id) || this.ticksWithoutLeader >= CANDIDATES_FIRST_ELECTIONS * this.electionTicks
    );
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      // A voter that may not lead waits out another timeout, so that those
      // that may not lead do not all campaign at the same tick once allowed.
      if (this.mayWinElection(this.id))
        this.campaignIfAllowed(this.preVote ? "preElection" : "election");
    } else if (this.role === "precandidate" && this.electionElapsed >= this.preVoteRetryTicks()) {
      // A voter whose leader lease ran out a tick later than ours dropped the
      // pre-vote. Asking again costs nothing (no term changes), where waiting
      // a whole randomized timeout would make the slower timer decide.
      this.electionElapsed = 0;
      this.campaignIfAllowed("preElection");
    }
  }

  private preVoteRetryTicks(): number {
    return Math.max(2, 2 * this.heartbeatTicks);
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.electionTicks) {
      this.electionElapsed = 0;
      if (this.checkQuorum) {
        if (!this.tracker.quorumActive(this.id)) {
          this.becomeFollower(this.term, NO_NODE);
          return;
        }
        for (const [id, progress] of this.tracker.progress) {
          if (id !== this.id) progress.recentActive = false;
        }
      }
      if (this.leadTransferee !== NO_NODE) this.leadTransferee = NO_NODE;
    }
    if (this.heartbeatElapsed >= this.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.broadcastHeartbeat(this.readOnly.lastContext());
    }
  }

  // ---- elections -----------------------------------------------------------

  /** Starts an election now (used by a single node, tests and leadership transfer). */
  campaign(): void {
    if (this.role === "leader") return;
    this.campaignIfAllowed(this.preVote ? "preElection" : "election");
  }

  private campaignIfAllowed(kind: CampaignKind): void {
    if (!this.promotable()) return;
    // A conf change committed but not applied could change who votes.
    if (this.hasUnappliedConfChanges()) return;
    this.startCampaign(kind);
  }

  private hasUnappliedConfChanges(): boolean {
    if (this.log.committed <= this.log.applied) return false;
    const low = Math.max(this.log.applied + 1, this.log.firstIndex());
    const pending = this.log.slice(low, this.log.committed + 1, Number.MAX_SAFE_INTEGER) ?? [];
    return pending.some((entry) => entry.type === "confChange");
  }

  private startCampaign(kind: CampaignKind): void {
    let voteType: "vote" | "preVote";
    let term: number;
    if (kind === "preElection") {
      this.becomePreCandidate();
      voteType = "preVote";
      // Ask for votes in the next term without moving to it.
      term = this.term + 1;
    } else {
      this.becomeCandidate();
      voteType = "vote";
      term = this.term;
    }
    this.tracker.recordVote(this.id, true);
    if (this.tracker.tallyVotes() === "won") {
      if (kind === "preElection") this.startCampaign("election");
      else this.becomeLeader();
      return;
    }
    const lastIndex = this.log.lastIndex();
    const lastTerm = this.log.lastTerm();
    for (const id of [...this.tracker.voters].sort()) {
      if (id === this.id) continue;
      const request: Message = {
        type: voteType,
        from: this.id,
        to: id,
        term,
        index: lastIndex,
        logTerm: lastTerm,
      };
      if (kind === "transfer") request.context = TRANSFER_CONTEXT;
      this.send(request);
    }
  }

  // ---- the entry point for messages ---------------------------------------

  step(message: Message): void {
    if (message.term === 0) {
      // A forwarded client request or a local one: no term protocol.
    } else if (message.term > this.term) {
      if (message.type === "vote" || message.type === "preVote") {
        // A leader hands over only to a voter that may lead: another's "transfer" is forged.
        const forced = message.context === TRANSFER_CONTEXT && this.mayWinElection(message.from);
        // The lease counts ticks since the leader was last heard, not the
        // election timer: a voter that may not lead restarts that timer each
        // timeout without campaigning, and would otherwise stay in its lease,
        // deaf to the very candidates it is waiting for.
        const inLease =
          this.checkQuorum &&
          this.leaderId !== NO_NODE &&
          this.ticksWithoutLeader < this.electionTicks;
        // A member that hears from a live leader ignores disruptive campaigns.
        if (!forced && inLease) return;
      }
      if (message.type === "preVote") {
        // Never change term on a pre-vote request.
      } else if (message.type === "preVoteResp" && !message.reject) {
        // A granted pre-vote carries the future term; it is counted, not adopted.
      } else if (
        message.type === "app" ||
        message.type === "heartbeat" ||
        message.type === "snap"
      ) {
        this.becomeFollower(message.term, message.from);
      } else {
        this.becomeFollower(message.term, NO_NODE);
      }
    } else if (message.term < this.term) {
      if (
        (this.checkQuorum || this.preVote) &&
        (message.type === "heartbeat" || message.type === "app")
      ) {
        // Tell a stale leader about the newer term, so it steps down (and a
        // partitioned node with a higher term cannot stay stuck).
        this.send({ type: "appResp", from: this.id, to: message.from, term: this.term });
      } else if (message.type === "preVote") {
        this.send({
          type: "preVoteResp",
          from: this.id,
          to: message.from,
          term: this.term,
          reject: true,
        });
      }
      return;
    }

    if (message.type === "vote" || message.type === "preVote") {
      this.handleVoteRequest(message);
      return;
    }
    this.stepRole(message);
  }

  private handleVoteRequest(message: Message): void {
    const type = message.type as "vote" | "preVote";
    const canVote =
      this.vote === message.from ||
      (this.vote === NO_NODE && this.leaderId === NO_NODE) ||
      (type === "preVote" && message.term > this.term);
    const upToDate =
      this.faults.grantVoteToStaleLog === true ||
      this.log.isUpToDate(message.index ?? 0, message.logTerm ?? 0);
    if (canVote && upToDate && this.mayWinElection(message.from)) {
      // The response carries the request's term so a pre-candidate can count it.
      this.send({
        type: responseTypeOf(type),
        from: this.id,
        to: message.from,
        term: message.term,
      });
      if (type === "vote") {
        this.electionElapsed = 0;
        this.vote = message.from;
      }
    } else {
      this.send({
        type: responseTypeOf(type),
        from: this.id,
        to: message.from,
        term: this.term,
        reject: true,
      });
    }
  }

  // ---- followers -----------------------------------------------------------

  private stepFollower(message: Message): void {
    switch (message.type) {
      case "prop":
      case "readIndex":
      case "transferLeader":
        // Client requests arriving from elsewhere are not re-forwarded: the
        // origin retries against the leader it learns of.
        return;
      case "app":
        this.electionElapsed = 0;
        this.ticksWithoutLeader = 0;
        this.leaderId = message.from;
        this.handleAppend(message);
        return;
      case "heartbeat":
        this.electionElapsed = 0;
        this.ticksWithoutLeader = 0;
        this.leaderId = message.from;
        this.handleHeartbeat(message);
        return;
      case "snap":
        this.electionElapsed = 0;
        this.ticksWithoutLeader = 0;
        this.leaderId = message.from;
        this.handleSnapshot(message);
        return;
      case "timeoutNow":
        // Leadership transfer: campaign at once, skipping pre-vote and leases.
        this.campaignIfAllowed("transfer");
        return;
      case "readIndexResp":
        this.readStates.push({ index: message.index ?? 0, context: message.context ?? "" });
        return;
      default:
        return;
    }
  }

  private handleAppend(message: Message): void {
    const prevIndex = message.index ?? 0;
    if (prevIndex < this.log.committed) {
      this.send({
        type: "appResp",
        from: this.id,
        to: message.from,
        term: this.term,
        index: this.log.committed,
      });
      return;
    }
    const lastNewIndex = this.log.maybeAppend(
      prevIndex,
      message.logTerm ?? 0,
      message.commit ?? 0,
      message.entries ?? [],
    );
    if (lastNewIndex !== undefined) {
      this.send({
        type: "appResp",
        from: this.id,
        to: message.from,
        term: this.term,
        index: lastNewIndex,
      });
      return;
    }
    // Reject with a hint: the last index at or below prevIndex whose term is at
    // most the leader's prevTerm, so the leader can skip a whole term at once.
    const hint = this.log.findConflictByTerm(
      Math.min(prevIndex, this.log.lastIndex()),
      message.logTerm ?? 0,
    );
    this.send({
      type: "appResp",
      from: this.id,
      to: message.from,
      term: this.term,
      index: prevIndex,
      reject: true,
      rejectHint: hint.index,
      logTerm: hint.term,
    });
  }

  private handleHeartbeat(message: Message): void {
    this.log.commitTo(message.commit ?? 0);
    const response: Message = {
      type: "heartbeatResp",
      from: this.id,
      to: message.from,
      term: this.term,
    };
    if (message.context !== undefined) response.context = message.context;
    this.send(response);
  }

  private handleSnapshot(message: Message): void {
    const snapshot = message.snapshot;
    if (!snapshot) return;
    const index = this.restore(snapshot) ? this.log.lastIndex() : this.log.committed;
    this.send({ type: "appResp", from: this.id, to: message.from, term: this.term, index });
  }

  /** Installs a snapshot from the leader; returns false when it brings nothing new. */
  private restore(snapshot: Snapshot): boolean {
    const { index, term, confState } = snapshot.metadata;
    if (index <= this.log.committed) return false;
    // A snapshot taken before this node was added does not list it; the
    // entries that follow the snapshot do, so it is still installed.
    // The log already holds the snapshot's last entry: keep the suffix, just commit.
    if (this.log.matchTerm(index, term)) {
      this.log.commitTo(index);
      return false;
    }
    this.log.restore(snapshot);
    this.tracker.setConfState(confState, this.log.lastIndex() + 1);
    return true;
  }

  // ---- candidates ----------------------------------------------------------

  private stepCandidate(message: Message): void {
    const myResponseType: MessageType = this.role === "precandidate" ? "preVoteResp" : "voteResp";
    switch (message.type) {
      case "app":
        this.becomeFollower(message.term, message.from);
        this.handleAppend(message);
        return;
      case "heartbeat":
        this.becomeFollower(message.term, message.from);
        this.handleHeartbeat(message);
        return;
      case "snap":
        this.becomeFollower(message.term, message.from);
        this.handleSnapshot(message);
        return;
      case "voteResp":
      case "preVoteResp": {
        if (message.type !== myResponseType) return;
        this.tracker.recordVote(message.from, message.reject !== true);
        const outcome = this.tracker.tallyVotes();
        if (outcome === "won") {
          if (this.role === "precandidate") this.startCampaign("election");
          else {
            this.becomeLeader();
            this.broadcastAppend();
          }
        } else if (outcome === "lost") {
          this.becomeFollower(this.term, NO_NODE);
        }
        return;
      }
      default:
        return;
    }
  }

  // ---- leaders -------------------------------------------------------------

  private stepLeader(message: Message): void {
    switch (message.type) {
      case "prop":
        this.proposeEntries(message.entries ?? []);
        return;
      case "readIndex":
        this.handleReadIndex(message);
        return;
      case "transferLeader":
        this.startTransfer(message.context || this.mostCaughtUpVoter());
        return;
      default:
        break;
    }
    const progress = this.tracker.progress.get(message.from);
    if (!progress) return;
    if (message.type === "appResp") this.handleAppendResponse(message, progress);
    else if (message.type === "heartbeatResp") this.handleHeartbeatResponse(message, progress);
  }

  private handleAppendResponse(message: Message, progress: Progress): void {
    progress.recentActive = true;
    const index = message.index ?? 0;
    if (message.reject) {
      let nextProbe = message.rejectHint ?? 0;
      if ((message.logTerm ?? 0) > 0) {
        // Skip every entry of ours whose term the follower cannot match.
        nextProbe = this.log.findConflictByTerm(nextProbe, message.logTerm ?? 0).index;
      }
      if (progress.maybeDecreaseTo(index, nextProbe)) {
        if (progress.state === "replicate") progress.becomeProbe();
        this.sendAppend(message.from, true);
      }
      return;
    }
    const wasPaused = progress.isPaused();
    if (progress.maybeUpdate(index) || (progress.match === index && progress.state === "probe")) {
      if (progress.state === "probe") {
        progress.becomeReplicate();
      } else if (progress.state === "snapshot" && progress.match + 1 >= this.log.firstIndex()) {
        // The follower is past the snapshot and can continue from the log.
        progress.becomeProbe();
        progress.becomeReplicate();
      } else if (progress.state === "replicate") {
        progress.inflights.freeUpTo(index);
      }
      if (this.maybeCommit()) {
        this.releasePendingReadIndexRequests();
        this.broadcastAppend();
      } else if (wasPaused || progress.sentCommit < Math.min(this.log.committed, progress.match)) {
        this.sendAppend(message.from, true);
      }
      while (this.sendAppend(message.from, false)) {
        // Keep the pipeline full while the window allows.
      }
      if (message.from === this.leadTransferee && progress.match === this.log.lastIndex()) {
        this.send({ type: "timeoutNow", from: this.id, to: message.from, term: this.term });
      }
    }
  }

  private handleHeartbeatResponse(message: Message, progress: Progress): void {
    progress.recentActive = true;
    progress.probeSent = false;
    if (progress.state === "replicate" && progress.inflights.full()) progress.inflights.freeFirst();
    if (progress.match < this.log.lastIndex() || progress.sentCommit < this.log.committed) {
      this.sendAppend(message.from, true);
    }
    const context = message.context;
    if (context === undefined) return;
    const acks = this.readOnly.recordAck(message.from, context);
    if (acks === 0) return;
    const ackers = this.readOnly.acksOf(context);
    let voterAcks = 0;
    for (const id of ackers ?? []) if (this.tracker.voters.has(id)) voterAcks++;
    if (voterAcks < Math.floor(this.tracker.voters.size / 2) + 1) return;
    for (const read of this.readOnly.releaseThrough(context)) {
      this.answerRead(read.from, read.context, read.index);
    }
  }

  /** Sends an append to `to` if its progress allows; returns whether a message went out. */
  private sendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    if (to === this.id) return false;
    const progress = this.tracker.progress.get(to);
    if (!progress || progress.isPaused()) return false;
    const prevIndex = progress.next - 1;
    const prevTerm = this.log.term(prevIndex);
    const lastIndex = this.log.lastIndex();
    const entries =
      prevTerm === undefined
        ? undefined
        : this.log.slice(progress.next, lastIndex + 1, this.maxEntriesBytesPerMessage);
    if (prevTerm !== undefined && entries !== undefined) {
      if (entries.length === 0 && !sendIfEmpty) return false;
      const commit = this.log.committed;
      this.send({
        type: "app",
        from: this.id,
        to,
        term: this.term,
        index: prevIndex,
        logTerm: prevTerm,
        entries,
        commit,
      });
      const last = entries[entries.length - 1];
      progress.sentEntries(entries.length, last?.index ?? prevIndex, entriesSize(entries));
      progress.sentCommit = Math.max(
        progress.sentCommit,
        Math.min(commit, last?.index ?? prevIndex),
      );
      return true;
    }
    // The entries it needs are compacted: send the snapshot, but only to a
    // follower known to be alive (a snapshot is expensive).
    if (!progress.recentActive) return false;
    const snapshot = this.log.snapshot();
    progress.becomeSnapshot(snapshot.metadata.index);
    this.send({ type: "snap", from: this.id, to, term: this.term, snapshot });
    return true;
  }

  private broadcastAppend(): void {
    for (const id of this.tracker.progress.keys()) this.sendAppend(id, true);
  }

  private broadcastHeartbeat(context: string | undefined): void {
    for (const [id, progress] of this.tracker.progress) {
      if (id === this.id) continue;
      // Never tell a follower to commit beyond what it is known to hold.
      const commit = Math.min(progress.match, this.log.committed);
      const heartbeat: Message = {
        type: "heartbeat",
        from: this.id,
        to: id,
        term: this.term,
        commit,
      };
      if (context !== undefined) heartbeat.context = context;
      this.send(heartbeat);
    }
  }

  private maybeCommit(): boolean {
    const quorumIndex = this.tracker.committed();
    if (this.faults.commitOldTermByCounting) {
      if (quorumIndex <= this.log.committed) return false;
      this.log.commitTo(quorumIndex);
      return true;
    }
    // §5.4.2: only entries of the current term are committed by counting.
    return this.log.maybeCommit(quorumIndex, this.term);
  }

  private committedEntryInCurrentTerm(): boolean {
    return this.log.term(this.log.committed) === this.term;
  }

  /** Appends on the leader; returns the index of the last entry, or undefined when refused for size. */
  private appendEntries(
    entries: ReadonlyArray<{ type: EntryType; data: string }>,
    countTowardsLimit: boolean,
  ): { index: number; term: number } | undefined {
    const size = entriesSize(entries as Entry[]);
    if (
      countTowardsLimit &&
      this.maxUncommittedBytes > 0 &&
      this.uncommittedBytes > 0 &&
      this.uncommittedBytes + size > this.maxUncommittedBytes
    ) {
      return undefined;
    }
    if (countTowardsLimit) this.uncommittedBytes += size;
    let index = this.log.lastIndex();
    const stamped: Entry[] = entries.map((entry) => {
      index++;
      return { index, term: this.term, type: entry.type, data: entry.data };
    });
    this.log.append(stamped);
    return { index, term: this.term };
  }

  // ---- requests from the application --------------------------------------

  propose(data: string): ProposeResult {
    return this.proposeBatch([data]);
  }

  /** Proposes several entries at once: one append to each follower carries them all. */
  proposeBatch(data: readonly string[]): ProposeResult {
    return this.proposeEntries(
      data.map((item) => ({ index: 0, term: 0, type: "normal", data: item })),
    );
  }

  proposeConfChange(change: ConfChange): ProposeResult {
    if (this.role !== "leader") {
      return this.forwardProposal([
        { index: 0, term: 0, type: "confChange", data: encodeConfChange(change) },
      ]);
    }
    const invalid = this.validateConfChange(change);
    if (invalid) return invalid;
    return this.proposeEntries([
      { index: 0, term: 0, type: "confChange", data: encodeConfChange(change) },
    ]);
  }

  private validateConfChange(change: ConfChange): ProposeResult | undefined {
    if (this.pendingConfIndex > this.log.applied) {
      return refusal(
        "CONF_CHANGE_PENDING",
        "a membership change is still in progress; retry when it has been applied",
      );
    }
    if (!this.committedEntryInCurrentTerm()) {
      return refusal(
        "CONF_CHANGE_TOO_EARLY",
        "the new leader has not committed an entry of its term yet; retry shortly",
      );
    }
    const isVoter = this.tracker.voters.has(change.nodeId);
    const isLearner = this.tracker.learners.has(change.nodeId);
    if (change.type === "addLearner" && isVoter) {
      // Demoting a voter: never the last one, and never the leader itself
      // (hand leadership over first), so a leader always votes in its own quorum.
      if (this.tracker.voters.size === 1)
        return refusal("INVALID_CONF_CHANGE", "cannot demote the last voter");
      if (change.nodeId === this.id)
        return refusal(
          "INVALID_CONF_CHANGE",
          "the leader cannot demote itself; transfer leadership first",
        );
    }
    if (change.type === "addLearner" && isLearner) {
      return refusal("INVALID_CONF_CHANGE", `${change.nodeId} is already a learner`);
    }
    if (change.type === "addVoter" && isVoter) {
      return refusal("INVALID_CONF_CHANGE", `${change.nodeId} is already a voter`);
    }
    if (change.type === "removeNode") {
      if (!isVoter && !isLearner) {
        return refusal("INVALID_CONF_CHANGE", `${change.nodeId} is not a member`);
      }
      if (isVoter && this.tracker.voters.size === 1) {
        return refusal("INVALID_CONF_CHANGE", "cannot remove the last voter");
      }
    }
    return undefined;
  }

  private proposeEntries(entries: readonly Entry[]): ProposeResult {
    if (entries.length === 0) return refusal("NOT_LEADER", "empty proposal");
    if (this.role !== "leader") return this.forwardProposal(entries);
    if (!this.tracker.isMember(this.id)) {
      return refusal("NOT_A_MEMBER", "this node was removed from the cluster");
    }
    if (this.leadTransferee !== NO_NODE) {
      return refusal(
        "TRANSFER_IN_PROGRESS",
        `leadership is being transferred to ${this.leadTransferee}; retry against the new leader`,
      );
    }
    const accepted: Array<{ type: EntryType; data: string }> = [];
    const pendingConfIndexBefore = this.pendingConfIndex;
    for (const entry of entries) {
      if (entry.type === "confChange") {
        // Validate again: a forwarded change was checked against another node's
        // view, or not at all (a peer may send anything); never append what
        // apply could not read.
        const change = decodeConfChange(entry.data);
        if (!change || this.validateConfChange(change)) continue;
        accepted.push(entry);
        this.pendingConfIndex = this.log.lastIndex() + accepted.length;
      } else {
        accepted.push(entry);
      }
    }
    if (accepted.length === 0) {
      return refusal("CONF_CHANGE_PENDING", "the membership change was refused");
    }
    const appended = this.appendEntries(accepted, true);
    if (!appended) {
      // Nothing was appended: a refused change must not block the next one.
      this.pendingConfIndex = pendingConfIndexBefore;
      return refusal(
        "UNCOMMITTED_LIMIT",
        "too many uncommitted entries (is a majority of the cluster reachable?); retry later",
      );
    }
    this.broadcastAppend();
    return { ok: true, value: { status: "appended", index: appended.index, term: appended.term } };
  }

  private forwardProposal(entries: readonly Entry[]): ProposeResult {
    if (this.leaderId === NO_NODE) {
      return refusal(
        "NOT_LEADER",
        "not leader (leader unknown); retry when an election has finished",
      );
    }
    this.send({ type: "prop", from: this.id, to: this.leaderId, term: 0, entries: [...entries] });
    return { ok: true, value: { status: "forwarded", leaderId: this.leaderId } };
  }

  /**
   * Requests a linearizable read point. The result arrives as a ReadState with
   * the same context (unique per request) once a quorum confirmed leadership.
   */
  readIndex(context: string): RequestResult {
    if (this.role === "leader") {
      this.handleReadIndex({ type: "readIndex", from: this.id, to: this.id, term: 0, context });
      return { ok: true, value: { status: "accepted" } };
    }
    if (this.leaderId === NO_NODE) {
      return refusal(
        "NOT_LEADER",
        "not leader (leader unknown); retry when an election has finished",
      );
    }
    this.send({ type: "readIndex", from: this.id, to: this.leaderId, term: 0, context });
    return { ok: true, value: { status: "forwarded" } };
  }

  private handleReadIndex(message: Message): void {
    if (this.tracker.voters.size === 1 && this.tracker.voters.has(this.id)) {
      this.answerRead(message.from, message.context ?? "", this.log.committed);
      return;
    }
    // Until this term has committed an entry, the commit index may be behind
    // what earlier leaders acknowledged: hold the request.
    if (!this.committedEntryInCurrentTerm()) {
      this.pendingReadIndexRequests.push(message);
      return;
    }
    this.startReadRound(message);
  }

  private startReadRound(message: Message): void {
    const context = message.context ?? "";
    this.readOnly.add(this.log.committed, message.from, context);
    this.readOnly.recordAck(this.id, context);
    this.broadcastHeartbeat(context);
  }

  private releasePendingReadIndexRequests(): void {
    if (this.pendingReadIndexRequests.length === 0 || !this.committedEntryInCurrentTerm()) return;
    const held = this.pendingReadIndexRequests;
    this.pendingReadIndexRequests = [];
    for (const request of held) this.startReadRound(request);
  }

  private answerRead(from: NodeId, context: string, index: number): void {
    if (from === this.id) {
      this.readStates.push({ index, context });
    } else {
      this.send({
        type: "readIndexResp",
        from: this.id,
        to: from,
        term: this.term,
        index,
        context,
      });
    }
  }

  /**
   * Hands leadership to `target` (or, when omitted, to the most caught-up
   * voter, chosen by the leader): catch it up, then tell it to campaign now.
   */
  transferLeadership(target?: NodeId): RequestResult {
    if (target !== undefined && !this.tracker.voters.has(target)) {
      return refusal("INVALID_TRANSFER_TARGET", `${target} is not a voter and cannot lead`);
    }
    if (target !== undefined && target !== this.id && !this.mayLead(target)) {
      return refusal("INVALID_TRANSFER_TARGET", `${target} is not among the voter candidates`);
    }
    if (this.role !== "leader") {
      if (this.leaderId === NO_NODE) {
        return refusal(
          "NOT_LEADER",
          "not leader (leader unknown); retry when an election has finished",
        );
      }
      // The target travels in `context` (empty: the leader chooses); `from`
      // is always the real sender.
      this.send({
        type: "transferLeader",
        from: this.id,
        to: this.leaderId,
        term: 0,
        context: target ?? "",
      });
      return { ok: true, value: { status: "forwarded" } };
    }
    return this.startTransfer(target ?? this.mostCaughtUpVoter());
  }

  /** The voter other than this leader that may lead with the highest match index (ties: lowest id). */
  private mostCaughtUpVoter(): NodeId | undefined {
    let best: { id: NodeId; match: number } | undefined;
    for (const id of [...this.tracker.voters].sort()) {
      if (id === this.id || !this.mayLead(id)) continue;
      const match = this.tracker.progress.get(id)?.match ?? 0;
      if (!best || match > best.match) best = { id, match };
    }
    return best?.id;
  }

  private startTransfer(target: NodeId | undefined): RequestResult {
    if (target === undefined) {
      return refusal(
        "INVALID_TRANSFER_TARGET",
        "there is no other voter (among the voter candidates, when named) to hand leadership to",
      );
    }
    if (!this.tracker.voters.has(target)) {
      return refusal("INVALID_TRANSFER_TARGET", `${target} is not a voter and cannot lead`);
    }
    if (target === this.id) return { ok: true, value: { status: "accepted", target } };
    if (!this.mayLead(target)) {
      return refusal("INVALID_TRANSFER_TARGET", `${target} is not among the voter candidates`);
    }
    if (this.leadTransferee === target) return { ok: true, value: { status: "accepted", target } };
    const progress = this.tracker.progress.get(target);
    if (!progress) return refusal("INVALID_TRANSFER_TARGET", `${target} is not a member`);
    // The transfer must finish within one election timeout or it is abandoned.
    this.electionElapsed = 0;
    this.leadTransferee = target;
    if (progress.match === this.log.lastIndex()) {
      this.send({ type: "timeoutNow", from: this.id, to: target, term: this.term });
    } else {
      this.sendAppend(target, true);
    }
    return { ok: true, value: { status: "accepted", target } };
  }

  leadTransfereeId(): NodeId {
    return this.leadTransferee;
  }

  // ---- driver feedback -----------------------------------------------------

  /**
   * Entries up to (index, term) are on stable storage. On a leader this is its
   * own acknowledgement: only persisted entries count towards a majority.
   */
  persisted(index: number, term: number): void {
    this.log.stableTo(index, term);
    if (this.role !== "leader" || !this.log.matchTerm(index, term)) return;
    const own = this.tracker.progress.get(this.id);
    if (own?.maybeUpdate(index) && this.maybeCommit()) {
      this.releasePendingReadIndexRequests();
      this.broadcastAppend();
    }
  }

  /** Committed entries were applied; frees their bytes from the uncommitted budget. */
  applied(entries: readonly Entry[]): void {
    const last = entries[entries.length - 1];
    if (!last) return;
    this.log.appliedTo(last.index);
    if (this.role === "leader") {
      this.uncommittedBytes = Math.max(0, this.uncommittedBytes - entriesSize(entries));
    }
  }

  /** Applies a committed membership change; returns the new membership. */
  applyConfChange(change: ConfChange): ConfState {
    const confState = this.tracker.confState();
    const without = (ids: NodeId[]) => ids.filter((id) => id !== change.nodeId);
    let next: ConfState;
    switch (change.type) {
      case "addLearner":
        // A voter named here is demoted.
        next = {
          voters: without(confState.voters),
          learners: [...without(confState.learners), change.nodeId],
        };
        break;
      case "addVoter":
        next = {
          voters: [...without(confState.voters), change.nodeId],
          learners: without(confState.learners),
        };
        break;
      case "removeNode":
        next = { voters: without(confState.voters), learners: without(confState.learners) };
        break;
    }
    const lastIndex = this.log.lastIndex();
    this.tracker.setConfState(next, lastIndex + 1);
    if (this.role === "leader") {
      const added = this.tracker.progress.get(change.nodeId);
      // A new member gets the benefit of the doubt for the next quorum check.
      if (added && change.type !== "removeNode") added.recentActive = true;
      if (!this.tracker.voters.has(this.id)) {
        // A removed (or demoted) leader steps down so the voters can elect.
        this.becomeFollower(this.term, NO_NODE);
      } else {
        // A transfer to a member that no longer votes (removed or demoted) can never finish.
        if (this.leadTransferee !== NO_NODE && !this.tracker.voters.has(this.leadTransferee)) {
          this.leadTransferee = NO_NODE;
        }
        if (this.maybeCommit()) this.releasePendingReadIndexRequests();
        this.broadcastAppend();
      }
    }
    return this.tracker.confState();
  }

  /**
   * The connection to the leader closed (its process most likely died): stop
   * honouring its lease and campaign after a short random delay rather than a
   * whole election timeout. The spread keeps followers that all noticed at
   * once from splitting the vote; pre-vote keeps a follower with a merely
   * flaky link from disturbing a leader the others still hear.
   */
  forgetLeader(): void {
    if (this.role !== "follower" || this.leaderId === NO_NODE) return;
    this.leaderId = NO_NODE;
    const ticksLeft = 1 + this.random.nextInt(Math.max(1, Math.floor(this.electionTicks / 2)));
    this.electionElapsed = Math.max(
      this.electionElapsed,
      this.randomizedElectionTimeout - ticksLeft,
    );
  }

  /** The transport could not reach `id`: fall back to probing it. */
  reportUnreachable(id: NodeId): void {
    const progress = this.tracker.progress.get(id);
    if (this.role === "leader" && progress?.state === "replicate") progress.becomeProbe();
  }

  /** The driver finished (or failed) sending a snapshot to `id`. */
  reportSnapshot(id: NodeId, succeeded: boolean): void {
    const progress = this.tracker.progress.get(id);
    if (this.role !== "leader" || progress?.state !== "snapshot") return;
    if (!succeeded) progress.pendingSnapshot = 0;
    progress.becomeProbe();
    // Wait for a heartbeat response before probing: the follower needs time to install it.
    progress.probeSent = true;
  }

  takeMessages(): Message[] {
    const messages = this.messages;
    this.messages = [];
    return messages;
  }

  takeReadStates(): ReadState[] {
    const readStates = this.readStates;
    this.readStates = [];
    return readStates;
  }
}
