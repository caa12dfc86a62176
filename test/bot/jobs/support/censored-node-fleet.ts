/**
 * Real node processes around a censored network (censored-network.ts): the
 * servers A, B and C are nodes n1, n2 and n3, each `app/main.ts` run inside
 * its server's namespace with its own redis-server there, forming one Raft
 * cluster over the namespaces' links. Every node offers WireGuard and
 * Shadowsocks (`PROTOCOLS=wireguard,shadowsocks`): it brings up its own
 * WireGuard interface (wireguard-go) and runs ss-manager, and registers its
 * own ban-check probes, the WireGuard probe peer and the Shadowsocks probe
 * port. The leader schedules the ban checks (a round every three seconds) and
 * probes as the control from its own namespace, outside the censored
 * network; the vantages are real probe agents in van1 and van2, one ISP,
 * registered through the admin API and reached at their own addresses over
 * HTTPS, pinned. The leader runs the bot against the Telegram emulator here,
 * reached from the namespaces through a relay; the test reaches each node's
 * admin API through a forwarded port (test/support/namespace-port.ts).
 */

import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { waitUntil } from "../../../../scripts/lib/cluster-harness.ts";
import { type HttpJsonResponse, requestJson } from "../../../../scripts/lib/http-json.ts";
import { NodeClient } from "../../../../scripts/lib/node-client.ts";
import { type NodeProcess, spawnNode } from "../../../../scripts/lib/node-process.ts";
import {
  createTelegramEmulator,
  type TelegramEmulator,
} from "../../../../scripts/telegram-emulator/emulator.ts";
import { formatDataKeys, newDataKey } from "../../../../shared/crypto/data-keys.ts";
import { sleep } from "../../../../shared/sleep.ts";
import { exposeToNamespaces, forwardNamespacePort } from "../../../support/namespace-port.ts";
import { NAMESPACE_REDIS_PORT, startRedisInNamespace } from "../../../support/namespace-redis.ts";
import { TestNetwork } from "../../../support/network-namespace.ts";
import { runCleanups } from "../../../support/run-cleanups.ts";
import { TOKEN } from "../../support/bot-cluster.ts";
import { BAN_AFTER, SERVER_IDS, startProbeAgent } from "./censored-fleet.ts";
import {
  buildCensoredNetwork,
  type CensoredNetwork,
  SERVER_NAMES,
  type ServerName,
} from "./censored-network.ts";

// The same thresholds and node ids as the in-process fleet.
export { BAN_AFTER, SERVER_IDS };

/** A round every three seconds, each probe given two: a round is over before the next begins. */
export const ROUND_MS = 3000;
const PROBE_TIMEOUT_MS = 2000;
/** Every vantage's ISP label: one group, so two failing vantages can filter. */
export const ISP = "mci";
/** The Telegram user who becomes the bot's admin on /start. */
export const ADMIN_ID = 7100;
/** Each node's one port (API, peers, `/healthz`), on every address of its namespace. */
export const API_PORT = 7001;
export const WIREGUARD_PORT = 51820;
/** Where the Telegram emulator is reached from inside the server namespaces. */
const TELEGRAM_PORT = 8081;
const STARTUP_MS = 90_000;
/** Writes may meet an election or a node still starting: retried this long. */
const API_RETRY_MS = 15_000;

/** The fields of a listed server the tests read. */
export const serverViewSchema = z.object({
  id: z.string(),
  status: z.string(),
  statusReason: z.string(),
  endpointHost: z.string().nullable(),
  tunnelAddress: z.string(),
  probePeer: z.object({ publicKey: z.string() }).nullable(),
  shadowsocksProbe: z.object({ port: z.number() }).nullable(),
  blockedProtocols: z.array(z.object({ protocol: z.string(), isps: z.array(z.string()) })),
  checks: z.object({
    recent: z.array(
      z.object({ round: z.number(), verdict: z.string(), evidence: z.string(), at: z.number() }),
    ),
  }),
});
export type ServerView = z.infer<typeof serverViewSchema>;

/** The fields of a listed config the tests read. */
export const configViewSchema = z.object({
  id: z.string(),
  serverId: z.string(),
  protocol: z.string(),
  address: z.string(),
  revokedAt: z.number().nullable(),
  revokeReason: z.string().nullable(),
});
export type ConfigView = z.infer<typeof configViewSchema>;

/** One node: its process, its Redis and its admin API as reached from here. */
interface RunningNode {
  id: string;
  process: NodeProcess;
  client: NodeClient;
}

