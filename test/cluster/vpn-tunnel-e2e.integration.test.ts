/**
 * A real VPN, end to end, through the whole product: a one-node cluster
 * (its own redis-server beside it) runs inside a server network namespace
 * with VPN_DRIVER=wireguard, so the node itself brings up its WireGuard
 * interface (served by wireguard-go), keeps its peers in step with the
 * replicated state and lets its clients out to the internet. A config issued
 * through the admin API configures a client namespace from the exact `.conf`
 * the API returned; the client pings the server's tunnel address and fetches
 * a page from an HTTP server in a third, "internet" namespace that has no
 * route to the clients' subnet, which sees the VPN server's address as the
 * source; the same page at 169.254.169.254 (where a cloud's metadata service
 * answers) is out of the client's reach under the default
 * BLOCKED_DESTINATIONS, though the server reaches it. With a 2 MB quota set through the API, a 3 MB download counts
 * from the interface's own counters, suspends the user and takes the peer
 * off the interface; lifted through the API, the peer returns. After the
 * config is revoked through the API, the ping and the page fail; after the
 * node stops, its nftables table is gone.
 *
 * The client and server namespaces are joined by a veth pair on 192.0.2.0/24
 * (TEST-NET-1), the server and the internet by one on 198.51.100.0/24
 * (TEST-NET-2, the server's default route); both exist only inside the
 * namespaces. The host's interfaces and rules are never touched, and the API
 * is reached from inside the server namespace. Needs root, /dev/net/tun,
 * wireguard-tools, wireguard-go, iproute2, iputils-ping, nftables and
 * redis-server; without them it is skipped, except under CI.
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
import { NAMESPACE_REDIS_PORT, startRedisInNamespace } from "../support/namespace-redis.ts";
import {
  missingNetworkPrerequisites,
  TestNetwork,
  VPN_TOOLS,
} from "../support/network-namespace.ts";
import { parseConf } from "../support/parse-conf.ts";
import { pingsOnce, pingsWithin, startWireGuardClient } from "../support/wireguard-client.ts";

const serverUnderlay = "192.0.2.1";
const clientUnderlay = "192.0.2.2";
/** The server's uplink and the host beyond it: the only way out, and no route back to the clients. */
const serverUplink = "198.51.100.1";
const internetHost = "198.51.100.2";
const internetPort = 8080;
const clientDns = "9.9.9.9";
/** A cloud's metadata service, beyond the uplink as on a real VPS: BLOCKED_DESTINATIONS keeps clients from it. */
const metadataHost = "169.254.169.254";
const wireguardPort = 51820;
/** Inside the server namespace, so nothing else can hold these ports. */
const apiPort = 7001;
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
 * Node's own fetch, run inside a namespace; the request goes in through the
 * environment so nothing is quoted. The token is sent only when given.
 */
const FETCH_SCRIPT = `
const token = process.env.API_TOKEN;
const requestBody = process.env.API_BODY;
const response = await fetch(process.env.API_URL, {
  method: process.env.API_METHOD,
  headers: {
    ...(token ? { authorization: "Bearer " + token } : {}),
    ...(requestBody ? { "content-type": "application/json" } : {}),
  },
  ...(requestBody ? { body: requestBody } : {}),
  signal: AbortSignal.timeout(Number(process.env.FETCH_TIMEOUT_MS)),
});
const text = await response.text();
let body = null;
try { body = JSON.parse(text); } catch {}
process.stdout.write(JSON.stringify({ status: response.status, body }));
`;

/** Fetches `url` from inside `namespace`; status 0 when nothing answered within `timeoutMs`. */
async function fetchInNamespace(
  namespace: string,
  method: "GET" | "POST" | "PUT" | "DELETE",
  url: string,
  options: { token?: string; body?: unknown; timeoutMs: number },
): Promise<ApiAnswer> {
  const result = await runCommand(
    "ip",
    ["netns", "exec", namespace, process.execPath, "--input-type=module", "-e", FETCH_SCRIPT],
    {
      timeoutMs: options.timeoutMs + 5_000,
      environment: {
        API_URL: url,
        API_METHOD: method,
        API_TOKEN: options.token,
        API_BODY: options.body === undefined ? undefined : JSON.stringify(options.body),
        FETCH_TIMEOUT_MS: String(options.timeoutMs),
        NODE_OPTIONS: undefined,
      },
    },
  );
  if (!result.ok) return { status: 0, body: result.error.stderr };
  return JSON.parse(result.value.stdout) as ApiAnswer;
}

/** Calls the node's admin API from inside `namespace`; status 0 when nothing answered. */
function callApi(
  namespace: string,
  method: "GET" | "POST" | "PUT" | "DELETE",
  path: string,
  body?: unknown,
): Promise<ApiAnswer> {
  return fetchInNamespace(namespace, method, `http://127.0.0.1:${apiPort}${path}`, {
    token: adminApiToken,
    body,
    timeoutMs: 10_000,
  });
}

