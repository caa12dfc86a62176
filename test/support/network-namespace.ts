/**
 * Real networks for tests, built from network namespaces the test creates
 * and deletes: namespaces joined by veth pairs on 192.0.2.0/24 (TEST-NET-1,
 * used inside these namespaces only), WireGuard servers run by wireguard-go,
 * and commands or Node scripts run inside a namespace. The host's own
 * interfaces and routes are never touched. Every name carries a random
 * suffix, so suites running at once never collide. Needs root, iproute2,
 * wireguard-tools, wireguard-go and /dev/net/tun.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, constants as fsConstants, mkdtempSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCommand } from "../../cluster/agent/run-command.ts";

/**
 * What is missing to build test networks here: "root", any of `tools`, and
 * "/dev/net/tun" when the tools include wireguard-go (which needs it).
 */
export function missingNetworkPrerequisites(
  tools: readonly string[] = ["ip", "wg", "wireguard-go"],
): string[] {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push("root");
  for (const tool of tools) {
    const found = spawnSync("sh", ["-c", 'command -v "$0"', tool], { timeout: 5_000 });
    if (found.status !== 0) missing.push(tool);
  }
  if (tools.includes("wireguard-go")) {
    try {
      accessSync("/dev/net/tun", fsConstants.R_OK | fsConstants.W_OK);
    } catch {
      missing.push("/dev/net/tun");
    }
  }
  return missing;
}

/**
 * What a VPN server and its client need in a test network: interfaces and
 * routes, WireGuard (wireguard-go, wg-quick for the client's `.conf`), ping,
 * and nft for the server's NAT and client isolation.
 */
export const VPN_TOOLS: readonly string[] = ["ip", "wg", "wg-quick", "wireguard-go", "ping", "nft"];

/** One end of a veth pair: the namespace it lives in and its address with prefix, e.g. `192.0.2.1/24`. */
export interface VethEnd {
  namespace: string;
  address: string;
}

/** A peer a test WireGuard server accepts. */
export interface TestWireGuardPeer {
  publicKey: string;
  allowedIps: string[];
}

/** A WireGuard server for {@link TestNetwork.startWireGuard}. */
export interface TestWireGuardServer {
  namespace: string;
  /** Base64, as `wg genkey` prints it. */
  privateKey: string;
  listenPort: number;
  peers: TestWireGuardPeer[];
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

/** Sends `signal` to `pid`, which may have exited meanwhile. */
function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
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
 * The namespaces, links and daemons one test builds; {@link tearDown} removes
 * all of them, also when the test is interrupted by SIGINT or SIGTERM.
 */
export class TestNetwork {
  /** Random, in every name this network creates. */
  readonly suffix = randomBytes(3).toString("hex");
  private readonly namespaces: string[] = [];
  private readonly wireGuardInterfaces: string[] = [];
  private linkCount = 0;
  /** For the test's own files (configs, data directories); removed with the network. */
  readonly directory = mkdtempSync(join(tmpdir(), "nxl-net-"));
  private readonly onSignal = () => {
    this.tearDown();
    process.exit(1);
  };

  constructor() {
    process.once("SIGINT", this.onSignal);
    process.once("SIGTERM", this.onSignal);
  }

  /** Runs a command that must succeed; the error names the command and its stderr. */
  async must(file: string, args: string[]): Promise<string> {
    const result = await runCommand(file, args, {
      timeoutMs: 15_000,
      environment: { LOG_LEVEL: undefined },
    });
    if (!result.ok) throw new Error(result.error.message);
    return result.value.stdout;
  }

  /** Runs a command inside `namespace`; it must succeed. */
  exec(namespace: string, file: string, args: string[]): Promise<string> {
    return this.must("ip", ["netns", "exec", namespace, file, ...args]);
  }

  /** A new namespace `nxl-<role>-<suffix>` with its loopback up. */
  async addNamespace(role: string): Promise<string> {
    const namespace = `nxl-${role}-${this.suffix}`;
    await this.must("ip", ["netns", "add", namespace]);
    this.namespaces.push(namespace);
    await this.must("ip", ["-n", namespace, "link", "set", "lo", "up"]);
    return namespace;
  }

