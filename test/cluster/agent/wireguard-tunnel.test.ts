/**
 * A real tunnel: a server namespace whose interface the WireGuardDriver sets
 * up (served by wireguard-go), a client namespace configured from the exact
 * `.conf` we render, joined by a veth pair on 192.0.2.0/24 (TEST-NET-1, only
 * inside the namespaces). Needs root and wireguard-tools, wireguard-go,
 * iproute2 and iputils-ping; without them it is skipped, except under CI.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, constants as fsConstants, rmSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCommand } from "../../../cluster/agent/run-command.ts";
import { WireGuardDriver } from "../../../cluster/agent/wg-driver.ts";
import { renderClientConfig } from "../../../cluster/agent/wireguard-config.ts";
import { generateKeyPair, generatePresharedKey } from "../../../shared/crypto/wireguard-keys.ts";
import { parseConf } from "./support/parse-conf.ts";

const suffix = randomBytes(3).toString("hex");
const serverNamespace = `nxl-srv-${suffix}`;
const clientNamespace = `nxl-cli-${suffix}`;
// wireguard-go keeps its socket at /var/run/wireguard/<name>.sock whatever the namespace: names must be unique.
const serverInterface = `nxs${suffix}`;
const clientInterface = `nxc${suffix}`;
const serverVeth = `nxv${suffix}s`;
const clientVeth = `nxv${suffix}c`;
const serverUnderlay = "192.0.2.1";
const clientUnderlay = "192.0.2.2";
const listenPort = 51820;
const serverTunnelAddress = "10.64.0.1";

function missingPrerequisites(): string[] {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push("root");
  for (const tool of ["ip", "wg", "wg-quick", "wireguard-go", "ping"]) {
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
async function must(file: string, args: string[]): Promise<string> {
  const result = await runCommand(file, args, {
    timeoutMs: 15_000,
    environment: { LOG_LEVEL: undefined },
  });
  if (!result.ok) throw new Error(result.error.message);
  return result.value.stdout;
}

async function pingsServer(count: number): Promise<boolean> {
  const ping = await runCommand(
    "ip",
    [
      "netns",
      "exec",
      clientNamespace,
      "ping",
      "-n",
      "-c",
      String(count),
      "-W",
      "1",
      serverTunnelAddress,
    ],
    { timeoutMs: 15_000 },
  );
  return ping.ok;
}

/** The first handshake takes a moment; try a bounded number of times. */
async function pingsServerWithin(attempts: number): Promise<boolean> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (await pingsServer(1)) return true;
  }
  return false;
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

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Synchronous, so it can also run from a signal handler: stops every process
 * this test started in its namespaces (wireguard-go daemons, a ping) by PID,
 * then deletes the namespaces, stale sockets and temporary files.
 */
function tearDown(tempDir: string | null): void {
  for (const namespace of [serverNamespace, clientNamespace]) {
    const pids = pidsIn(namespace);
    for (const pid of pids) process.kill(pid, "SIGTERM");
    const deadline = Date.now() + 3_000;
    while (pids.some(isRunning) && Date.now() < deadline) {
      spawnSync("sleep", ["0.05"]);
    }
    for (const pid of pids.filter(isRunning)) process.kill(pid, "SIGKILL");
    spawnSync("ip", ["netns", "del", namespace], { timeout: 5_000 });
  }
  for (const name of [serverInterface, clientInterface]) {
    rmSync(`/var/run/wireguard/${name}.sock`, { force: true });
  }
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
}

const missing = missingPrerequisites();

