/**
 * A cluster of ClusterNodes inside this process, for benchmarks that drive
 * the control plane's code directly (no HTTP, no node processes): messages
 * pass in memory (asynchronously, like a socket), and each node keeps its
 * Raft log durable in a real Redis under its own key prefix, as in production.
 */
import { Writable } from "node:stream";
import type { Redis } from "ioredis";
import { type ApplyResult, ControlPlaneState } from "../../cluster/fsm/control-plane.ts";
import { NodeMetrics } from "../../cluster/metrics.ts";
import { ClusterNode } from "../../cluster/node.ts";
import type { Message, NodeId } from "../../cluster/raft/types.ts";
import { defaultKeyPrefix } from "../../cluster/storage/keys.ts";
import { RaftLogStore } from "../../cluster/storage/raft-log-store.ts";
import { connectRedis } from "../../cluster/storage/redis-connection.ts";
import { createLogger } from "../../shared/logger.ts";

export interface InProcessClusterOptions {
  size: number;
  /** The Redis every node keeps its log in. */
  redisUrl: string;
  heartbeatMs: number;
  electionTimeoutMs: number;
  snapshotEveryEntries: number;
}

export interface InProcessMember {
  id: NodeId;
  node: ClusterNode<ApplyResult>;
  state: ControlPlaneState;
  /** The node's key prefix in Redis (`nexaloak:<id>:`), under which its queues may live too. */
  redisPrefix: string;
}

export interface InProcessCluster {
  readonly members: readonly InProcessMember[];
  /** The member that leads now, waiting up to `timeoutMs` for one. */
  leader(timeoutMs?: number): Promise<InProcessMember>;
  /** Stops every node and closes their Redis connections. */
  stop(): Promise<void>;
}

const LEADER_POLL_MS = 10;
const DEFAULT_LEADER_WAIT_MS = 10_000;

/** Starts `size` founding members (n1, n2, ...) on an empty log and resolves once all have started. */
export async function startInProcessCluster(
  options: InProcessClusterOptions,
): Promise<InProcessCluster> {
  const ids = Array.from({ length: options.size }, (_, position) => `n${position + 1}`);
  const initialMembers = new Map(ids.map((id) => [id, `ws://in-process/${id}`]));
  const byId = new Map<NodeId, InProcessMember>();
  const connections: Redis[] = [];
  const silent = createLogger({
    level: "silent",
    destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
  });
  const deliver = (messages: readonly Message[]): void => {
    for (const message of messages)
      setImmediate(() => byId.get(message.to)?.node.receive([message]));
  };
  try {
    for (const id of ids) {
      const redis = await connectRedis(options.redisUrl, { connectionName: `nexaloak-${id}` });
      connections.push(redis);
      const redisPrefix = defaultKeyPrefix(id);
      const state = new ControlPlaneState();
      const node = new ClusterNode<ApplyResult>({
        id,
        initialMembers,
        heartbeatMs: options.heartbeatMs,
        electionTimeoutMs: options.electionTimeoutMs,
        snapshotEveryEntries: options.snapshotEveryEntries,
        store: new RaftLogStore(redis, redisPrefix),
        stateMachine: state,
        send: deliver,
        logger: silent,
        metrics: new NodeMetrics(),
      });
      byId.set(id, { id, node, state, redisPrefix });
    }
    await Promise.all([...byId.values()].map((member) => member.node.start()));
  } catch (error) {
    await Promise.all([...byId.values()].map((member) => member.node.stop()));
    for (const redis of connections) redis.disconnect();
    throw error;
  }
  const members = [...byId.values()];
  return {
    members,
    async leader(timeoutMs = DEFAULT_LEADER_WAIT_MS) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const leader = members.find((member) => member.node.isLeader());
        if (leader) return leader;
        await new Promise((resolve) => setTimeout(resolve, LEADER_POLL_MS));
      }
      throw new Error(`no leader was elected within ${timeoutMs} ms`);
    },
    async stop() {
      await Promise.all(members.map((member) => member.node.stop()));
      for (const redis of connections) redis.disconnect();
    },
  };
}