  /** Joins two namespaces with a veth pair, each end holding its address. */
  async link(first: VethEnd, second: VethEnd): Promise<void> {
    const index = this.linkCount++;
    const firstName = `nxv${this.suffix}${index}a`;
    const secondName = `nxv${this.suffix}${index}b`;
    // Created inside the first namespace, so no end ever appears among the host's interfaces.
    await this.must("ip", [
      "-n",
      first.namespace,
      "link",
      "add",
      firstName,
      "type",
      "veth",
      "peer",
      "name",
      secondName,
      "netns",
      second.namespace,
    ]);
    for (const [end, name] of [
      [first, firstName],
      [second, secondName],
    ] as const) {
      await this.must("ip", ["-n", end.namespace, "address", "add", end.address, "dev", name]);
      await this.must("ip", ["-n", end.namespace, "link", "set", name, "up"]);
    }
  }

  /** Makes `gateway`, on a link of `namespace`, its default route: where a VPN server's clients go out. */
  async addDefaultRoute(namespace: string, gateway: string): Promise<void> {
    await this.must("ip", ["-n", namespace, "route", "add", "default", "via", gateway]);
  }

  /**
   * A name for a WireGuard interface that wireguard-go serves in one of this
   * network's namespaces, whoever brings it up; its socket is removed on tear-down.
   */
  wireGuardInterfaceName(): string {
    // wireguard-go keeps its socket at /var/run/wireguard/<name>.sock whatever the namespace: names must be unique.
    const name = `nxw${this.suffix}${this.wireGuardInterfaces.length}`;
    this.wireGuardInterfaces.push(name);
    return name;
  }

  /** Starts a wireguard-go server in its namespace and returns its interface name. */
  async startWireGuard(server: TestWireGuardServer): Promise<string> {
    const name = this.wireGuardInterfaceName();
    await this.exec(server.namespace, "wireguard-go", [name]);
    const keyFile = join(this.directory, `${name}.key`);
    await writeFile(keyFile, `${server.privateKey}\n`, { mode: 0o600 });
    const peerArgs = server.peers.flatMap((peer) => [
      "peer",
      peer.publicKey,
      "allowed-ips",
      peer.allowedIps.join(","),
    ]);
    await this.exec(server.namespace, "wg", [
      "set",
      name,
      "listen-port",
      String(server.listenPort),
      "private-key",
      keyFile,
      ...peerArgs,
    ]);
    await this.must("ip", ["-n", server.namespace, "link", "set", name, "up"]);
    return name;
  }

  /**
   * Synchronous, so it also runs from a signal handler: stops every process
   * in this network's namespaces by PID (wireguard-go daemons, scripts),
   * deletes the namespaces with their links, stale WireGuard sockets and
   * temporary files. Safe to call more than once.
   */
  tearDown(): void {
    process.removeListener("SIGINT", this.onSignal);
    process.removeListener("SIGTERM", this.onSignal);
    for (const namespace of this.namespaces.splice(0)) {
      const pids = pidsIn(namespace);
      for (const pid of pids) signalProcess(pid, "SIGTERM");
      const deadline = Date.now() + 3_000;
      while (pids.some(isRunning) && Date.now() < deadline) {
        spawnSync("sleep", ["0.05"]);
      }
      for (const pid of pids.filter(isRunning)) signalProcess(pid, "SIGKILL");
      spawnSync("ip", ["netns", "del", namespace], { timeout: 5_000 });
    }
    for (const name of this.wireGuardInterfaces.splice(0)) {
      rmSync(`/var/run/wireguard/${name}.sock`, { force: true });
    }
    rmSync(this.directory, { recursive: true, force: true });
  }

  /** This network's namespaces that still exist, as `ip netns list` shows them. */
  leftoverNamespaces(): string[] {
    const listed = spawnSync("ip", ["netns", "list"], { encoding: "utf8", timeout: 5_000 });
    return (listed.stdout ?? "")
      .split("\n")
      .map((line) => line.split(" ")[0] ?? "")
      .filter((name) => name.includes(this.suffix));
  }
}
