/**
 * The vocabulary of the Raft core: log entries, persistent state, snapshots,
 * messages and the Ready batch the core hands to its driver.
 *
 * Everything here is plain JSON-serialisable data, so the same objects travel
 * over the peer WebSockets, into Redis and through the deterministic simulator.
 */

/** A cluster member's id. Ids are never reused, even after removal. */
export type NodeId = string;

/** The empty node id: "no vote" or "no known leader". */
export const NO_NODE: NodeId = "";

export type EntryType = "normal" | "confChange";

export interface Entry {
  index: number;
  term: number;
  type: EntryType;
  /** Opaque to the core; a confChange entry holds a JSON-encoded {@link ConfChange}. */
  data: string;
}

/** What must be on stable storage before any message that depends on it goes out. */
export interface HardState {
  term: number;
  vote: NodeId;
  commit: number;
}

export interface ConfState {
  voters: NodeId[];
  learners: NodeId[];
}

export interface SnapshotMetadata {
  index: number;
  term: number;
  confState: ConfState;
}

export interface Snapshot {
  metadata: SnapshotMetadata;
  /** The application's serialised state at `metadata.index`; opaque to the core. */
  data: string;
}

/**
 * One membership change. Changes are applied one server at a time; promoting
 * a learner is `addVoter` on a node that is already a learner.
 */
export interface ConfChange {
  type: "addLearner" | "addVoter" | "removeNode";
  nodeId: NodeId;
  /** Opaque to the core; the node layer puts the new member's URL here. */
  context?: string;
}

export type MessageType =
  | "app"
  | "appResp"
  | "vote"
  | "voteResp"
  | "preVote"
  | "preVoteResp"
  | "heartbeat"
  | "heartbeatResp"
  | "snap"
  | "prop"
  | "readIndex"
  | "readIndexResp"
  | "transferLeader"
  | "timeoutNow";

/**
 * A message between members. Fields beyond type/from/to/term are used only by
 * the types that need them (see the step functions in raft.ts).
 *
 * Forwarded client requests (`prop`, `readIndex`, `transferLeader`) carry
 * term 0: they are not part of the term protocol.
 */
export interface Message {
  type: MessageType;
  from: NodeId;
  to: NodeId;
  term: number;
  /** app: term of the entry before `entries`; vote: candidate's last log term; appResp reject: hint term. */
  logTerm?: number;
  /** app: index of the entry before `entries`; vote: candidate's last index; appResp: match or rejected index; readIndexResp: the read index. */
  index?: number;
  entries?: Entry[];
  commit?: number;
  reject?: boolean;
  /** appResp reject: the follower's suggested next probe index. */
  rejectHint?: number;
  snapshot?: Snapshot;
  /** heartbeat/readIndex: the read request context; vote: "transfer" for a leadership-transfer campaign. */
  context?: string;
}

export type Role = "follower" | "precandidate" | "candidate" | "leader";

/** Volatile state worth reporting: it changes with elections, not with every entry. */
export interface SoftState {
  leaderId: NodeId;
  role: Role;
}

/** A linearizable read point: once the state machine has applied `index`, the read may be served. */
export interface ReadState {
  index: number;
  context: string;
}

/**
 * Everything the driver must do, in order: persist `hardState`, `entries` and
 * `snapshot` (atomically), then send `messages`, then install `snapshot` and
 * apply `committedEntries`, then call `advance(ready)`.
 */
export interface Ready {
  softState?: SoftState;
  hardState?: HardState;
  entries: Entry[];
  snapshot?: Snapshot;
  committedEntries: Entry[];
  messages: Message[];
  readStates: ReadState[];
  /** True when hardState or entries changed and the write must be durable before messages go out. */
  mustSync: boolean;
}

/** Seeded randomness injected into the core; `nextInt(n)` returns an integer in [0, n). */
export interface RandomSource {
  nextInt(maxExclusive: number): number;
}
