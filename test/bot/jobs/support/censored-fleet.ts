/**
 * The product around a censored network (censored-network.ts). The control
 * plane runs here: the three-node in-memory cluster with a LeaderBot on every
 * node and the Telegram emulator (test/bot/support/bot-cluster.ts), whose
 * servers n1, n2 and n3 are the real WireGuard servers A, B and C. Each
 * server's interface lives in its namespace and is driven from the
 * replicated state by a VpnAgent with the WireGuardDriver, as a node drives
 * its own; a TCP listener stands for its API port. Ban checks run on every
 * member on a two-second cron: the control probes through a real probe agent
 * in `ctl`, and the vantages are real probe agents in van1 and van2 plus one
 * that flaps (flapping-vantage.ts), all at one ISP. The probe agents in the
 * namespaces are reached through forwarded ports
 * (test/support/namespace-port.ts), over HTTPS with the self-signed
 * certificate each makes on start, pinned by the fingerprint it logs.
 */
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RecordedVerdict } from "../../../../bot/jobs/server-checker.ts";
import type { ServerCheckDeps } from "../../../../bot/jobs/server-probing.ts";
import { askVantageProbe } from "../../../../bot/jobs/vantage-probe-client.ts";
import { loadOrCreateServerKey } from "../../../../cluster/agent/server-key-file.ts";
import { VpnAgent } from "../../../../cluster/agent/vpn-agent.ts";
import { WireGuardDriver } from "../../../../cluster/agent/wireguard-driver.ts";
import { API_ACTOR } from "../../../../cluster/fsm/actors.ts";
import { ensureProbePeer } from "../../../../cluster/probe-peer.ts";
import { SealedSecrets } from "../../../../cluster/sealed-secrets.ts";
import { checkVantageProbeInput } from "../../../../cluster/vantage-probe-input.ts";
import { waitUntil } from "../../../../scripts/lib/cluster-harness.ts";
import { startRedisServer } from "../../../../scripts/lib/redis-server.ts";
import { DEFAULT_BLOCKED_DESTINATIONS } from "../../../../shared/blocked-destinations.ts";
import { CronSchedule } from "../../../../shared/cron-schedule.ts";
import { openWithWireGuardKey } from "../../../../shared/crypto/wireguard-sealed-box.ts";
import { createLogger, type Logger } from "../../../../shared/logger.ts";
import { silentLogger } from "../../../../shared/silent-logger.ts";
import { type ForwardedPort, forwardNamespacePort } from "../../../support/namespace-port.ts";
import {
  type NamespaceProcess,
  startScriptInNamespace,
} from "../../../support/namespace-process.ts";
import { TestNetwork } from "../../../support/network-namespace.ts";
import { runCleanups } from "../../../support/run-cleanups.ts";
import {
  type BotCluster,
  type BotMember,
  DATA_KEYS,
  startBotCluster,
} from "../../support/bot-cluster.ts";
import {
  buildCensoredNetwork,
  type CensoredNetwork,
  SERVER_NAMES,
  type ServerName,
} from "./censored-network.ts";
import { type FlappingVantage, startFlappingVantage } from "./flapping-vantage.ts";

/** Consecutive filtered rounds that ban a server. */
export const BAN_AFTER = 2;
/** Consecutive down rounds that mark an active server down. */
export const DOWN_AFTER = 2;
/** A round every two seconds. */
export const ROUND_MS = 2000;
const ROUND_PATTERN = "*/2 * * * * *";
const PROBE_TIMEOUT_MS = 1000;
/** Every vantage's ISP label: one group, so two failing vantages can filter. */
export const ISP = "test-isp";
/** The cluster node whose server each namespace holds. */
export const SERVER_IDS: Record<ServerName, string> = { A: "n1", B: "n2", C: "n3" };
const API_PORT = 7001;
const WIREGUARD_PORT = 51820;
/** Where each probe agent listens inside its namespace. */
const AGENT_LISTEN = { host: "127.0.0.1", port: 9190 };
const STARTUP_MS = 30_000;

