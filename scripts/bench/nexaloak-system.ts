import type { Agent } from "node:http";
import { type Cluster, startCluster, waitUntil } from "../lib/cluster-harness.ts";
import { requestFollowingLeader } from "../lib/leader-hint.ts";
import type { KvSystem } from "./kv-system.ts";

export interface NexaloakSystemOptions {
  electionTimeoutMs: number;
  heartbeatMs: number;
  /** Options for node itself in every member (e.g. `--cpu-prof`). */
  nodeFlags?: readonly string[];
  /** How tables name it; default the timing, e.g. `nexaloak (hb 50, et 300)`. */
  label?: string | undefined;
}

/** A three-node NexaLoak cluster, each node with its own durable redis-server on a Unix socket. */
export async function startNexaloak(options: NexaloakSystemOptions): Promise<KvSystem> {
  const cluster: Cluster = await startCluster({
    size: 3,
    electionTimeoutMs: options.electionTimeoutMs,
    heartbeatMs: options.heartbeatMs,
    ...(options.nodeFlags ? { nodeFlags: options.nodeFlags } : {}),
    // As scripts/install.sh deploys it: each node reaches its Redis through the socket.
    redis: { unixSocket: true },
  });
  return kvSystemOf(
    cluster,
    options.label ?? `nexaloak (hb ${options.heartbeatMs}, et ${options.electionTimeoutMs})`,
  );
}

/** A running harness cluster as a {@link KvSystem}: its founders are the members. */
export function kvSystemOf(cluster: Cluster, label: string): KvSystem {
  const nodes = cluster.nodes;
  return {
    label,
    size: nodes.length,
    isRunning: (member) => nodes[member]!.running,
    async put(member, key, value, agent: Agent, timeoutMs) {
      const response = await requestFollowingLeader(nodes[member]!.url, `/v1/settings/${key}`, {
        method: "PUT",
        body: { value },
        bearerToken: cluster.adminApiToken,
        agent,
        timeoutMs,
      });
      return response.status === 200;
    },
    async leader(timeoutMs) {
      const leader = await cluster.leader({ timeoutMs });
      return nodes.indexOf(leader);
    },
    async kill(member) {
      await nodes[member]!.kill("SIGKILL");
    },
    signal(member, signal) {
      nodes[member]!.process.signal(signal);
    },
    async restart(member) {
      await nodes[member]!.restart();
    },
    async waitHealthy(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      const leader = await cluster.leader({ timeoutMs });
      const target = (await leader.status()).commitIndex;
      await waitUntil(
        async () => {
          const statuses = await Promise.all(nodes.map((node) => node.probe.status()));
          return statuses.every((status) => status.ok && status.value.appliedIndex >= target);
        },
        Math.max(1, deadline - Date.now()),
        `every node to apply index ${target}`,
      );
    },
    processes() {
      return nodes.flatMap((node, member) => [
        { member, kind: "member" as const, pid: node.running ? node.pid : 0 },
        { member, kind: "storage" as const, pid: node.redis.running ? node.redis.pid : 0 },
      ]);
    },
    async stop() {
      await cluster.stop();
    },
  };
}