export interface CensoredNodeFleet {
  network: TestNetwork;
  censored: CensoredNetwork;
  emulator: TelegramEmulator;
  /** A directory for the test's files, removed with the fleet. */
  directory: string;
  /** Calls the admin API of the node that leads now, retrying while there is none. */
  api(
    method: "GET" | "POST" | "PUT" | "DELETE",
    path: string,
    body?: unknown,
  ): Promise<HttpJsonResponse>;
  /** Every server as the leader has it. */
  servers(): Promise<ServerView[]>;
  server(name: ServerName): Promise<ServerView>;
  /** A user's configs, live and retired, as the leader has them. */
  configsOf(userId: number): Promise<ConfigView[]>;
  /** The addresses the server's WireGuard interface routes to its peers now, with their prefixes. */
  peerAddresses(name: ServerName): Promise<string[]>;
  /** Stops and removes everything; safe to call more than once. */
  tearDown(): Promise<void>;
}

function parsed<Schema extends z.ZodType>(
  schema: Schema,
  response: HttpJsonResponse,
  what: string,
): z.infer<Schema> {
  const result = schema.safeParse(response.body);
  if (!result.success)
    throw new Error(`${what}: unexpected answer ${response.status} ${response.text.slice(0, 500)}`);
  return result.data;
}

