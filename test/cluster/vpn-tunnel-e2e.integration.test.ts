/**
 * A real tunnel, end to end, through the whole product: a one-node cluster
 * (its own redis-server beside it) runs inside a server network namespace
 * with VPN_DRIVER=wireguard, so the node itself brings up its WireGuard
 * interface (served by wireguard-go) and keeps its peers in step with the
 * replicated state. A config issued through the admin API configures a client
 * namespace from the exact `.conf` the API returned; the client pings the
 * server's tunnel address; after the config is revoked through the API, the
 * ping fails.
 *
 * The namespaces are joined by a veth pair on 192.0.2.0/24 (TEST-NET-1) that
 * exists only inside them; the host's interfaces are never touched, and the
 * API is reached from inside the server namespace. Needs root, /dev/net/tun,
 * wireguard-tools, wireguard-go, iproute2, iputils-ping and redis-server;
 * without them it is skipped, except under CI.
 */

import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCommand } from "../../cluster/agent/run-command.ts";
import { waitUntil } from "../../scripts/lib/cluster-harness.ts";
import { type NodeProcess, spawnNode } from "../../scripts/lib/node-process.ts";
import { formatDataKeys, newDataKey } from "../../shared/crypto/data-keys.ts";
import { type NamespaceProcess, startInNamespace } from "../support/namespace-process.ts";
import { missingNetworkPrerequisites, TestNetwork } from "../support/network-namespace.ts";
import { parseConf } from "../support/parse-conf.ts";
import { pingsOnce, pingsWithin, startWireGuardClient } from "../support/wireguard-client.ts";

const serverUnderlay = "192.0.2.1";
const clientUnderlay = "192.0.2.2";
const wireguardPort = 51820;
/** Inside the server namespace, so nothing else can hold these ports. */
const apiPort = 7001;
const redisPort = 6379;
const adminApiToken = randomBytes(24).toString("hex");
/** How long the node may take to drop a revoked peer: the agent debounces, then syncs. */
const REVOKE_BOUND_MS = 15_000;

/** `wg pubkey`: the public key WireGuard itself derives from `privateKey`. */
async function wgPublicKey(privateKey: string): Promise<string> {
  const result = await runCommand("wg", ["pubkey"], {
    timeoutMs: 15_000,
    stdin: `${privateKey}\n`,
  });
  if (!result.ok) throw new Error(result.error.message);
  return result.value.stdout.trim();
}

interface ApiAnswer {
  status: number;
  body: unknown;
}

/** The fields of a listed server this test reads. */
interface ServerSeen {
  id: string;
  status: string;
  endpointHost: string | null;
  probePeer: { publicKey: string } | null;
  tunnelAddress: string;
}

/**
 * Node's own fetch, run inside the server namespace, where the node's port
 * is; the request goes in through the environment so nothing is quoted.
 */
const FETCH_SCRIPT = `
const response = await fetch(process.env.API_URL, {
  method: process.env.API_METHOD,
  headers: { authorization: "Bearer " + process.env.API_TOKEN },
  signal: AbortSignal.timeout(10000),
});
const text = await response.text();
let body = null;
try { body = JSON.parse(text); } catch {}
process.stdout.write(JSON.stringify({ status: response.status, body }));
`;

/** Calls the node's admin API from inside `namespace`; status 0 when nothing answered. */
async function callApi(
  namespace: string,
  method: "GET" | "POST" | "DELETE",
  path: string,
): Promise<ApiAnswer> {
  const result = await runCommand(
    "ip",
    ["netns", "exec", namespace, process.execPath, "--input-type=module", "-e", FETCH_SCRIPT],
    {
      timeoutMs: 15_000,
      environment: {
        API_URL: `http://127.0.0.1:${apiPort}${path}`,
        API_METHOD: method,
        API_TOKEN: adminApiToken,
        NODE_OPTIONS: undefined,
      },
    },
  );
  if (!result.ok) return { status: 0, body: result.error.stderr };
  return JSON.parse(result.value.stdout) as ApiAnswer;
}

/** redis-server inside `namespace`, durable as the node demands. */
function startRedis(namespace: string, dataDir: string): NamespaceProcess {
  return startInNamespace(namespace, "redis-server", [
    "--port",
    String(redisPort),
    "--bind",
    "127.0.0.1",
    "--dir",
    dataDir,
    "--save",
    "",
    "--appendonly",
    "yes",
    "--appendfsync",
    "always",
    "--daemonize",
    "no",
    "--logfile",
    "",
  ]);
}

const missing = missingNetworkPrerequisites([
  "ip",
  "wg",
  "wg-quick",
  "wireguard-go",
  "ping",
  "redis-server",
]);

