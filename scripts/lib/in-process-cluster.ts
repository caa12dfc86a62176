/**
 * A cluster of ClusterNodes inside this process, for benchmarks that drive
 * the control plane's code directly (no HTTP, no node processes): messages
 * pass in memory (asynchronously, like a socket), and each node keeps its
 * Raft log durable in a real Redis under its own key prefix, as in production.
 */
import type { Redis } from "ioredis";
import {
  type AssembledNode,
  assembleNode,
  type NodeAssemblyOptions,
} from "../../app/assemble-node.ts";
import type { ApplyResult, ControlPlaneState } from "../../cluster/fsm/control-plane.ts";
import type { ClusterNode } from "../../cluster/node.ts";
import type { Message, NodeId } from "../../cluster/raft/types.ts";
import { defaultKeyPrefix } from "../../cluster/storage/keys.ts";
import { RaftLogStore } from "../../cluster/storage/raft-log-store.ts";
import { connectRedis } from "../../cluster/storage/redis-connection.ts";
import { newDataKey } from "../../shared/crypto/data-keys.ts";
import { silentLogger } from "../../shared/silent-logger.ts";
import { sleep } from "../../shared/sleep.ts";

export interface InProcessClusterOptions {
  size: number;
  /** The Redis every node keeps its log in. */
  redisUrl: string;
  heartbeatMs: number;
  electionTimeoutMs: number;
  snapshotEveryEntries: number;
  /** Per member: the secret, a logger, leader work; default a random secret and no logs. */
  assemble?: (
    id: NodeId,
    redisPrefix: string,
  ) => Partial<Pick<NodeAssemblyOptions, "dataKeys" | "logger" | "banChecks">>;
}

export interface InProcessMember {
  id: NodeId;
  node: ClusterNode<ApplyResult>;
  state: ControlPlaneState;
  /** The node's key prefix in Redis (`nexaloak:<id>:`), under which its queues may live too. */
  redisPrefix: string;
  /** The whole node as app/assemble-node.ts built it. */
  assembled: AssembledNode;
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
  const dataKeys = [newDataKey("k1")];
  const deliver = (messages: readonly Message[]): void => {
    for (const message of messages)
      setImmediate(() => byId.get(message.to)?.node.receive([message]));
  };
  try {
    for (const id of ids) {
      const redis = await connectRedis(options.redisUrl, { connectionName: `nexaloak-${id}` });
      connections.push(redis);
      const redisPrefix = defaultKeyPrefix(id);
      const assembled = assembleNode({
        id,
        initialMembers,
        heartbeatMs: options.heartbeatMs,
        electionTimeoutMs: options.electionTimeoutMs,
        snapshotEveryEntries: options.snapshotEveryEntries,
        store: new RaftLogStore(redis, redisPrefix),
        send: deliver,
        logger: silentLogger,
        dataKeys,
        ...options.assemble?.(id, redisPrefix),
      });
      byId.set(id, { id, node: assembled.node, state: assembled.state, redisPrefix, assembled });
    }
    await Promise.all([...byId.values()].map((member) => member.assembled.start()));
  } catch (error) {
    await Promise.all([...byId.values()].map((member) => member.assembled.stop()));
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
        await sleep(LEADER_POLL_MS);
      }
      throw new Error(`no leader was elected within ${timeoutMs} ms`);
    },
    async stop() {
      await Promise.all(members.map((member) => member.assembled.stop()));
      for (const redis of connections) redis.disconnect();
    },
  };
}
