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
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, constants as fsConstants, mkdirSync, readFileSync, rmSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCommand } from "../../cluster/agent/run-command.ts";
import { waitUntil } from "../../scripts/lib/cluster-harness.ts";
import { diesWithParent } from "../../scripts/lib/executables.ts";
import { type NodeProcess, spawnNode } from "../../scripts/lib/node-process.ts";
import { parseConf } from "./agent/support/parse-conf.ts";

const suffix = randomBytes(3).toString("hex");
const serverNamespace = `nxl-e2s-${suffix}`;
const clientNamespace = `nxl-e2c-${suffix}`;
// wireguard-go keeps its socket at /var/run/wireguard/<name>.sock whatever the namespace: names must be unique.
const serverInterface = `nxe${suffix}s`;
const clientInterface = `nxe${suffix}c`;
const serverVeth = `nxw${suffix}s`;
const clientVeth = `nxw${suffix}c`;
const serverUnderlay = "192.0.2.1";
const clientUnderlay = "192.0.2.2";
const wireguardPort = 51820;
/** Inside the server namespace, so nothing else can hold these ports. */
const apiPort = 7001;
const redisPort = 6379;
const adminApiToken = randomBytes(24).toString("hex");
/** How long the node may take to drop a revoked peer: the agent debounces, then syncs. */
const REVOKE_BOUND_MS = 15_000;

function missingPrerequisites(): string[] {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push("root");
  for (const tool of ["ip", "wg", "wg-quick", "wireguard-go", "ping", "redis-server"]) {
    const found = spawnSync("sh", ["-c", 'command -v "$0"', tool], { timeout: 5_000 });
    if (found.status !== 0) missing.push(tool);
  }
  try {
    accessSync("/dev/net/tun", fsConstants.R_OK | fsConstants.W_OK);
  } catch {
    missing.push("/dev/net/tun");
  }
  return missing;
}