if (missing.length > 0 && !process.env.CI) {
  test.skip(`a real tunnel through a node with VPN_DRIVER=wireguard (needs ${missing.join(", ")})`, () => {});
} else {
  test("a config issued through the API carries a client through the node's own WireGuard interface until it is revoked", async () => {
    assert.equal(
      missing,
      [],
      "CI must provide root, the WireGuard tools, redis-server and /dev/net/tun",
    );
    const network = new TestNetwork();
    const started: { redis?: NamespaceProcess; node?: NodeProcess } = {};
    try {
      const serverNamespace = await network.addNamespace("e2s");
      const clientNamespace = await network.addNamespace("e2c");
      await network.link(
        { namespace: serverNamespace, address: `${serverUnderlay}/24` },
        { namespace: clientNamespace, address: `${clientUnderlay}/24` },
      );
      const serverInterface = network.wireGuardInterfaceName();
      const serverPeers = async () => {
        const listed = await network.exec(serverNamespace, "wg", [
          "show",
          serverInterface,
          "peers",
        ]);
        return listed.split("\n").filter(Boolean);
      };
      const redisDir = join(network.directory, "redis");
      mkdirSync(redisDir);
      started.redis = startRedis(serverNamespace, redisDir);
      const node = spawnNode({
        networkNamespace: serverNamespace,
        cwd: network.directory,
        logFile: join(network.directory, "n1.log"),
        env: {
          NODE_ID: "n1",
          LISTEN: `127.0.0.1:${apiPort}`,
          PEERS: `n1=ws://127.0.0.1:${apiPort}`,
          REDIS_URL: `redis://127.0.0.1:${redisPort}`,
          CLUSTER_SECRET: randomBytes(32).toString("hex"),
          DATA_KEYS: formatDataKeys([newDataKey("k1")]),
          ADMIN_API_TOKEN: adminApiToken,
          HEARTBEAT_MS: "50",
          ELECTION_TIMEOUT_MS: "300",
          VPN_DRIVER: "wireguard",
          WG_INTERFACE: serverInterface,
          WG_PORT: String(wireguardPort),
          PUBLIC_HOST: serverUnderlay,
          DATA_DIR: join(network.directory, "data"),
          // One catch-up check at start, and no scheduled round that a run across a
          // five-minute boundary would add: two would mark this unreachable server down.
          BAN_CHECK_CRON: "0 0 1 1 *",
        },
      });
      started.node = node;
      try {
        const startedAt = Date.now();
        await node.waitForListening(60_000);

        let server: ServerSeen | undefined;
        await waitUntil(
          async () => {
            const answer = await callApi(serverNamespace, "GET", "/v1/servers");
            const servers = (answer.body as { servers?: ServerSeen[] } | null)?.servers;
            server = servers?.find((candidate) => candidate.id === "n1");
            return server?.status === "active" && server.endpointHost === serverUnderlay;
          },
          30_000,
          "the node to register its server with its public host",
        );
        // The interface comes up with one peer: the ban checks' probe peer, which the node
        // registers for its own server.
        let probePeerKey: string | undefined;
        await waitUntil(
          async () => {
            const answer = await callApi(serverNamespace, "GET", "/v1/servers");
            const servers = (answer.body as { servers?: ServerSeen[] } | null)?.servers;
            probePeerKey = servers?.find((candidate) => candidate.id === "n1")?.probePeer
              ?.publicKey;
            const peers = await serverPeers();
            return probePeerKey !== undefined && peers.length === 1 && peers[0] === probePeerKey;
          },
          15_000,
          "the node to bring up its WireGuard interface with the probe peer",
        );

        const serverUpMs = Date.now() - startedAt;
        const issued = await callApi(serverNamespace, "POST", "/v1/users/5001/configs");
        assert.is(issued.status, 201, JSON.stringify(issued.body));
        const { config, conf } = issued.body as {
          config: { id: string; address: string };
          conf: string;
        };
        const parsed = parseConf(conf);
        assert.is(parsed.peers[0]?.Endpoint, `${serverUnderlay}:${wireguardPort}`);
        assert.is(parsed.interface.Address, `${config.address}/32`);
        const clientPublicKey = await wgPublicKey(parsed.interface.PrivateKey!);
        await waitUntil(
          async () => (await serverPeers()).includes(clientPublicKey),
          15_000,
          "the node to add the new config's peer to its interface",
        );

        const { tunnelAddress } = server!;
        await startWireGuardClient(network, {
          namespace: clientNamespace,
          interfaceName: network.wireGuardInterfaceName(),
          conf,
          routes: [`${tunnelAddress}/32`],
          directory: network.directory,
        });
        assert.ok(
          await pingsWithin(clientNamespace, tunnelAddress, 10),
          `the client pings ${tunnelAddress} through the tunnel`,
        );
        process.stdout.write(
          `  node registered with its interface up ${serverUpMs} ms after start; client reached the server ${Date.now() - startedAt} ms after start\n`,
        );

        const revoked = await callApi(serverNamespace, "DELETE", `/v1/configs/${config.id}`);
        assert.is(revoked.status, 200, JSON.stringify(revoked.body));
        const revokedAt = Date.now();
        await waitUntil(
          async () => !(await serverPeers()).includes(clientPublicKey),
          REVOKE_BOUND_MS,
          "the node to remove the revoked config's peer",
        );
        assert.not.ok(
          await pingsOnce(clientNamespace, tunnelAddress),
          "the ping fails once the config is revoked",
        );
        assert.not.ok(await pingsOnce(clientNamespace, tunnelAddress), "and keeps failing");
        process.stdout.write(
          `  peer gone and ping failing ${Date.now() - revokedAt} ms after the revoke\n`,
        );
      } catch (error) {
        process.stderr.write(`\n=== node output\n${node.tail(60)}\n`);
        throw error;
      }
    } finally {
      // The node first, while its Redis still answers, then whatever else runs in the namespaces.
      await started.node?.stop(10_000);
      await started.redis?.stop(10_000);
      network.tearDown();
    }
    assert.equal(network.leftoverNamespaces(), [], "namespaces deleted");
  });
}

test.run();