if (missing.length > 0 && !process.env.CI) {
  test.skip(`a real tunnel (needs ${missing.join(", ")})`, () => {});
} else {
  test("a client configured from the rendered .conf reaches the server until its peer is removed", async () => {
    assert.equal(missing, [], "CI must provide root, the WireGuard tools and /dev/net/tun");
    let tempDir: string | null = null;
    const onSignal = () => {
      tearDown(tempDir);
      process.exit(1);
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
      tempDir = await mkdtemp(join(tmpdir(), "nxl-tunnel-"));
      // Two namespaces joined by a veth pair created inside them: the host's interfaces are never touched.
      await must("ip", ["netns", "add", serverNamespace]);
      await must("ip", ["netns", "add", clientNamespace]);
      await must("ip", ["-n", serverNamespace, "link", "set", "lo", "up"]);
      await must("ip", ["-n", clientNamespace, "link", "set", "lo", "up"]);
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

      const created = WireGuardDriver.create({
        interfaceName: serverInterface,
        listenPort,
        privateKeyFile: join(tempDir, "server", "private.key"),
        networkNamespace: serverNamespace,
      });
      assert.ok(created.ok);
      const driver = created.value;
      const serverPublicKey = await driver.serverPublicKey();
      assert.ok(serverPublicKey.ok, JSON.stringify(serverPublicKey));

      const client = generateKeyPair();
      const presharedKey = generatePresharedKey();
      const clientPeer = {
        publicKey: client.publicKey,
        presharedKey,
        allowedIps: ["10.64.0.2/32"],
      };
      const applied = await driver.apply({
        address: `${serverTunnelAddress}/24`,
        peers: [clientPeer],
      });
      assert.ok(applied.ok, JSON.stringify(applied));
      // A second apply finds the interface as it left it and changes nothing.
      assert.ok(
        (await driver.apply({ address: `${serverTunnelAddress}/24`, peers: [clientPeer] })).ok,
      );

      const conf = renderClientConfig({
        clientPrivateKey: client.privateKey,
        clientAddress: "10.64.0.2",
        serverPublicKey: serverPublicKey.value,
        presharedKey,
        endpoint: { host: serverUnderlay, port: listenPort },
      });
      assert.ok(conf.ok);
      // wg-quick takes the interface name from the file name, so the file is named after it.
      const confPath = join(tempDir, `${clientInterface}.conf`);
      await writeFile(confPath, conf.value, { mode: 0o600 });
      const stripped = await must("wg-quick", ["strip", confPath]);
      const clientAddress = parseConf(conf.value).interface.Address;
      assert.is(clientAddress, "10.64.0.2/32");

      await must("ip", ["netns", "exec", clientNamespace, "wireguard-go", clientInterface]);
      const strippedPath = join(tempDir, "client-stripped.conf");
      await writeFile(strippedPath, stripped, { mode: 0o600 });
      await must("ip", [
        "netns",
        "exec",
        clientNamespace,
        "wg",
        "setconf",
        clientInterface,
        strippedPath,
      ]);
      await must("ip", [
        "-n",
        clientNamespace,
        "address",
        "add",
        clientAddress!,
        "dev",
        clientInterface,
      ]);
      await must("ip", ["-n", clientNamespace, "link", "set", clientInterface, "up"]);
      await must("ip", [
        "-n",
        clientNamespace,
        "route",
        "add",
        "10.64.0.0/24",
        "dev",
        clientInterface,
      ]);

      assert.ok(await pingsServerWithin(10), "the client pings the server through the tunnel");

      const peers = await driver.readPeers();
      assert.ok(peers.ok, JSON.stringify(peers));
      assert.is(peers.value.length, 1);
      const [seen] = peers.value;
      assert.is(seen?.publicKey, client.publicKey);
      assert.is(seen?.presharedKey, presharedKey);
      assert.ok(seen?.latestHandshakeAtMs !== null, "a handshake happened");
      assert.ok(Math.abs(Date.now() - (seen?.latestHandshakeAtMs ?? 0)) < 60_000);
      assert.ok((seen?.receivedBytes ?? 0) > 0 && (seen?.sentBytes ?? 0) > 0);
      assert.match(
        seen?.endpoint ?? "",
        new RegExp(`^${clientUnderlay.replaceAll(".", "\\.")}:\\d+$`),
      );

      const removed = await driver.apply({ address: `${serverTunnelAddress}/24`, peers: [] });
      assert.ok(removed.ok, JSON.stringify(removed));
      assert.equal(await driver.readPeers(), { ok: true, value: [] });
      assert.not.ok(await pingsServer(2), "the ping fails once the peer is removed");
    } finally {
      process.removeListener("SIGINT", onSignal);
      process.removeListener("SIGTERM", onSignal);
      tearDown(tempDir);
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
