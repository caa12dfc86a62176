/**
 * A three-node cluster on 127.0.0.1 running the bot behind the local Bot API
 * emulator, ready for users: a leader elected, every server registered with
 * its public endpoint (so configs can be placed), and the bot polling.
 */
import { type Cluster, type ClusterOptions, startCluster } from "./cluster-harness.ts";

/** Documentation addresses: they only go into configs as endpoints, never dialled. */
export const LOCAL_FLEET_PUBLIC_HOSTS = ["198.51.100.1", "198.51.100.2", "198.51.100.3"];

export interface LocalBotFleetOptions {
  token: string;
  emulator: { apiRoot: string; waitForPolling(timeoutMs: number): Promise<unknown> };
  /** Bound on each wait: the start, the registrations, the first poll. */
  timeoutMs: number;
  /** More of the nodes' environment (ADMIN_IDS, ...). */
  env?: Record<string, string>;
  electionTimeoutMs?: number;
  heartbeatMs?: number;
  /** Where the node logs go (kept after the run). */
  dir?: string;
}

export async function startLocalBotFleet(options: LocalBotFleetOptions): Promise<Cluster> {
  const hosts = LOCAL_FLEET_PUBLIC_HOSTS;
  const clusterOptions: ClusterOptions = {
    size: hosts.length,
    env: { BOT_TOKEN: options.token, TELEGRAM_API_ROOT: options.emulator.apiRoot, ...options.env },
    nodeEnv: Object.fromEntries(hosts.map((host, i) => [`n${i + 1}`, { PUBLIC_HOST: host }])),
  };
  if (options.electionTimeoutMs !== undefined)
    clusterOptions.electionTimeoutMs = options.electionTimeoutMs;
  if (options.heartbeatMs !== undefined) clusterOptions.heartbeatMs = options.heartbeatMs;
  if (options.dir !== undefined) clusterOptions.dir = options.dir;
  const cluster = await startCluster(clusterOptions);
  try {
    await cluster.leader({ timeoutMs: options.timeoutMs });
    await cluster.serversRegistered({ count: hosts.length, timeoutMs: options.timeoutMs });
    await options.emulator.waitForPolling(options.timeoutMs);
    return cluster;
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}