/** Builds the network, starts the nodes, the probe agents and the emulator, and registers the vantages. */
export async function startCensoredNodeFleet(): Promise<CensoredNodeFleet> {
  const network = new TestNetwork();
  const directory = network.directory;
  const cleanups: Array<() => Promise<void>> = [];
  const nodes: RunningNode[] = [];
  let tornDown = false;
  const tearDown = async () => {
    if (tornDown) return;
    tornDown = true;
    await runCleanups(cleanups);
    network.tearDown();
  };
  const logTails = () => nodes.map((node) => `=== ${node.id}\n${node.process.tail(60)}`).join("\n");

  const leaderClient = async (): Promise<NodeClient> => {
    let leader: NodeClient | undefined;
    await waitUntil(
      async () => {
        const statuses = await Promise.all(nodes.map((node) => node.client.status()));
        const leaderIds = statuses.map((status) => (status.ok ? status.value.leaderId : null));
        const leading = nodes.find(
          (node, index) => statuses[index]!.ok && leaderIds.every((id) => id === node.id),
        );
        leader = leading?.client;
        return leader !== undefined;
      },
      API_RETRY_MS,
      "a leader every node names",
    );
    return leader!;
  };
  const api: CensoredNodeFleet["api"] = async (method, path, body) => {
    const deadline = Date.now() + API_RETRY_MS;
    for (;;) {
      const leader = await leaderClient();
      // To the leader's own forwarded port: a follower's hint names an address only the namespaces reach.
      const response = await requestJson(`${leader.baseUrl}${path}`, {
        method,
        body,
        bearerToken: adminApiToken,
        timeoutMs: 12_000,
      });
      const retryable = response.status === 0 || response.status === 421 || response.status === 503;
      if (!retryable || Date.now() > deadline) return response;
      await sleep(100);
    }
  };
  const servers = async () =>
    parsed(
      z.object({ servers: z.array(serverViewSchema) }),
      await api("GET", "/v1/servers"),
      "GET /v1/servers",
    ).servers;
  const adminApiToken = randomBytes(24).toString("hex");

  try {
    const censored = await buildCensoredNetwork(network);
    const serverNamespaces = SERVER_NAMES.map((name) => censored.servers[name].namespace);
    const emulator = await createTelegramEmulator({ tokens: [TOKEN] });
    cleanups.push(() => emulator.stop());
    const telegram = await exposeToNamespaces(
      Number(new URL(emulator.apiRoot).port),
      serverNamespaces,
      TELEGRAM_PORT,
      join(directory, "telegram.sock"),
    );
    cleanups.push(() => telegram.close());

    const peers = SERVER_NAMES.map(
      (name) => `${SERVER_IDS[name]}=ws://${censored.servers[name].address}:${API_PORT}`,
    ).join(",");
    const shared = {
      PEERS: peers,
      CLUSTER_SECRET: randomBytes(32).toString("hex"),
      DATA_KEYS: formatDataKeys([newDataKey("k1")]),
      ADMIN_API_TOKEN: adminApiToken,
      // Looser than the harness's 50/300: six busy processes share two cores here.
      HEARTBEAT_MS: "100",
      ELECTION_TIMEOUT_MS: "1000",
      LISTEN: `0.0.0.0:${API_PORT}`,
      REDIS_URL: `redis://127.0.0.1:${NAMESPACE_REDIS_PORT}`,
      VPN_DRIVER: "wireguard",
      WG_PORT: String(WIREGUARD_PORT),
      PROTOCOLS: "wireguard,shadowsocks",
      SS_PORTS: "20000-20009",
      SS_METHOD: "chacha20-ietf-poly1305",
      BAN_CHECK_CRON: `*/${ROUND_MS / 1000} * * * * *`,
      BAN_AFTER: String(BAN_AFTER),
      DOWN_AFTER: String(BAN_AFTER),
      PROBE_TIMEOUT_MS: String(PROBE_TIMEOUT_MS),
      BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: `http://127.0.0.1:${TELEGRAM_PORT}`,
      ADMIN_IDS: String(ADMIN_ID),
      LOG_LEVEL: "info",
    };
    for (const name of SERVER_NAMES) {
      const { namespace, address } = censored.servers[name];
      const id = SERVER_IDS[name];
      const nodeDirectory = join(directory, id);
      mkdirSync(join(nodeDirectory, "redis"), { recursive: true });
      const redis = await startRedisInNamespace(namespace, join(nodeDirectory, "redis"));
      cleanups.push(() => redis.stop(10_000));
      const node = spawnNode({
        networkNamespace: namespace,
        cwd: nodeDirectory,
        logFile: join(directory, `${id}.log`),
        env: {
          ...shared,
          NODE_ID: id,
          PUBLIC_HOST: address,
          WG_INTERFACE: network.wireGuardInterfaceName(),
          DATA_DIR: join(nodeDirectory, "data"),
        },
      });
      // The node before its Redis: it hands over leadership and takes ss-manager down.
      cleanups.push(async () => {
        await node.stop(10_000);
      });
      const forwarded = await forwardNamespacePort(
        namespace,
        { host: "127.0.0.1", port: API_PORT },
        join(directory, `${id}-api.sock`),
      );
      cleanups.push(() => forwarded.close());
      const client = new NodeClient(`http://127.0.0.1:${forwarded.port}`, adminApiToken, {
        timeoutMs: 5_000,
      });
      nodes.push({ id, process: node, client });
    }

    const vantageToken = randomBytes(24).toString("hex");
    const vantages = await Promise.all(
      censored.vantages.map(({ namespace, address }) =>
        startProbeAgent(namespace, vantageToken, directory, cleanups, address),
      ),
    );
    await Promise.all(nodes.map((node) => node.process.waitForListening(STARTUP_MS)));
    await waitUntil(
      async () => {
        const listed = await servers();
        return (
          listed.length === SERVER_NAMES.length &&
          listed.every(
            (server) =>
              server.endpointHost !== null &&
              server.probePeer !== null &&
              server.shadowsocksProbe !== null,
          )
        );
      },
      STARTUP_MS,
      "every node to register its server with its WireGuard and Shadowsocks probes",
    );
    for (const [index, vantage] of vantages.entries()) {
      const added = await api("POST", "/v1/probes", {
        id: `van${index + 1}`,
        url: vantage.url,
        token: vantageToken,
        isp: ISP,
        certSha256: vantage.certSha256,
      });
      if (added.status !== 201) throw new Error(`POST /v1/probes: ${added.status} ${added.text}`);
    }
    await emulator.waitForPolling(STARTUP_MS);

    return {
      network,
      censored,
      emulator,
      directory,
      api,
      servers,
      async server(name) {
        const found = (await servers()).find((server) => server.id === SERVER_IDS[name]);
        if (!found) throw new Error(`server ${name} is not listed`);
        return found;
      },
      async configsOf(userId) {
        return parsed(
          z.object({ configs: z.array(configViewSchema) }),
          await api("GET", `/v1/users/${userId}/configs`),
          `the configs of user ${userId}`,
        ).configs;
      },
      async peerAddresses(name) {
        const listed = await network.exec(censored.servers[name].namespace, "wg", [
          "show",
          "all",
          "allowed-ips",
        ]);
        // One line per peer: interface, public key, its addresses separated by spaces.
        return listed.split("\n").flatMap((line) => (line.split("\t")[2] ?? "").split(" "));
      },
      tearDown,
    };
  } catch (error) {
    const tails = logTails();
    await tearDown();
    throw new Error(`the fleet did not start: ${(error as Error).message}\n${tails}`);
  }
}
