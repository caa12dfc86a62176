/**
 * The control-plane state as a node's Redis holds it, rebuilt outside the
 * node: its snapshot restored, then every command of its Raft log up to an
 * index applied, exactly as the node applies them. Tests use it to see parts
 * of the replicated state no API shows (the notification outbox) and to
 * compare what different nodes persisted.
 */
import { ControlPlaneState } from "../../cluster/fsm/control-plane.ts";
import { decodeNodeSnapshot } from "../../cluster/node-snapshot.ts";
import { decodeEnvelope } from "../../cluster/proposal-envelope.ts";
import { defaultKeyPrefix } from "../../cluster/storage/keys.ts";
import { RaftLogStore } from "../../cluster/storage/raft-log-store.ts";
import { connectRedis } from "../../cluster/storage/redis-connection.ts";

/** Where a node keeps its Raft log: its Redis and its key prefix. */
export interface PersistedLogLocation {
  redisUrl: string;
  /** The node's REDIS_PREFIX; default `nexaloak:<nodeId>:`. */
  keyPrefix?: string;
  nodeId: string;
}

/**
 * Rebuilds the state a node reaches once it has applied `throughIndex`
 * (usually the cluster's commit index). Throws if that node's Redis does not
 * hold the log up to that index, or its snapshot is already past it.
 */
export async function replicatedStateAt(
  location: PersistedLogLocation,
  throughIndex: number,
): Promise<ControlPlaneState> {
  const redis = await connectRedis(location.redisUrl, { connectionName: "nexaloak-inspector" });
  try {
    const store = new RaftLogStore(redis, location.keyPrefix ?? defaultKeyPrefix(location.nodeId));
    const persisted = await store.load();
    const state = new ControlPlaneState();
    const snapshotIndex = persisted.snapshot?.metadata.index ?? 0;
    if (snapshotIndex > throughIndex) {
      throw new Error(
        `${location.nodeId}'s snapshot is at index ${snapshotIndex}, past ${throughIndex}`,
      );
    }
    if (persisted.snapshot) state.restore(decodeNodeSnapshot(persisted.snapshot.data).state);
    const lastIndex = persisted.entries.at(-1)?.index ?? snapshotIndex;
    if (lastIndex < throughIndex) {
      throw new Error(
        `${location.nodeId}'s log ends at index ${lastIndex}, before ${throughIndex}`,
      );
    }
    for (const entry of persisted.entries) {
      if (entry.index > throughIndex) break;
      // Membership changes and the leaders' no-ops carry no command.
      const envelope = entry.type === "normal" ? decodeEnvelope(entry.data) : undefined;
      if (envelope) state.apply(envelope.command, entry.index);
    }
    return state;
  } finally {
    redis.disconnect();
  }
}
