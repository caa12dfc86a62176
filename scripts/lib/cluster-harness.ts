/**
 * A real NexaLoak cluster on loopback for multi-process tests and benchmarks:
 * one redis-server and one node process per node, each node's output in a log
 * file, optional TCP proxies to cut links, and bounded waits for the states a
 * test cares about (a leader, a committed write, a ready node).
 *
 *     const cluster = await startCluster({ size: 3 });
 *     try {
 *       const leader = await cluster.leader();
 *       await cluster.put("motd", "hello");
 *     } finally {
 *       await cluster.stop();
 *     }
 *
 * Every wait is bounded, every process is stopped by its PID, and nothing
 * outlives the process that started the cluster.
 */

import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { isDialerFor } from "../../cluster/transport/handshake.ts";
import { formatDataKeys, newDataKey } from "../../shared/crypto/data-keys.ts";
import { sleep } from "../../shared/sleep.ts";
import { ControlPlaneClient } from "./control-plane-client.ts";
import { findFreePorts } from "./free-port.ts";
import { type ApiResult, NodeClient, type NodeStatus } from "./node-client.ts";
import { type NodeExit, type NodeProcess, spawnNode } from "./node-process.ts";
import {
  type RedisServerHandle,
  type RedisServerOptions,
  startRedisServer,
} from "./redis-server.ts";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.ts";

export interface ClusterOptions {
  /** Number of nodes, n1..n<size>. */
  size: number;
  /** ELECTION_TIMEOUT_MS of every node; default 300 (fast tests). */
  electionTimeoutMs?: number;
  /** HEARTBEAT_MS of every node; default 50. */
  heartbeatMs?: number;
  /** SNAPSHOT_EVERY_ENTRIES of every node; default the node's own. */
  snapshotEveryEntries?: number;
  /** Route each pair's one connection through a {@link TcpProxy}, so links can be cut. */
  withProxies?: boolean;
  /** More environment for every node; wins over what the harness sets. */
  env?: Record<string, string>;
  /** More environment for single nodes, by id (e.g. `{ n3: { SERVER_REGION: "edge" } }`); wins over `env`. */
  nodeEnv?: Record<string, Record<string, string>>;
  /** Settings of every node's redis-server; default AOF with appendfsync always. */
  redis?: RedisServerOptions;
  /** LOG_LEVEL of every node: info (default), debug or trace; the harness waits for an info line. */
  logLevel?: "info" | "debug" | "trace";
  /** How long each node may take to log "node listening"; default 60 000 ms. */
  startTimeoutMs?: number;
  /** Where node logs and working dirs go; default a new temp dir, removed by stop(). */
  dir?: string;
  /** Options for node itself, before the entry point (e.g. `--cpu-prof` to see where a node's time goes). */
  nodeFlags?: readonly string[];
}

/** One node of a running cluster. */
export interface HarnessNode {
  readonly id: string;
  /** `http://127.0.0.1:<port>`: the node's one port. */
  readonly url: string;
  readonly port: number;
  /** PID of the current node process (a restart changes it). */
  readonly pid: number;
  readonly running: boolean;
  /** This node's own redis-server. */
  readonly redis: RedisServerHandle;
  /** Calls on this node's HTTP API with the cluster's admin token; waits long enough for the node's own timeouts. */
  readonly client: NodeClient;
  /** The same calls with a 2 s deadline, for polling status and readiness. */
  readonly probe: NodeClient;
  /** The current node process: its output, log lines and exit. */
  readonly process: NodeProcess;
  /** Every run's output, appended. */
  readonly logFile: string;
  /** The exact environment the node runs with (a restart with changes replaces it). */
  readonly env: Readonly<Record<string, string>>;
  /** The node's DATA_DIR (its identity key lives there), absolute. */
  readonly dataDir: string;
  /** Sends `signal` (default SIGKILL) and waits for the exit; SIGKILL follows a SIGTERM that is not obeyed within 10 s. */
  kill(signal?: NodeJS.Signals): Promise<NodeExit>;
  /**
   * Starts the node again (stopping it first if running) and waits for "node
   * listening": with the same environment, or with `changes` applied to it
   * for this and every later run (`undefined` removes a variable).
   */
  restart(changes?: Record<string, string | undefined>): Promise<void>;
  /** `GET /v1/status`; throws if the node does not answer with a status. */
  status(): Promise<NodeStatus>;
  /** Waits until `/readyz` answers 200; default bound 15 000 ms. */
  waitForReady(timeoutMs?: number): Promise<void>;
  /** `/metrics` text; throws if the node does not answer. */
  metrics(): Promise<string>;
}

