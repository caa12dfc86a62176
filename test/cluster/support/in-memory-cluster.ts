import {
  type AssembledNode,
  assembleNode,
  type NodeAssemblyOptions,
} from "../../../app/assemble-node.ts";
import type { ApplyResult, ControlPlaneState } from "../../../cluster/fsm/control-plane.ts";
import type { ClusterNode, LogStore } from "../../../cluster/node.ts";
import type { Message, NodeId, Snapshot } from "../../../cluster/raft/types.ts";
import type { PersistedRaftState, SaveBatch } from "../../../cluster/storage/raft-log-store.ts";
import { StorageError } from "../../../cluster/storage/storage-error.ts";
import { applyWrite } from "../../../scripts/simulation/durable-log.ts";
import type { DataKey } from "../../../shared/crypto/data-keys.ts";
import { silentLogger } from "../../../shared/silent-logger.ts";
import { sleep } from "../../../shared/sleep.ts";

/** The cluster secret of in-memory test clusters unless a test gives its own. */
/** The data keys every in-memory node shares. */
export const TEST_DATA_KEYS: readonly DataKey[] = [
  { id: "k1", secret: "in-memory-cluster-data-key-0123456789abcdef" },
];

/** A LogStore in memory that can be switched off to play an unreachable Redis. */
export class MemoryLogStore implements LogStore {
  available = true;
  saves = 0;
  private state: PersistedRaftState = {
    hardState: { term: 0, vote: "", commit: 0 },
    snapshot: null,
    entries: [],
  };

  private check(): void {
    if (!this.available)
      throw new StorageError("STORAGE_UNAVAILABLE", "the test switched storage off");
  }

  async load(): Promise<PersistedRaftState> {
    this.check();
    return structuredClone(this.state);
  }

  async save(batch: SaveBatch): Promise<void> {
    this.check();
    this.saves++;
    this.state = applyWrite(this.state, { kind: "save", batch });
  }

  async compact(snapshot: Snapshot): Promise<void> {
    this.check();
    this.state = applyWrite(this.state, { kind: "compact", snapshot });
  }
}

export interface TestMember {
  id: NodeId;
  node: ClusterNode<ApplyResult>;
  state: ControlPlaneState;
  store: MemoryLogStore;
  /** The whole node as app/assemble-node.ts built it. */
  assembled: AssembledNode;
}

/** What a test adds to each member's assembly (leader work, clock, secret). */
export type MemberAssembly = Partial<
  Pick<
    NodeAssemblyOptions,
    | "dataKeys"
    | "clock"
    | "expirySweepIntervalMs"
    | "trafficPeriodIntervalMs"
    | "banChecks"
    | "bot"
    | "logger"
    | "onFatal"
  >
>;

export interface InMemoryClusterOptions {
  snapshotEveryEntries?: number;
  /** Per member: leader work and the like; default none but the expiry sweep. */
  assemble?: (id: NodeId) => MemberAssembly;
  /** Start following leadership only when followLeadership() is called. */
  deferLeaderWork?: boolean;
  /** Sees every message a member sends, before it is delivered (or lost to a cut). */
  observe?: (message: Message) => void;
}

/**
 * Three (or more) nodes in one process, built like every node
 * (app/assemble-node.ts), messages passed directly (asynchronously, like a
 * socket), each with its own in-memory store.
 */
export async function startInMemoryCluster(size: number, options: InMemoryClusterOptions = {}) {
  const ids = Array.from({ length: size }, (_, position) => `n${position + 1}`);
  // Never dialled (messages pass directly), but URLs a join token can name.
  const initialMembers = new Map(ids.map((id) => [id, `ws://${id}.test`]));
  const members = new Map<NodeId, TestMember>();
  const cut = new Set<NodeId>();
  const deliver = (messages: readonly Message[]) => {
    for (const message of messages) {
      options.observe?.(message);
      if (cut.has(message.from) || cut.has(message.to)) continue;
      setImmediate(() => members.get(message.to)?.node.receive([message]));
    }
  };
  for (const id of ids) {
    const store = new MemoryLogStore();
    const assembled = assembleNode({
      id,
      initialMembers,
      heartbeatMs: 10,
      electionTimeoutMs: 100,
      snapshotEveryEntries: options.snapshotEveryEntries ?? 10_000,
      store,
      send: deliver,
      logger: silentLogger,
      dataKeys: TEST_DATA_KEYS,
      ...options.assemble?.(id),
    });
    members.set(id, { id, node: assembled.node, state: assembled.state, store, assembled });
  }
  await Promise.all(
    [...members.values()].map((member) =>
      member.assembled.start({ followLeadership: !options.deferLeaderWork }),
    ),
  );

  async function waitFor<T>(
    probe: () => T | undefined,
    timeoutMs: number,
    what: string,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const value = probe();
      if (value !== undefined && value !== false) return value;
      await sleep(5);
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  }

  return {
    members,
    /** Cuts a node off from every other (both directions). */
    isolate: (id: NodeId) => cut.add(id),
    heal: () => cut.clear(),
    waitFor,
    leader: () =>
      waitFor(
        () => [...members.values()].find((member) => member.node.isLeader() && !cut.has(member.id)),
        3000,
        "a leader",
      ),
    /** Starts every member's leader work (after deferLeaderWork). */
    followLeadership: () => {
      for (const member of members.values()) member.assembled.leadership.start();
    },
    stop: async () => {
      await Promise.all([...members.values()].map((member) => member.assembled.stop()));
    },
  };
}