const agentMain = fileURLToPath(new URL("../../../../probe-agent/main.ts", import.meta.url));
const acceptScript = fileURLToPath(
  new URL("../../../support/accept-connections.ts", import.meta.url),
);

function logger(): Logger {
  // BOT_TEST_LOG=debug shows what the checks and agents did, as in the bot suites.
  return process.env.BOT_TEST_LOG
    ? createLogger({ level: process.env.BOT_TEST_LOG })
    : silentLogger;
}

function everyRound(): CronSchedule {
  const parsed = CronSchedule.parse(ROUND_PATTERN);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
}

/** One VPN server: its WireGuard interface, the agent driving it, and its API port's listener. */
interface RunningServer {
  interfaceName: string;
  agent: VpnAgent;
  listener: NamespaceProcess;
}

export interface CensoredFleet {
  network: TestNetwork;
  censored: CensoredNetwork;
  bots: BotCluster;
  /** A directory for the test's files, removed with the fleet. */
  directory: string;
  flapping: FlappingVantage;
  /** Every verdict the ban checks committed, in the order they were committed. */
  verdicts: RecordedVerdict[];
  /** Why the control probe agent did not answer, each time it did not: none is expected. */
  controlFailures: string[];
  leader(): Promise<BotMember>;
  /** The public keys the server's WireGuard interface has as peers now. */
  serverPeers(name: ServerName): Promise<string[]>;
  /** Takes the server off the network: its agent, WireGuard interface and API listener stop. */
  stopServer(name: ServerName): Promise<void>;
  /** Every member follows leadership with its ban checks from now on. */
  startBanChecks(): void;
  /** Stops and removes everything; safe to call more than once. */
  tearDown(): Promise<void>;
}

/**
 * A probe agent in `namespace`, with its certificate's fingerprint. By
 * default it listens on the namespace's loopback and the returned url reaches
 * it from here, through a forwarded port; with `ownAddress` (the namespace's
 * address) it listens there and the url reaches it from other namespaces.
 */
export async function startProbeAgent(
  namespace: string,
  token: string,
  directory: string,
  cleanups: Array<() => Promise<void>>,
  ownAddress?: string,
): Promise<{ url: string; certSha256: string }> {
  const listen = { ...AGENT_LISTEN, ...(ownAddress === undefined ? {} : { host: ownAddress }) };
  const agent = startScriptInNamespace(namespace, agentMain, [], {
    cwd: directory,
    env: {
      PROBE_AGENT_TOKEN: token,
      PROBE_AGENT_LISTEN: `${listen.host}:${listen.port}`,
      PROBE_AGENT_DATA_DIR: join(directory, `${namespace}-agent`),
      LOG_LEVEL: "info",
    },
  });
  cleanups.push(() => agent.stop());
  await agent.waitForOutput(/probe agent listening/, STARTUP_MS);
  // The fingerprint an admin would read in the agent's log and pin.
  const certSha256 = /"certSha256":"([0-9A-F:]{95})"/.exec(agent.output())?.[1];
  if (certSha256 === undefined)
    throw new Error(`the probe agent in ${namespace} logged no fingerprint:\n${agent.output()}`);
  if (ownAddress !== undefined) return { url: `https://${ownAddress}:${listen.port}`, certSha256 };
  const forwarded: ForwardedPort = await forwardNamespacePort(
    namespace,
    listen,
    join(directory, `${namespace}.sock`),
  );
  cleanups.push(() => forwarded.close());
  return { url: `https://127.0.0.1:${forwarded.port}`, certSha256 };
}

/**
 * Registers server `member.id` again as its node does at start (its real key
 * and public address), gives it a probe peer, and starts the agent that
 * drives its WireGuard interface in `namespace` from `member`'s replicated
 * state.
 */