/**
 * An HTTP server that answers every request with the address it came from, as
 * JSON, and /big with 3 MB of it (traffic that counts against a quota).
 */
const REMOTE_ADDRESS_SERVER_SCRIPT = `
import { createServer } from "node:http";
createServer((request, response) => {
  response.setHeader("content-type", "application/json");
  if (request.url === "/big")
    return response.end(JSON.stringify({ padding: "x".repeat(3_000_000) }));
  response.end(JSON.stringify({ remoteAddress: request.socket.remoteAddress }));
}).listen(Number(process.env.PORT), process.env.HOST, () => console.log("listening"));
`;

/** The page (or `path`) the client fetches from the internet host through the tunnel. */
function fetchFromInternet(
  clientNamespace: string,
  timeoutMs: number,
  path = "/",
): Promise<ApiAnswer> {
  return fetchInNamespace(clientNamespace, "GET", `http://${internetHost}:${internetPort}${path}`, {
    timeoutMs,
  });
}

/** How long the node may take to count traffic: the report interval (10 s here), then a check. */
const REPORT_BOUND_MS = 30_000;

const missing = missingNetworkPrerequisites([...VPN_TOOLS, "redis-server"]);

if (missing.length > 0 && !process.env.CI) {
  test.skip(`a real VPN through a node with VPN_DRIVER=wireguard (needs ${missing.join(", ")})`, () => {});
} else {
  test("a config issued through the API carries a client through the node's own WireGuard interface to the internet, not to the cloud's metadata address, until it is revoked, and a stopped node leaves no rules", async () => {
    assert.equal(
      missing,
      [],
      "CI must provide root, the WireGuard tools, redis-server and /dev/net/tun",
    );
    const network = new TestNetwork();
    const started: { redis?: NamespaceProcess; node?: NodeProcess; internet?: NamespaceProcess } =
      {};
    try {
      const serverNamespace = await network.addNamespace("e2s");
      const clientNamespace = await network.addNamespace("e2c");
      await network.link(
        { namespace: serverNamespace, address: `${serverUnderlay}/24` },
        { namespace: clientNamespace, address: `${clientUnderlay}/24` },
      );
      const internetNamespace = await network.addNamespace("e2i");
      await network.link(
        { namespace: serverNamespace, address: `${serverUplink}/24` },
        { namespace: internetNamespace, address: `${internetHost}/24` },
      );
      await network.addDefaultRoute(serverNamespace, internetHost);
      await network.exec(internetNamespace, "ip", [
        "addr",
        "add",
        `${metadataHost}/32`,
        "dev",
        "lo",
      ]);
      // The same page on both addresses: only the node's rules can tell them apart.
      started.internet = startInNamespace(
        internetNamespace,
        process.execPath,
        ["--input-type=module", "-e", REMOTE_ADDRESS_SERVER_SCRIPT],
        { env: { HOST: "0.0.0.0", PORT: String(internetPort), NODE_OPTIONS: undefined } },
      );
      await started.internet.waitForOutput(/listening/, 15_000);
      const serverInterface = network.wireGuardInterfaceName();
      const egressTable = `nexaloak_${serverInterface}`;
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
      started.redis = await startRedisInNamespace(serverNamespace, redisDir);
      const node = spawnNode({
        networkNamespace: serverNamespace,
        cwd: network.directory,
        logFile: join(network.directory, "n1.log"),
        env: {
          NODE_ID: "n1",
          LISTEN: `127.0.0.1:${apiPort}`,
          PEERS: `n1=ws://127.0.0.1:${apiPort}`,
          REDIS_URL: `redis://127.0.0.1:${NAMESPACE_REDIS_PORT}`,
          CLUSTER_SECRET: randomBytes(32).toString("hex"),
          DATA_KEYS: formatDataKeys([newDataKey("k1")]),
          ADMIN_API_TOKEN: adminApiToken,
          HEARTBEAT_MS: "50",
          ELECTION_TIMEOUT_MS: "300",
          VPN_DRIVER: "wireguard",
          WG_INTERFACE: serverInterface,
          WG_PORT: String(wireguardPort),
          PUBLIC_HOST: serverUnderlay,
          CLIENT_DNS: clientDns,
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
        assert.is(parsed.interface.DNS, clientDns, "the node's CLIENT_DNS");
        assert.is(parsed.interface.MTU, "1280", "the default WG_MTU");
        const link = JSON.parse(
          await network.exec(serverNamespace, "ip", ["-j", "link", "show", "dev", serverInterface]),
        ) as { mtu: number }[];
        assert.is(link[0]?.mtu, 1280, "the server interface has the same MTU");
        const table = await network.exec(serverNamespace, "nft", [
          "list",
          "table",
          "inet",
          egressTable,
        ]);
        assert.match(table, /masquerade/);
        assert.match(table, /drop/, "clients are kept from each other");
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
          routes: [`${tunnelAddress}/32`, `${internetHost}/32`, `${metadataHost}/32`],
          directory: network.directory,
        });
        assert.ok(
          await pingsWithin(clientNamespace, tunnelAddress, 10),
          `the client pings ${tunnelAddress} through the tunnel`,
        );
        const page = await fetchFromInternet(clientNamespace, 10_000);
        assert.is(page.status, 200, JSON.stringify(page.body));
        assert.equal(
          page.body,
          { remoteAddress: serverUplink },
          "the internet host sees the VPN server's address",
        );
        const metadataUrl = `http://${metadataHost}:${internetPort}/`;
        const fromClient = await fetchInNamespace(clientNamespace, "GET", metadataUrl, {
          timeoutMs: 3_000,
        });
        assert.is(fromClient.status, 0, "the metadata address is blocked by default");
        const fromServer = await fetchInNamespace(serverNamespace, "GET", metadataUrl, {
          timeoutMs: 3_000,
        });
        assert.is(
          fromServer.status,
          200,
          "the server itself reaches it: only clients are kept out",
        );
        process.stdout.write(
          `  node registered with its interface up ${serverUpMs} ms after start; client fetched from the internet ${Date.now() - startedAt} ms after start\n`,
        );

        // A quota: the node counts the interface's own counters and takes the peer off at 100 %.
        const interval = await callApi(
          serverNamespace,
          "PUT",
          "/v1/settings/trafficReportSeconds",
          {
            value: "10",
          },
        );
        assert.is(interval.status, 200, JSON.stringify(interval.body));
        const quota = await callApi(serverNamespace, "PUT", "/v1/users/5001/quota", {
          quotaGb: 0.002,
        });
        assert.is(quota.status, 200, JSON.stringify(quota.body));
        const big = await fetchFromInternet(clientNamespace, 20_000, "/big");
        assert.is(big.status, 200, "3 MB through the tunnel");
        const countedAt = Date.now();
        let usage: { usedBytes: number; downloadBytes: number; suspended: boolean } | undefined;
        await waitUntil(
          async () => {
            const answer = await callApi(serverNamespace, "GET", "/v1/users/5001/usage");
            usage = (answer.body as { usage?: typeof usage } | null)?.usage;
            return usage?.suspended === true;
          },
          REPORT_BOUND_MS,
          "the node to report the download and the user to be suspended",
        );
        assert.ok(usage!.downloadBytes > 3_000_000, `3 MB and more counted: ${usage!.usedBytes}`);
        await waitUntil(
          async () => !(await serverPeers()).includes(clientPublicKey),
          REVOKE_BOUND_MS,
          "the node to take the suspended user's peer off its interface",
        );
        assert.not.ok(await pingsOnce(clientNamespace, tunnelAddress), "suspended: no tunnel");
        process.stdout.write(
          `  ${usage!.usedBytes} bytes counted and the peer off the interface ${Date.now() - countedAt} ms after the download\n`,
        );
        const lifted = await callApi(serverNamespace, "PUT", "/v1/users/5001/quota", {
          lift: true,
        });
        assert.is(lifted.status, 200, JSON.stringify(lifted.body));
        await waitUntil(
          async () => (await serverPeers()).includes(clientPublicKey),
          REVOKE_BOUND_MS,
          "the node to put the lifted user's peer back",
        );
        // The client still holds its session from before the suspension, which the
        // re-added peer does not know: WireGuard starts a new handshake only after
        // 15 s without an answer (keepalive 10 s + rekey timeout 5 s).
        assert.ok(
          await pingsWithin(clientNamespace, tunnelAddress, 25),
          "lifted: the tunnel works",
        );
        const notSuspended = await callApi(serverNamespace, "PUT", "/v1/users/5001/quota", {
          lift: true,
        });
        assert.is(notSuspended.status, 409, "nothing to lift twice");

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
        const afterRevoke = await fetchFromInternet(clientNamespace, 3_000);
        assert.is(afterRevoke.status, 0, "the internet is out of reach once the config is revoked");
        process.stdout.write(
          `  peer gone and ping failing ${Date.now() - revokedAt} ms after the revoke\n`,
        );

        const exit = await node.stop(10_000);
        started.node = undefined;
        assert.is(exit.code, 0, "the node stopped on SIGTERM");
        const tables = await network.exec(serverNamespace, "nft", ["list", "tables"]);
        assert.not.match(tables, egressTable, "the node's table is gone");
        assert.equal(
          await serverPeers(),
          [probePeerKey],
          "the interface outlives the node, with its peers as last synced",
        );
      } catch (error) {
        process.stderr.write(`\n=== node output\n${node.tail(60)}\n`);
        throw error;
      }
    } finally {
      // The node first, while its Redis still answers, then whatever else runs in the namespaces.
      await started.node?.stop(10_000);
      await started.redis?.stop(10_000);
      await started.internet?.stop(10_000);
      network.tearDown();
    }
    assert.equal(network.leftoverNamespaces(), [], "namespaces deleted");
  });
}

test.run();