export interface LeaderOptions {
  /** Give up after this long; default 15 000 ms. */
  timeoutMs?: number;
  /** The nodes that must agree; default every running node. */
  among?: readonly HarnessNode[];
}

export interface WriteOptions {
  /** Send the request to this node (followers forward to the leader); default any running node, in turn. */
  via?: HarnessNode;
  /** Retry refused connections and 503s until this long has passed; default 15 000 ms. */
  timeoutMs?: number;
}

/** A running cluster from {@link startCluster}. */
export interface Cluster {
  readonly nodes: readonly HarnessNode[];
  readonly clusterSecret: string;
  readonly adminApiToken: string;
  /** Where the node logs are. */
  readonly dir: string;
  /** Proxies by unordered pair, keyed `"<dialer>-<acceptor>"` (e.g. `n1-n2`); empty without withProxies. */
  readonly proxies: ReadonlyMap<string, TcpProxy>;
  node(id: string): HarnessNode;
  /** The proxy carrying the one connection between `a` and `b`. */
  proxyBetween(a: string, b: string): TcpProxy;
  /** Blocks every proxied link between nodes of different groups; nodes in no group keep all links. */
  partition(...groups: string[][]): void;
  /** Unblocks every proxy. */
  heal(): void;
  /** Waits until exactly one of the nodes reports role leader and every other one names it as leader. */
  leader(options?: LeaderOptions): Promise<HarnessNode>;
  /**
   * Waits until the nodes (default every running one) agree on a leader, have
   * all applied at least the leader's commit index, and all return identical
   * settings; resolves with those settings. Needs writes to have stopped.
   */
  converged(options?: LeaderOptions): Promise<Record<string, string>>;
  /**
   * Waits until `count` servers (default one per node) are registered with
   * their endpoints, as whichever running node answers sees them: before
   * that, placement has nowhere to put a config (NO_CAPACITY).
   */
  serversRegistered(options?: { count?: number; timeoutMs?: number }): Promise<void>;
  /** Writes a setting and resolves with its log index once a node acknowledged the commit. */
  put(key: string, value: string, options?: WriteOptions): Promise<{ index: number; via: string }>;
  /** Reads a setting (linearizable); undefined when it does not exist. */
  get(key: string, options?: WriteOptions): Promise<string | undefined>;
  /** Polls `condition` every 50 ms until it holds; throws with `description` after `timeoutMs`. */
  waitUntil(
    condition: () => boolean | Promise<boolean>,
    timeoutMs: number,
    description: string,
  ): Promise<void>;
  /** The last lines of every node's output, for failure reports. */
  logTails(lineCount?: number): string;
  /** SIGTERM to every node (SIGKILL after 10 s), then stops the proxies and redis-servers and removes the temp dir. */
  stop(): Promise<Array<{ id: string; exit: NodeExit }>>;
}

const DEFAULT_ELECTION_TIMEOUT_MS = 300;
const DEFAULT_HEARTBEAT_MS = 50;
const DEFAULT_START_TIMEOUT_MS = 60_000;
/**
 * Starting a cluster is tried again, on fresh ports, when a node does not
 * come up: on a loaded machine another process may still take a node's port
 * between choosing it and the node's bind.
 */
const START_ATTEMPTS = 2;
const DEFAULT_WAIT_MS = 15_000;
const STOP_GRACE_MS = 10_000;
const POLL_INTERVAL_MS = 50;
/** Status and readiness polls; a node that takes longer is as good as not answering. */
const PROBE_TIMEOUT_MS = 2_000;
/** Above the node's own request timeout (5 s or more), so its 503 arrives before ours fires. */
const API_TIMEOUT_MS = 12_000;

function describeError(result: ApiResult<unknown>): string {
  return result.ok ? "ok" : `${result.error.status} ${result.error.code}: ${result.error.message}`;
}

/** Polls `condition` every 50 ms until it holds; throws with `description` after `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  description: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await condition()) return;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError === undefined ? "" : ` (last error: ${String(lastError)})`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}${cause}`);
    }
    await sleep(POLL_INTERVAL_MS);
  }
}

/** JSON with keys sorted, so equal maps give equal text. */
function stableJson(record: Record<string, string>): string {
  return JSON.stringify(
    Object.keys(record)
      .sort()
      .map((key) => [key, record[key]]),
  );
}

