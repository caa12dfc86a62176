import { type ApplyResult, ControlPlaneState } from "../../../cluster/fsm/control-plane.ts";
import { NodeMetrics } from "../../../cluster/metrics.ts";
import { ClusterNode, type LogStore } from "../../../cluster/node.ts";
import type { Message, NodeId, Snapshot } from "../../../cluster/raft/types.ts";
import type { PersistedRaftState, SaveBatch } from "../../../cluster/storage/raft-log-store.ts";
import { StorageError } from "../../../cluster/storage/storage-error.ts";
import { silentLogger } from "../../../shared/silent-logger.ts";

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
    if (batch.snapshot) {
      this.state.snapshot = batch.snapshot;
      this.state.entries = this.state.entries.filter(
        (entry) => entry.index > batch.snapshot!.metadata.index,
      );
    }
    const first = batch.entries?.[0];
    if (first) {
      this.state.entries = this.state.entries
        .filter((entry) => entry.index < first.index)
        .concat(batch.entries!);
    }
    if (batch.hardState) this.state.hardState = batch.hardState;
  }

  async compact(snapshot: Snapshot): Promise<void> {
    this.check();
    this.state.snapshot = snapshot;
    this.state.entries = this.state.entries.filter(
      (entry) => entry.index > snapshot.metadata.index,
    );
  }
}

export interface TestMember {
  id: NodeId;
  node: ClusterNode<ApplyResult>;
  state: ControlPlaneState;
  store: MemoryLogStore;
}

/**
 * Three (or more) ClusterNodes in one process, messages passed directly
 * (asynchronously, like a socket), each with its own in-memory store.
 */
export async function startInMemoryCluster(
  size: number,
  options: { snapshotEveryEntries?: number } = {},
) {
  const ids = Array.from({ length: size }, (_, position) => `n${position + 1}`);
  const initialMembers = new Map(ids.map((id) => [id, `ws://test/${id}`]));
  const members = new Map<NodeId, TestMember>();
  const cut = new Set<NodeId>();
  const deliver = (messages: readonly Message[]) => {
    for (const message of messages) {
      if (cut.has(message.from) || cut.has(message.to)) continue;
      setImmediate(() => members.get(message.to)?.node.receive([message]));
    }
  };
  for (const id of ids) {
    const state = new ControlPlaneState();
    const store = new MemoryLogStore();
    const node = new ClusterNode<ApplyResult>({
      id,
      initialMembers,
      heartbeatMs: 10,
      electionTimeoutMs: 100,
      snapshotEveryEntries: options.snapshotEveryEntries ?? 10_000,
      store,
      stateMachine: state,
      send: deliver,
      logger: silentLogger,
      metrics: new NodeMetrics(),
    });
    members.set(id, { id, node, state, store });
  }
  await Promise.all([...members.values()].map((member) => member.node.start()));

  async function waitFor<T>(
    probe: () => T | undefined,
    timeoutMs: number,
    what: string,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const value = probe();
      if (value !== undefined && value !== false) return value;
      await new Promise((resolve) => setTimeout(resolve, 5));
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
    stop: async () => {
      await Promise.all([...members.values()].map((member) => member.node.stop()));
    },
  };
}
