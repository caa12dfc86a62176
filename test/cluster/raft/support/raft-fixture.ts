import { Raft, type RaftConfig } from "../../../../cluster/raft/raft.ts";
import { seededRandom } from "../../../../cluster/raft/random.ts";
import { MemoryStorage } from "../../../../cluster/raft/storage.ts";
import type {
  ConfChange,
  Entry,
  HardState,
  Message,
  MessageType,
  NodeId,
} from "../../../../cluster/raft/types.ts";

/** Everything about a single Raft under test that is not its storage or randomness. */
export type TestRaftOptions = Partial<Omit<RaftConfig, "storage" | "random">> & {
  voters?: NodeId[];
  learners?: NodeId[];
  /** The stored log: entry i+1 has term terms[i] (no data). */
  terms?: number[];
  /** The stored log as full entries (overrides `terms`). */
  entries?: Entry[];
  hardState?: Partial<HardState>;
  seed?: number;
};

/** The plain protocol of the paper: no pre-vote, no check-quorum. */
export const plainProtocol = { preVote: false, checkQuorum: false } as const;

/** Entries with the given terms, starting at `firstIndex`; data is empty. */
export function entriesWithTerms(terms: readonly number[], firstIndex = 1): Entry[] {
  return terms.map((term, position) => ({
    index: firstIndex + position,
    term,
    type: "normal",
    data: "",
  }));
}

/** A normal entry carrying `data`. */
export function entry(index: number, term: number, data = ""): Entry {
  return { index, term, type: "normal", data };
}

/**
 * A Raft over a MemoryStorage holding the given membership, log and hard
 * state. Defaults: id n1 in {n1, n2, n3}, election after 10 ticks, heartbeat
 * every tick, seed 1; pre-vote and check-quorum as the core defaults them.
 */
export function newTestRaft(options: TestRaftOptions = {}): Raft {
  const {
    voters = ["n1", "n2", "n3"],
    learners = [],
    terms = [],
    entries,
    hardState,
    seed = 1,
    ...config
  } = options;
  const storage = new MemoryStorage({ voters, learners });
  const stored = entries ?? entriesWithTerms(terms);
  storage.append(stored);
  const lastTerm = stored[stored.length - 1]?.term ?? 0;
  storage.setHardState({ term: lastTerm, vote: "", commit: 0, ...hardState });
  return new Raft({
    id: "n1",
    electionTicks: 10,
    heartbeatTicks: 1,
    ...config,
    storage,
    random: seededRandom(seed),
  });
}

/** The MemoryStorage a test Raft was built over. */
export function storageOf(raft: Raft): MemoryStorage {
  const storage = raft.log.storage;
  if (!(storage instanceof MemoryStorage)) throw new Error("not a test Raft");
  return storage;
}

/**
 * Does what the driver does with a Ready's writes: the incoming snapshot, the
 * unstable entries and the hard state go to storage, then the core is told.
 */
export function persist(raft: Raft): void {
  const storage = storageOf(raft);
  const snapshot = raft.log.unstable.snapshot;
  if (snapshot) {
    storage.applySnapshot(snapshot);
    raft.log.stableSnapshotTo(snapshot.metadata.index);
  }
  const unstable = raft.log.unstableEntries();
  storage.append(unstable);
  storage.setHardState(raft.hardState());
  const last = unstable[unstable.length - 1];
  if (last) raft.persisted(last.index, last.term);
}

/** Applies every committed entry (membership changes included) and returns them. */
export function applyCommitted(raft: Raft): Entry[] {
  const entries = raft.log.nextCommittedEntries();
  for (const committed of entries) {
    if (committed.type === "confChange") {
      raft.applyConfChange(JSON.parse(committed.data) as ConfChange);
    }
  }
  raft.applied(entries);
  return entries;
}

/** The outgoing messages, sorted by recipient then type, and cleared from the core. */
export function takeSorted(raft: Raft): Message[] {
  return raft
    .takeMessages()
    .sort((a, b) => (a.to === b.to ? a.type.localeCompare(b.type) : a.to.localeCompare(b.to)));
}

/** The outgoing messages of one type, cleared from the core with all others. */
export function takeOfType(raft: Raft, type: MessageType): Message[] {
  return takeSorted(raft).filter((message) => message.type === type);
}

/** The other voters of the cluster, sorted. */
function peersOf(raft: Raft): NodeId[] {
  return [...raft.tracker.voters].filter((id) => id !== raft.id).sort();
}

/**
 * Campaigns and grants every vote (pre-votes too), so `raft` becomes leader of
 * the next term without anything else happening. Clears the messages.
 */
export function electLeader(raft: Raft): void {
  raft.campaign();
  if (raft.role === "precandidate") {
    for (const peer of peersOf(raft)) {
      raft.step({ type: "preVoteResp", from: peer, to: raft.id, term: raft.term + 1 });
    }
  }
  if (raft.role === "candidate") {
    for (const peer of peersOf(raft)) {
      raft.step({ type: "voteResp", from: peer, to: raft.id, term: raft.term });
    }
  }
  if (raft.role !== "leader") throw new Error(`${raft.id} did not become leader`);
  raft.takeMessages();
}

/**
 * Makes a fresh leader commit its no-op: it persists its log and every voter
 * acknowledges it, then the committed entries are applied. Clears the messages.
 */
export function commitNoop(raft: Raft): void {
  persist(raft);
  const lastIndex = raft.log.lastIndex();
  for (const peer of peersOf(raft)) {
    raft.step({ type: "appResp", from: peer, to: raft.id, term: raft.term, index: lastIndex });
  }
  if (raft.log.committed !== lastIndex) throw new Error("the no-op did not commit");
  applyCommitted(raft);
  raft.takeMessages();
}

/** A leader of term 1 in {n1, n2, n3} whose followers are in replicate state at match 1. */
export function steadyLeader(options: TestRaftOptions = {}): Raft {
  const raft = newTestRaft({ ...plainProtocol, ...options });
  electLeader(raft);
  commitNoop(raft);
  return raft;
}

/** The whole log (stable and unstable) as (index, term, data) entries. */
export function logOf(raft: Raft): Entry[] {
  return (
    raft.log.slice(raft.log.firstIndex(), raft.log.lastIndex() + 1, Number.MAX_SAFE_INTEGER) ?? []
  );
}

/** The terms of the whole log, in index order. */
export function termsOf(raft: Raft): number[] {
  return logOf(raft).map((logEntry) => logEntry.term);
}