function describeSettings(result: ApiResult<Record<string, string>>): string {
  return result.ok ? `${Object.keys(result.value).length} keys` : describeError(result);
}

class SpawnedNode implements HarnessNode {
  readonly url: string;
  readonly client: NodeClient;
  /** Same API with a short deadline, for polls. */
  readonly probe: NodeClient;
  private current: NodeProcess;

  constructor(
    readonly id: string,
    readonly port: number,
    readonly redis: RedisServerHandle,
    private currentEnv: Readonly<Record<string, string>>,
    readonly logFile: string,
    private readonly workDir: string,
    private readonly startTimeoutMs: number,
    adminApiToken: string,
    private readonly nodeFlags: readonly string[] = [],
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.client = new NodeClient(this.url, adminApiToken, { timeoutMs: API_TIMEOUT_MS });
    this.probe = new NodeClient(this.url, adminApiToken, { timeoutMs: PROBE_TIMEOUT_MS });
    this.current = this.spawn();
  }

  get pid(): number {
    return this.current.pid;
  }

  get running(): boolean {
    return this.current.running;
  }

  get process(): NodeProcess {
    return this.current;
  }

  get env(): Readonly<Record<string, string>> {
    return this.currentEnv;
  }

  get dataDir(): string {
    // The node's default, relative to its working directory (shared/config.ts).
    return resolve(this.workDir, this.currentEnv.DATA_DIR ?? join(".data", this.id));
  }

  async waitForListening(): Promise<void> {
    await this.current.waitForListening(this.startTimeoutMs);
  }

  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<NodeExit> {
    if (signal === "SIGKILL") return this.current.kill();
    this.current.signal(signal);
    try {
      return await this.current.waitForExit(STOP_GRACE_MS);
    } catch {
      return this.current.kill();
    }
  }

  async restart(changes: Record<string, string | undefined> = {}): Promise<void> {
    if (this.current.running) await this.current.stop(STOP_GRACE_MS);
    const env: Record<string, string> = { ...this.currentEnv };
    for (const [name, value] of Object.entries(changes)) {
      if (value === undefined) delete env[name];
      else env[name] = value;
    }
    this.currentEnv = env;
    this.current = this.spawn();
    await this.waitForListening();
  }

  async status(): Promise<NodeStatus> {
    const result = await this.probe.status();
    if (!result.ok) throw new Error(`${this.id} gave no status: ${describeError(result)}`);
    return result.value;
  }

  async waitForReady(timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    let last = "";
    await waitUntil(
      async () => {
        const ready = await this.probe.readyz();
        last = describeError(ready);
        return ready.ok;
      },
      timeoutMs,
      `${this.id} to be ready`,
    ).catch((error: Error) => {
      // The node's own last lines usually say why (no peer admitted it, no election won).
      throw new Error(
        `${error.message}; last /readyz: ${last}; its output:\n${this.current.tail(30)}`,
      );
    });
  }

  async metrics(): Promise<string> {
    const result = await this.probe.metrics();
    if (!result.ok) throw new Error(`${this.id} gave no metrics: ${describeError(result)}`);
    return result.value;
  }

  stop(): Promise<NodeExit> {
    return this.current.stop(STOP_GRACE_MS);
  }

  private spawn(): NodeProcess {
    return spawnNode({
      env: { ...this.env },
      logFile: this.logFile,
      cwd: this.workDir,
      nodeFlags: this.nodeFlags,
    });
  }
}

/** The pair key of a proxy: the dialing (lower) id first. */
function pairKey(a: string, b: string): string {
  return isDialerFor(a, b) ? `${a}-${b}` : `${b}-${a}`;
}

class HarnessCluster implements Cluster {
  private nextWriter = 0;

  constructor(
    readonly nodes: readonly SpawnedNode[],
    readonly proxies: ReadonlyMap<string, TcpProxy>,
    readonly clusterSecret: string,
    readonly adminApiToken: string,
    readonly dir: string,
    private readonly ownsDir: boolean,
  ) {}

  node(id: string): HarnessNode {
    const found = this.nodes.find((node) => node.id === id);
    if (!found) throw new Error(`no node ${id} in this cluster`);
    return found;
  }