async function startVpnServer(options: {
  member: BotMember;
  leader: BotMember;
  sealing: SealedSecrets;
  namespace: string;
  address: string;
  interfaceName: string;
  directory: string;
}): Promise<VpnAgent> {
  const { member, leader, sealing } = options;
  const serverId = member.id;
  const privateKeyFile = join(options.directory, serverId, "private.key");
  const created = WireGuardDriver.create({
    interfaceName: options.interfaceName,
    listenPort: WIREGUARD_PORT,
    mtu: 1280,
    privateKeyFile,
    networkNamespace: options.namespace,
    blockedDestinations: DEFAULT_BLOCKED_DESTINATIONS,
  });
  if (!created.ok) throw new Error(created.error.message);
  const publicKey = await created.value.serverPublicKey();
  if (!publicKey.ok) throw new Error(publicKey.error.message);
  await leader.service.run({
    type: "registerServer",
    serverId,
    publicKey: publicKey.value,
    listenPort: WIREGUARD_PORT,
    apiPort: API_PORT,
    endpointHost: options.address,
    capacity: 10,
    region: "default",
    at: leader.service.now(),
  });
  await ensureProbePeer(leader.service, sealing, serverId);
  const serverKeys = await loadOrCreateServerKey(privateKeyFile);
  if (!serverKeys.ok) throw new Error(serverKeys.error.message);
  const agent = new VpnAgent({
    driver: created.value,
    serverId,
    readDesiredState: () => {
      const server = member.state.server(serverId);
      if (!server) return null;
      return {
        interfaceAddress: `${server.tunnelAddress}/${server.subnet.split("/")[1]}`,
        peers: member.state.desiredPeers(serverId),
      };
    },
    openPresharedKey: (sealed, peerPublicKey) =>
      openWithWireGuardKey(serverKeys.value, peerPublicKey, sealed),
    reportLoad: async (load) => {
      await member.service.run({
        type: "reportServerLoad",
        serverId,
        activePeers: load.activePeers,
        rxBytes: load.receivedBytes,
        txBytes: load.sentBytes,
        at: member.service.now(),
      });
    },
    logger: logger(),
    debounceMs: 100,
    // The in-memory nodes tell nobody what they applied: frequent reads find every change.
    statsIntervalMs: 500,
  });
  agent.start();
  return agent;
}

/**
 * Ban-check probing whose control is the probe agent at `url`: the same
 * probe code, at a host outside the censored network. Each time that agent
 * gives no answer is added to `failures`.
 */
export function probingFromControl(
  control: { url: string; certSha256: string },
  token: string,
  failures: string[],
): ServerCheckDeps {
  return {
    probe: async (target, { timeoutMs, signal }) => {
      const answer = await askVantageProbe({
        url: control.url,
        certSha256: control.certSha256,
        token,
        request: { target, timeoutMs },
        fetchTimeoutMs: 5000,
        ...(signal ? { signal } : {}),
      });
      if (answer.ok) return answer.value;
      if (!signal?.aborted) failures.push(answer.error.message);
      return { ok: false, error: "unknown_failure" };
    },
    askVantage: askVantageProbe,
  };
}