/** Runs a command that must succeed; the error names the command and its stderr. */
async function must(file: string, args: string[], stdin?: string): Promise<string> {
  const result = await runCommand(file, args, {
    timeoutMs: 15_000,
    environment: { LOG_LEVEL: undefined },
    ...(stdin === undefined ? {} : { stdin }),
  });
  if (!result.ok) throw new Error(result.error.message);
  return result.value.stdout;
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

/** Calls the node's admin API from inside its namespace; status 0 when nothing answered. */
async function callApi(method: "GET" | "POST" | "DELETE", path: string): Promise<ApiAnswer> {
  const result = await runCommand(
    "ip",
    ["netns", "exec", serverNamespace, process.execPath, "--input-type=module", "-e", FETCH_SCRIPT],
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

async function pings(target: string): Promise<boolean> {
  const ping = await runCommand(
    "ip",
    ["netns", "exec", clientNamespace, "ping", "-n", "-c", "1", "-W", "1", target],
    { timeoutMs: 10_000 },
  );
  return ping.ok;
}

async function serverPeers(): Promise<string[]> {
  const listed = await must("ip", [
    "netns",
    "exec",
    serverNamespace,
    "wg",
    "show",
    serverInterface,
    "peers",
  ]);
  return listed.split("\n").filter(Boolean);
}

function pidsIn(namespace: string): number[] {
  const listed = spawnSync("ip", ["netns", "pids", namespace], {
    encoding: "utf8",
    timeout: 5_000,
  });
  return (listed.stdout ?? "")
    .split("\n")
    .filter((line) => /^\d+$/.test(line))
    .map(Number);
}

/**
 * True while the process runs. A child of this process that has exited stays
 * a zombie until the event loop reaps it, which a synchronous wait never
 * lets happen, so a zombie counts as gone.
 */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** Sends `signal` to each PID, waits up to `graceMs` for them to go, then SIGKILLs the rest. */
function stopPids(pids: readonly number[], signal: NodeJS.Signals, graceMs: number): void {
  for (const pid of pids.filter(isRunning)) process.kill(pid, signal);
  const deadline = Date.now() + graceMs;
  while (pids.some(isRunning) && Date.now() < deadline) spawnSync("sleep", ["0.05"]);
  for (const pid of pids.filter(isRunning)) process.kill(pid, "SIGKILL");
}

/** What the test started, for the teardown. */
interface Started {
  tempDir: string | null;
  node: NodeProcess | null;
  redis: ChildProcess | null;
}

/**
 * Synchronous, so it can also run from a signal handler: the node and
 * redis-server by their PIDs, then whatever else this test started in its
 * own namespaces (the wireguard-go daemons), then the namespaces, stale
 * sockets and temporary files.
 */
function tearDown(started: Started): void {
  const own = [started.node?.pid, started.redis?.pid].filter(
    (pid): pid is number => pid !== undefined && pid > 0,
  );
  stopPids(own, "SIGTERM", 10_000);
  for (const namespace of [serverNamespace, clientNamespace]) {
    stopPids(pidsIn(namespace), "SIGTERM", 3_000);
    spawnSync("ip", ["netns", "del", namespace], { timeout: 5_000 });
  }
  for (const name of [serverInterface, clientInterface]) {
    rmSync(`/var/run/wireguard/${name}.sock`, { force: true });
  }
  if (started.tempDir) rmSync(started.tempDir, { recursive: true, force: true });
}

async function createNamespaces(): Promise<void> {
  await must("ip", ["netns", "add", serverNamespace]);
  await must("ip", ["netns", "add", clientNamespace]);
  for (const namespace of [serverNamespace, clientNamespace]) {
    await must("ip", ["-n", namespace, "link", "set", "lo", "up"]);
  }
  await must("ip", [
    "-n",
    serverNamespace,
    "link",
    "add",
    serverVeth,
    "type",
    "veth",
    "peer",
    "name",
    clientVeth,
    "netns",
    clientNamespace,
  ]);
  await must("ip", [
    "-n",
    serverNamespace,
    "address",
    "add",
    `${serverUnderlay}/24`,
    "dev",
    serverVeth,
  ]);
  await must("ip", [
    "-n",
    clientNamespace,
    "address",
    "add",
    `${clientUnderlay}/24`,
    "dev",
    clientVeth,
  ]);
  await must("ip", ["-n", serverNamespace, "link", "set", serverVeth, "up"]);
  await must("ip", ["-n", clientNamespace, "link", "set", clientVeth, "up"]);
}

/** redis-server inside the server namespace, durable as the node demands. */
function startRedis(dataDir: string): ChildProcess {
  const [command, args] = diesWithParent("ip", [
    "netns",
    "exec",
    serverNamespace,
    "redis-server",
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
  const child = spawn(command, args, { stdio: "ignore" });
  child.unref();
  return child;
}

/** Sets up the client namespace's interface from the `.conf` text, as `wg-quick` would. */
async function configureClient(tempDir: string, confText: string, tunnelAddress: string) {
  // wg-quick takes the interface name from the file name, so the file is named after it.
  const confPath = join(tempDir, `${clientInterface}.conf`);
  await writeFile(confPath, confText, { mode: 0o600 });
  const stripped = await must("wg-quick", ["strip", confPath]);
  const strippedPath = join(tempDir, "client-stripped.conf");
  await writeFile(strippedPath, stripped, { mode: 0o600 });
  const address = parseConf(confText).interface.Address!;
  await must("ip", ["netns", "exec", clientNamespace, "wireguard-go", clientInterface]);
  await must("ip", [
    "netns",
    "exec",
    clientNamespace,
    "wg",
    "setconf",
    clientInterface,
    strippedPath,
  ]);
  await must("ip", ["-n", clientNamespace, "address", "add", address, "dev", clientInterface]);
  await must("ip", ["-n", clientNamespace, "link", "set", clientInterface, "up"]);
  await must("ip", [
    "-n",
    clientNamespace,
    "route",
    "add",
    `${tunnelAddress}/32`,
    "dev",
    clientInterface,
  ]);
}

const missing = missingPrerequisites();

if (missing.length > 0 && !process.env.CI) {
  test.skip(`a real tunnel through a node with VPN_DRIVER=wireguard (needs ${missing.join(", ")})`, () => {});
} else {
  test("a config issued through the API carries a client through the node's own WireGuard interface until it is revoked", async () => {
    assert.equal(
      missing,
      [],
      "CI must provide root, the WireGuard tools, redis-server and /dev/net/tun",
    );
    const started: Started = { tempDir: null, node: null, redis: null };
    const onSignal = () => {
      tearDown(started);
      process.exit(1);
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
      started.tempDir = await mkdtemp(join(tmpdir(), "nxl-e2e-"));
      const redisDir = join(started.tempDir, "redis");
      mkdirSync(redisDir);
      await createNamespaces();
      started.redis = startRedis(redisDir);
      started.node = spawnNode({
        networkNamespace: serverNamespace,
        cwd: started.tempDir,
        logFile: join(started.tempDir, "n1.log"),
        env: {
          NODE_ID: "n1",
          LISTEN: `127.0.0.1:${apiPort}`,
          PEERS: `n1=ws://127.0.0.1:${apiPort}`,
          REDIS_URL: `redis://127.0.0.1:${redisPort}`,
          CLUSTER_SECRET: randomBytes(32).toString("hex"),
          ADMIN_API_TOKEN: adminApiToken,
          HEARTBEAT_MS: "50",
          ELECTION_TIMEOUT_MS: "300",
          VPN_DRIVER: "wireguard",
          WG_INTERFACE: serverInterface,
          WG_PORT: String(wireguardPort),
          PUBLIC_HOST: serverUnderlay,
          DATA_DIR: join(started.tempDir, "data"),
        },
      });
      const node = started.node;
      try {
        const startedAt = Date.now();
        await node.waitForListening(60_000);

        let server: ServerSeen | undefined;
        await waitUntil(
          async () => {
            const answer = await callApi("GET", "/v1/servers");
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
            const answer = await callApi("GET", "/v1/servers");
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
        const issued = await callApi("POST", "/v1/users/5001/configs");
        assert.is(issued.status, 201, JSON.stringify(issued.body));
        const { config, conf } = issued.body as {
          config: { id: string; address: string };
          conf: string;
        };
        const parsed = parseConf(conf);
        assert.is(parsed.peers[0]?.Endpoint, `${serverUnderlay}:${wireguardPort}`);
        assert.is(parsed.interface.Address, `${config.address}/32`);
        const clientPublicKey = (
          await must("wg", ["pubkey"], `${parsed.interface.PrivateKey}\n`)
        ).trim();
        await waitUntil(
          async () => (await serverPeers()).includes(clientPublicKey),
          15_000,
          "the node to add the new config's peer to its interface",
        );

        await configureClient(started.tempDir, conf, server!.tunnelAddress);
        let reached = false;
        for (let attempt = 0; attempt < 10 && !reached; attempt++) {
          reached = await pings(server!.tunnelAddress);
        }
        assert.ok(reached, `the client pings ${server!.tunnelAddress} through the tunnel`);
        process.stdout.write(
          `  node registered with its interface up ${serverUpMs} ms after start; client reached the server ${Date.now() - startedAt} ms after start\n`,
        );

        const revoked = await callApi("DELETE", `/v1/configs/${config.id}`);
        assert.is(revoked.status, 200, JSON.stringify(revoked.body));
        const revokedAt = Date.now();
        await waitUntil(
          async () => !(await serverPeers()).includes(clientPublicKey),
          REVOKE_BOUND_MS,
          "the node to remove the revoked config's peer",
        );
        assert.not.ok(
          await pings(server!.tunnelAddress),
          "the ping fails once the config is revoked",
        );
        assert.not.ok(await pings(server!.tunnelAddress), "and keeps failing");
        process.stdout.write(
          `  peer gone and ping failing ${Date.now() - revokedAt} ms after the revoke\n`,
        );
      } catch (error) {
        process.stderr.write(`\n=== node output\n${node.tail(60)}\n`);
        throw error;
      }
    } finally {
      process.removeListener("SIGINT", onSignal);
      process.removeListener("SIGTERM", onSignal);
      tearDown(started);
    }
    assert.equal(pidsIn(serverNamespace), [], "no process left in the server namespace");
    const namespaces = spawnSync("ip", ["netns", "list"], {
      encoding: "utf8",
      timeout: 5_000,
    }).stdout;
    assert.not.ok(namespaces.includes(suffix), "namespaces deleted");
  });
}

test.run();