  proxyBetween(a: string, b: string): TcpProxy {
    const proxy = this.proxies.get(pairKey(a, b));
    if (!proxy) throw new Error(`no proxy between ${a} and ${b}; start the cluster withProxies`);
    return proxy;
  }

  partition(...groups: string[][]): void {
    const groupOf = new Map<string, number>();
    groups.forEach((group, index) => {
      for (const id of group) groupOf.set(id, index);
    });
    for (const [key, proxy] of this.proxies) {
      const [a, b] = key.split("-") as [string, string];
      const groupA = groupOf.get(a);
      const groupB = groupOf.get(b);
      if (groupA !== undefined && groupB !== undefined && groupA !== groupB) proxy.block();
    }
  }

  heal(): void {
    for (const proxy of this.proxies.values()) proxy.unblock();
  }

  async leader(options: LeaderOptions = {}): Promise<HarnessNode> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
    let seen = "";
    let found: HarnessNode | undefined;
    await waitUntil(
      async () => {
        const candidates = (options.among ?? this.nodes).filter((node) => node.running);
        const statuses = await Promise.all(candidates.map((node) => node.probe.status()));
        seen = candidates
          .map((node, i) => {
            const status = statuses[i]!;
            return status.ok
              ? `${node.id}: ${status.value.role} term ${status.value.term} leader ${status.value.leaderId}`
              : `${node.id}: ${describeError(status)}`;
          })
          .join("; ");
        const leaders = candidates.filter((_, i) => {
          const status = statuses[i]!;
          return status.ok && status.value.role === "leader";
        });
        if (leaders.length !== 1) return false;
        const leader = leaders[0]!;
        const agreed = statuses.every((status) => status.ok && status.value.leaderId === leader.id);
        if (agreed) found = leader;
        return agreed;
      },
      timeoutMs,
      "exactly one leader that every node agrees on",
    ).catch((error: Error) => {
      throw new Error(`${error.message}; last seen: ${seen}`);
    });
    return found!;
  }

  async converged(options: LeaderOptions = {}): Promise<Record<string, string>> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
    const deadline = Date.now() + timeoutMs;
    const leader = await this.leader({ ...options, timeoutMs });
    const nodes = (options.among ?? this.nodes).filter((node) => node.running);
    let seen = "";
    let agreed: Record<string, string> | undefined;
    await waitUntil(
      async () => {
        const leaderStatus = await leader.probe.status();
        const statuses = await Promise.all(nodes.map((node) => node.probe.status()));
        seen = statuses
          .map((status, i) =>
            status.ok
              ? `${nodes[i]!.id}: applied ${status.value.appliedIndex} commit ${status.value.commitIndex}`
              : `${nodes[i]!.id}: ${describeError(status)}`,
          )
          .join("; ");
        if (!leaderStatus.ok) return false;
        const target = leaderStatus.value.commitIndex;
        if (!statuses.every((status) => status.ok && status.value.appliedIndex >= target)) {
          return false;
        }
        const settings = await Promise.all(nodes.map((node) => node.probe.listSettings()));
        const texts = settings.map((result) => (result.ok ? stableJson(result.value) : ""));
        if (texts.some((text) => text === "" || text !== texts[0])) {
          seen += `; settings differ: ${settings.map(describeSettings).join(" | ")}`;
          return false;
        }
        agreed = (settings[0] as { ok: true; value: Record<string, string> }).value;
        return true;
      },
      Math.max(1, deadline - Date.now()),
      "every node to apply the same entries and return the same settings",
    ).catch((error: Error) => {
      throw new Error(`${error.message}; last seen: ${seen}`);
    });
    return agreed!;
  }

  async serversRegistered(options: { count?: number; timeoutMs?: number } = {}): Promise<void> {
    const count = options.count ?? this.nodes.length;
    const clients = new Map(
      this.nodes.map((node) => [
        node,
        new ControlPlaneClient(node.url, this.adminApiToken, { timeoutMs: PROBE_TIMEOUT_MS }),
      ]),
    );
    let seen = "";
    await waitUntil(
      async () => {
        for (const node of this.nodes.filter((candidate) => candidate.running)) {
          const servers = await clients.get(node)!.servers();
          if (!servers.ok) continue;
          const withEndpoint = servers.value.filter((server) => server.endpointHost !== null);
          seen = `${servers.value.length} registered, ${withEndpoint.length} with an endpoint`;
          return servers.value.length === count && withEndpoint.length === count;
        }
        return false;
      },
      options.timeoutMs ?? DEFAULT_WAIT_MS,
      `${count} servers to register their endpoints`,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; last seen: ${seen || "no answer"}`);
    });
  }

  async put(
    key: string,
    value: string,
    options: WriteOptions = {},
  ): Promise<{ index: number; via: string }> {
    return this.retrying(`PUT ${key}`, options, async (node) => {
      const result = await node.client.putSetting(key, value);
      return result.ok ? { ok: true, value: { index: result.value.index, via: node.id } } : result;
    });
  }

  async get(key: string, options: WriteOptions = {}): Promise<string | undefined> {
    return this.retrying(`GET ${key}`, options, async (node) => {
      const result = await node.client.getSetting(key);
      if (!result.ok && result.error.status === 404) return { ok: true, value: undefined };
      return result.ok ? { ok: true, value: result.value.value } : result;
    });
  }

  waitUntil(
    condition: () => boolean | Promise<boolean>,
    timeoutMs: number,
    description: string,
  ): Promise<void> {
    return waitUntil(condition, timeoutMs, description);
  }

  logTails(lineCount = 40): string {
    return this.nodes
      .map((node) => `=== ${node.id} (${node.logFile})\n${node.process.tail(lineCount)}`)
      .join("\n");
  }

  async stop(): Promise<Array<{ id: string; exit: NodeExit }>> {
    const exits = await Promise.all(
      this.nodes.map(async (node) => ({ id: node.id, exit: await node.stop() })),
    );
    await Promise.all([...this.proxies.values()].map((proxy) => proxy.close()));
    await Promise.all(this.nodes.map((node) => node.redis.cleanup()));
    if (this.ownsDir) await rm(this.dir, { recursive: true, force: true });
    return exits;
  }

  /**
   * Runs `call` on `options.via` or on running nodes in turn until it succeeds,
   * retrying refused connections, timeouts and 503s (no leader yet, write
   * timed out) until the deadline; any other error is final.
   */
  private async retrying<Value>(
    what: string,
    options: WriteOptions,
    call: (node: SpawnedNode) => Promise<ApiResult<Value>>,
  ): Promise<Value> {
    const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_WAIT_MS);
    let lastError = "no node was running";
    for (;;) {
      const node = (options.via as SpawnedNode | undefined) ?? this.nextRunningNode();
      if (node) {
        const result = await call(node);
        if (result.ok) return result.value;
        lastError = `${node.id}: ${describeError(result)}`;
        const retryable = result.error.status === 0 || result.error.status === 503;
        if (!retryable) throw new Error(`${what} failed: ${lastError}`);
      }
      if (Date.now() > deadline) throw new Error(`${what} did not succeed in time: ${lastError}`);
      await sleep(POLL_INTERVAL_MS);
    }
  }

  private nextRunningNode(): SpawnedNode | undefined {
    for (let tried = 0; tried < this.nodes.length; tried++) {
      const node = this.nodes[this.nextWriter % this.nodes.length]!;
      this.nextWriter += 1;
      if (node.running) return node;
    }
    return undefined;
  }
}

/**
 * Starts `size` nodes, each with its own durable redis-server, and resolves
 * once every node has logged "node listening" (not yet once a leader exists:
 * use {@link Cluster.leader}). On failure everything started is stopped and
 * the error carries the nodes' output.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startClusterOnce(options);
    } catch (error) {
      if (
        !(error instanceof ClusterStartError) ||
        !error.worthRetrying ||
        attempt >= START_ATTEMPTS
      ) {
        throw error;
      }
      // Said, not hidden: a node that cannot start is a finding when it keeps happening.
      process.stderr.write(
        `cluster start attempt ${attempt} of ${START_ATTEMPTS} failed; starting again on fresh ports: ${error.message}\n`,
      );
    }
  }
}

class ClusterStartError extends Error {
  constructor(
    message: string,
    readonly worthRetrying: boolean,
  ) {
    super(message);
  }
}

async function startClusterOnce(options: ClusterOptions): Promise<Cluster> {
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "nexaloak-cluster-")));
  const ids = Array.from({ length: options.size }, (_, i) => `n${i + 1}`);
  const clusterSecret = randomBytes(32).toString("hex");
  const dataKeys = formatDataKeys([newDataKey("k1")]);
  const adminApiToken = randomBytes(24).toString("hex");
  const redisServers: RedisServerHandle[] = [];
  const proxies = new Map<string, TcpProxy>();
  const nodes: SpawnedNode[] = [];
  try {
    const ports = await findFreePorts(ids.length);
    const portOf = new Map(ids.map((id, i) => [id, ports[i]!]));
    for (const server of await Promise.all(ids.map(() => startRedisServer(options.redis)))) {
      redisServers.push(server);
    }
    if (options.withProxies) {
      for (const a of ids) {
        for (const b of ids) {
          if (isDialerFor(a, b)) proxies.set(pairKey(a, b), await startTcpProxy(portOf.get(b)!));
        }
      }
    }
    for (const [i, id] of ids.entries()) {
      // Only the dialer's entry for a peer goes through the pair's proxy.
      const peers = ids
        .map((peer) => {
          const proxy = proxies.get(pairKey(id, peer));
          const port = proxy && isDialerFor(id, peer) ? proxy.port : portOf.get(peer)!;
          return `${peer}=ws://127.0.0.1:${port}`;
        })
        .join(",");
      const env: Record<string, string> = {
        NODE_ID: id,
        LISTEN: `127.0.0.1:${portOf.get(id)}`,
        PEERS: peers,
        REDIS_URL: redisServers[i]!.url,
        CLUSTER_SECRET: clusterSecret,
        DATA_KEYS: dataKeys,
        ADMIN_API_TOKEN: adminApiToken,
        LOG_LEVEL: options.logLevel ?? "info",
        HEARTBEAT_MS: String(options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS),
        ELECTION_TIMEOUT_MS: String(options.electionTimeoutMs ?? DEFAULT_ELECTION_TIMEOUT_MS),
        // Harness clusters often give servers documentation addresses as endpoints, which
        // no probe reaches: scheduled ban checks would mark them down mid-run. One round a
        // year (plus the catch-up round at start, which alone never marks a server down).
        BAN_CHECK_CRON: "0 0 1 1 *",
        ...(options.snapshotEveryEntries === undefined
          ? {}
          : { SNAPSHOT_EVERY_ENTRIES: String(options.snapshotEveryEntries) }),
        ...options.env,
        ...options.nodeEnv?.[id],
      };
      const workDir = join(dir, id);
      await mkdir(workDir, { recursive: true });
      nodes.push(
        new SpawnedNode(
          id,
          portOf.get(id)!,
          redisServers[i]!,
          env,
          join(dir, `${id}.log`),
          workDir,
          options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
          adminApiToken,
          options.nodeFlags,
        ),
      );
    }
    await Promise.all(nodes.map((node) => node.waitForListening()));
  } catch (error) {
    const tails = nodes.map((node) => `=== ${node.id}\n${node.process.tail()}`).join("\n");
    // Worth another try unless a node exited for a reason of its own (its settings, say):
    // a port taken meanwhile, or a node that neither listened nor exited, is the machine's doing.
    const worthRetrying = !nodes.some(
      (node) => !node.running && !node.process.output.includes("EADDRINUSE"),
    );
    await Promise.all(nodes.map((node) => node.stop()));
    await Promise.all([...proxies.values()].map((proxy) => proxy.close()));
    await Promise.all(redisServers.map((server) => server.cleanup()));
    // The caller's dir keeps the logs; the nodes' data must not outlive their fresh Redis servers.
    if (ownsDir) await rm(dir, { recursive: true, force: true });
    else await Promise.all(ids.map((id) => rm(join(dir, id), { recursive: true, force: true })));
    throw new ClusterStartError(
      `the cluster did not start: ${(error as Error).message}\n${tails}`,
      worthRetrying,
    );
  }
  return new HarnessCluster(nodes, proxies, clusterSecret, adminApiToken, dir, ownsDir);
}

/**
 * Starts a cluster, runs `body`, and always stops the cluster; when `body`
 * fails, the last lines of every node's output are printed to stderr first.
 */
export async function withCluster<Value>(
  options: ClusterOptions,
  body: (cluster: Cluster) => Promise<Value>,
): Promise<Value> {
  const cluster = await startCluster(options);
  try {
    return await body(cluster);
  } catch (error) {
    process.stderr.write(`\n${cluster.logTails()}\n`);
    throw error;
  } finally {
    await cluster.stop();
  }
}