/** Builds the network and starts everything; ban checks wait for {@link CensoredFleet.startBanChecks}. */
export async function startCensoredFleet(): Promise<CensoredFleet> {
  const network = new TestNetwork();
  const cleanups: Array<() => Promise<void>> = [];
  const interfaceNames: string[] = [];
  let tornDown = false;
  const tearDown = async () => {
    if (tornDown) return;
    tornDown = true;
    await runCleanups(cleanups);
    network.tearDown();
    for (const name of interfaceNames) rmSync(`/var/run/wireguard/${name}.sock`, { force: true });
  };

  try {
    const directory = await mkdtemp(join(tmpdir(), "nxl-ban-e2e-"));
    cleanups.push(async () => rmSync(directory, { recursive: true, force: true }));
    const censored = await buildCensoredNetwork(network);

    const listeners = new Map<ServerName, NamespaceProcess>();
    for (const name of SERVER_NAMES) {
      const { namespace, address } = censored.servers[name];
      const listener = startScriptInNamespace(namespace, acceptScript, [address, String(API_PORT)]);
      cleanups.push(() => listener.stop());
      listeners.set(name, listener);
    }
    const controlToken = randomBytes(24).toString("hex");
    const vantageTokens = censored.vantages.map(() => randomBytes(24).toString("hex"));
    const [control, ...vantageAgents] = await Promise.all([
      startProbeAgent(censored.control, controlToken, directory, cleanups),
      ...censored.vantages.map(({ namespace }, index) =>
        startProbeAgent(namespace, vantageTokens[index]!, directory, cleanups),
      ),
    ]);
    for (const listener of listeners.values())
      await listener.waitForOutput(/listening/, STARTUP_MS);
    const flappingToken = randomBytes(24).toString("hex");
    const flapping = await startFlappingVantage(flappingToken);
    cleanups.push(() => flapping.close());

    const redis = await startRedisServer({ appendonly: false });
    cleanups.push(() => redis.cleanup());
    const verdicts: RecordedVerdict[] = [];
    const controlFailures: string[] = [];
    const bots = await startBotCluster({
      banChecks: {
        probing: probingFromControl(control!, controlToken, controlFailures),
        settings: { banAfter: BAN_AFTER, downAfter: DOWN_AFTER, probeTimeoutMs: PROBE_TIMEOUT_MS },
        schedule: everyRound(),
        onVerdict: (verdict) => verdicts.push(verdict),
        // The suite starts them once every server runs.
        startsWithLeadership: false,
      },
    });
    cleanups.push(() => bots.stop());
    const leader = await bots.polling();
    const sealing = new SealedSecrets(DATA_KEYS);

    const servers = new Map<ServerName, RunningServer>();
    for (const [index, name] of SERVER_NAMES.entries()) {
      const interfaceName = `nxk${network.suffix}${index}`;
      interfaceNames.push(interfaceName);
      const agent = await startVpnServer({
        member: bots.members.get(SERVER_IDS[name])!,
        leader,
        sealing,
        ...censored.servers[name],
        interfaceName,
        directory,
      });
      cleanups.push(() => agent.stop());
      servers.set(name, { interfaceName, agent, listener: listeners.get(name)! });
    }

    const vantages = [
      ...vantageAgents.map(({ url, certSha256 }, index) => ({
        id: `van${index + 1}`,
        url,
        certSha256,
        token: vantageTokens[index]!,
      })),
      { id: "flapping", url: flapping.url, certSha256: flapping.certSha256, token: flappingToken },
    ];
    for (const vantage of vantages) {
      const checked = checkVantageProbeInput({ ...vantage, isp: ISP });
      if (!checked.ok) throw new Error(checked.error.message);
      await leader.service.addVantageProbe({ ...checked.value, actor: API_ACTOR });
    }

    const serverPeers = async (name: ServerName) => {
      const { namespace } = censored.servers[name];
      const listed = await network.exec(namespace, "wg", [
        "show",
        servers.get(name)!.interfaceName,
        "peers",
      ]);
      return listed.split("\n").filter(Boolean);
    };
    for (const name of SERVER_NAMES) {
      const expected = leader.state.desiredPeers(SERVER_IDS[name]).map((peer) => peer.publicKey);
      await waitUntil(
        async () => {
          const peers = await serverPeers(name);
          return expected.every((key) => peers.includes(key));
        },
        STARTUP_MS,
        `server ${name}'s interface to have its probe and vantage peers`,
      );
    }

    return {
      network,
      censored,
      bots,
      directory,
      flapping,
      verdicts,
      controlFailures,
      leader: () => bots.leader(),
      serverPeers,
      async stopServer(name) {
        const server = servers.get(name)!;
        // The agent first, or it would bring the interface back.
        await server.agent.stop();
        await network.must("ip", [
          "-n",
          censored.servers[name].namespace,
          "link",
          "del",
          server.interfaceName,
        ]);
        await server.listener.stop();
      },
      startBanChecks() {
        for (const member of bots.members.values())
          member.assembled.leadership.add(member.assembled.banChecks!);
      },
      tearDown,
    };
  } catch (error) {
    await tearDown();
    throw error;
  }
}
