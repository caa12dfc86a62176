/**
 * Applying what a server's own node reports about it: registration, its
 * public endpoint, its ban-check probe peer and its load.
 */
import type { ApplyContext } from "./apply-context.ts";
import { applied } from "./apply-result.ts";
import { emptyChecks } from "./check-verdicts.ts";
import type { CommandOf } from "./commands.ts";
import type { ControlPlaneData } from "./control-plane-data.ts";
import { type Refusal, refuse, unknownServer } from "./errors.ts";
import { recordLoad } from "./hourly-history.ts";
import { formatCidr, parseCidr } from "./ipv4.ts";
import {
  type AmneziaParams,
  awaitsReregistration,
  CONFIG_PROTOCOLS,
  type ConfigProtocol,
  type Server,
  type ShadowsocksService,
} from "./records.ts";
import { serverKeyProblem } from "./server-key-signature.ts";
import { effectiveSetting } from "./settings.ts";
import { allocateSubnet } from "./subnet-allocation.ts";
import {
  clientCapacityOf,
  prefixLengthForCapacity,
  probePeerAddress,
  serverTunnelAddress,
} from "./subnet-layout.ts";
import { copyServer } from "./views.ts";

/**
 * Registers a server, or updates it when its node registers again at start.
 * A new server gets the lowest free block of the address pool that holds its
 * capacity; a known one keeps its subnet, so a capacity that no longer fits
 * is refused rather than moving every client. Status is left alone (a banned
 * server stays banned when its node restarts), but for a server restored from
 * a backup: its node is back, so it serves again.
 */
export function registerServer(
  data: ControlPlaneData,
  context: ApplyContext,
  command: CommandOf<"registerServer">,
) {
  if (data.memberRemovals.has(command.serverId))
    return refuse(
      "MEMBER_REMOVED",
      `${command.serverId} was removed from the cluster; a new server joins with a new join token`,
    );
  const unsigned = serverKeyProblem(data, command);
  if (unsigned) return unsigned;
  const existing = data.servers.get(command.serverId);
  const shadowsocks = command.shadowsocks ?? null;
  const portsProblem = shadowsocksProblem(data, command, existing);
  if (portsProblem) return portsProblem;
  if (!existing) return addServer(data, command);

  const subnet = data.subnetOf(existing.id);
  const fits = clientCapacityOf(subnet.prefixLength);
  if (command.capacity > fits) {
    return refuse(
      "CAPACITY_EXCEEDS_SUBNET",
      `server ${existing.id} has subnet ${existing.subnet}, which holds ${fits} clients; register it with a capacity of at most ${fits}`,
    );
  }
  if (awaitsReregistration(existing)) {
    existing.status = "active";
    existing.statusReason = "registered again after a restore";
    existing.statusActor = existing.id;
    existing.statusAt = command.at;
  }
  const amnezia = command.amnezia ?? null;
  const endpointHost = command.endpointHost ?? existing.endpointHost;
  const connectionChanged =
    existing.publicKey !== command.publicKey ||
    existing.listenPort !== command.listenPort ||
    existing.endpointHost !== endpointHost ||
    !sameAmnezia(existing.amnezia, amnezia);
  existing.publicKey = command.publicKey;
  existing.listenPort = command.listenPort;
  existing.apiPort = command.apiPort;
  existing.endpointHost = endpointHost;
  existing.capacity = command.capacity;
  existing.region = command.region;
  existing.amnezia = amnezia;
  existing.protocols = offeredProtocols(command);
  data.setShadowsocksService(existing, shadowsocks === null ? null : { ...shadowsocks });
  existing.mtu = command.mtu ?? null;
  existing.clientDns = command.clientDns ? [...command.clientDns] : null;
  existing.holdsBotToken = command.holdsBotToken ?? null;
  existing.holdsDataKeys = command.holdsDataKeys ?? null;
  existing.probes = command.probes ? [...command.probes] : null;
  const notified = connectionChanged
    ? notifyConnectionChanged(data, context, existing, command.at)
    : 0;
  return applied({
    server: copyServer(existing, data.liveConfigCountOfServer(existing.id)),
    created: false,
    notified,
  });
}

function addServer(data: ControlPlaneData, command: CommandOf<"registerServer">) {
  const poolText = effectiveSetting(data.settings, "addressPool");
  // Settings are validated when set, so the pool always parses.
  const pool = parseCidr(poolText)!;
  const taken = [...data.servers.keys()].map((id) => data.subnetOf(id));
  const subnet = allocateSubnet(pool, taken, command.capacity);
  if (!subnet) {
    const prefixLength = prefixLengthForCapacity(command.capacity);
    return refuse(
      "POOL_EXHAUSTED",
      `the address pool ${poolText} has no free /${prefixLength} left for a capacity of ${command.capacity}; register with a lower capacity or retire a server`,
    );
  }
  // Pin the pool on first use, so a later change of the default cannot move it.
  if (!data.settings.has("addressPool")) data.settings.set("addressPool", poolText);
  const server: Server = {
    id: command.serverId,
    publicKey: command.publicKey,
    listenPort: command.listenPort,
    apiPort: command.apiPort,
    endpointHost: command.endpointHost,
    subnet: formatCidr(subnet),
    tunnelAddress: serverTunnelAddress(subnet),
    capacity: command.capacity,
    region: command.region,
    amnezia: command.amnezia ?? null,
    protocols: offeredProtocols(command),
    shadowsocks: command.shadowsocks ? { ...command.shadowsocks } : null,
    mtu: command.mtu ?? null,
    clientDns: command.clientDns ? [...command.clientDns] : null,
    holdsBotToken: command.holdsBotToken ?? null,
    holdsDataKeys: command.holdsDataKeys ?? null,
    probes: command.probes ? [...command.probes] : null,
    status: "active",
    statusReason: "registered",
    statusActor: command.serverId,
    statusAt: command.at,
    load: null,
    probePeer: null,
    shadowsocksProbe: null,
    blockedProtocols: [],
    checks: emptyChecks(),
    hourly: [],
    registeredAt: command.at,
  };
  data.addServer(server);
  return applied({ server: copyServer(server, 0), created: true, notified: 0 });
}

/**
 * What a registration offers, in CONFIG_PROTOCOLS order: AmneziaWG with
 * AmneziaWG parameters, the rest as listed (WireGuard alone when the entry
 * predates `protocols`).
 */
function offeredProtocols(command: CommandOf<"registerServer">): ConfigProtocol[] {
  const listed: readonly ConfigProtocol[] = command.protocols ?? ["wireguard"];
  return CONFIG_PROTOCOLS.filter((protocol) =>
    protocol === "amneziawg" ? command.amnezia !== undefined : listed.includes(protocol),
  );
}

/**
 * Why a registration's Shadowsocks settings cannot be taken, or undefined:
 * they must come exactly with `shadowsocks` among the protocols, leave the
 * WireGuard and API ports out of the range, and keep every live Shadowsocks
 * config's port inside it (configs are never moved to another port behind
 * their users' backs).
 */
function shadowsocksProblem(
  data: ControlPlaneData,
  command: CommandOf<"registerServer">,
  existing: Server | undefined,
): Refusal | undefined {
  const service: ShadowsocksService | undefined = command.shadowsocks;
  const offered = command.protocols?.includes("shadowsocks") ?? false;
  if (offered !== (service !== undefined))
    return refuse(
      "SHADOWSOCKS_PORTS_INVALID",
      "a server offers Shadowsocks exactly when it registers Shadowsocks ports (SS_PORTS)",
    );
  if (service) {
    for (const [name, port] of [
      ["WireGuard", command.listenPort],
      ["API", command.apiPort],
    ] as const)
      if (port >= service.firstPort && port <= service.lastPort)
        return refuse(
          "SHADOWSOCKS_PORTS_INVALID",
          `the Shadowsocks ports ${service.firstPort}-${service.lastPort} include the ${name} port ${port}; choose a range without it`,
        );
  }
  if (!existing) return undefined;
  const inUse = data.shadowsocksPortsInUse(existing.id);
  const outside = inUse.filter(
    (port) => !service || port < service.firstPort || port > service.lastPort,
  );
  if (outside.length > 0)
    return refuse(
      "SHADOWSOCKS_PORTS_INVALID",
      `server ${existing.id} has ${outside.length} live Shadowsocks config(s) on ports outside the new settings (e.g. ${outside[0]}); keep SS_PORTS covering ${inUse[0]}-${inUse.at(-1)} or revoke those configs first`,
    );
  return undefined;
}

/** Records a server's new public host and tells each user with a live config on it. */
export function setServerEndpoint(
  data: ControlPlaneData,
  context: ApplyContext,
  command: CommandOf<"setServerEndpoint">,
) {
  const server = data.servers.get(command.serverId);
  if (!server) return unknownServer(command.serverId);
  let notified = 0;
  if (server.endpointHost !== command.endpointHost) {
    server.endpointHost = command.endpointHost;
    notified = notifyConnectionChanged(data, context, server, command.at);
  }
  return applied({ server: copyServer(server, data.liveConfigCountOfServer(server.id)), notified });
}

/**
 * Sets the WireGuard peer ban checks handshake as. Its address is the one
 * every subnet keeps for it, so it never collides with a client.
 */
export function setProbePeer(data: ControlPlaneData, command: CommandOf<"setProbePeer">) {
  const server = data.servers.get(command.serverId);
  if (!server) return unknownServer(command.serverId);
  const unchanged = server.probePeer?.publicKey === command.publicKey;
  if (!unchanged && data.publicKeyInUse(command.publicKey))
    return refuse(
      "DUPLICATE_PUBLIC_KEY",
      "that public key is already in use; generate a new probe key pair",
    );
  server.probePeer = {
    publicKey: command.publicKey,
    privateKeyEncrypted: command.privateKeyEncrypted,
    address: probePeerAddress(data.subnetOf(server.id)),
  };
  return applied({ server: copyServer(server, data.liveConfigCountOfServer(server.id)) });
}

/**
 * Records the Shadowsocks probe port's password; the first time, takes the
 * port: the lowest free one of the server's range, like a config's.
 */
export function setShadowsocksProbe(
  data: ControlPlaneData,
  command: CommandOf<"setShadowsocksProbe">,
) {
  const server = data.servers.get(command.serverId);
  if (!server) return unknownServer(command.serverId);
  if (!server.shadowsocks)
    return refuse("PROTOCOL_NOT_OFFERED", `server ${server.id} offers no Shadowsocks to probe`);
  const current = server.shadowsocksProbe;
  if (!current && data.freeShadowsocksPorts(server.id) === 0)
    return refuse(
      "NO_CAPACITY",
      `server ${server.id} has no free Shadowsocks port left for the ban checks' probe; widen SS_PORTS`,
    );
  server.shadowsocksProbe = {
    port: current?.port ?? data.takeShadowsocksPort(server.id),
    method: current?.method ?? server.shadowsocks.method,
    passwordSealed: command.passwordSealed,
    passwordSealedToServer: command.passwordSealedToServer,
  };
  return applied({ server: copyServer(server, data.liveConfigCountOfServer(server.id)) });
}

/** Records the traffic a server's agent measured. */
export function reportServerLoad(data: ControlPlaneData, command: CommandOf<"reportServerLoad">) {
  const server = data.servers.get(command.serverId);
  if (!server) return unknownServer(command.serverId);
  recordLoad(server, server.load, command);
  server.load = {
    activePeers: command.activePeers,
    rxBytes: command.rxBytes,
    txBytes: command.txBytes,
    reportedAt: command.at,
  };
  return applied({ server: copyServer(server, data.liveConfigCountOfServer(server.id)) });
}

/**
 * Queues an `endpointChanged` notification for each live config on the
 * server, in config id order, so the bot sends its users the updated .conf.
 * Addresses stay as they are. Returns how many were queued.
 */
function notifyConnectionChanged(
  data: ControlPlaneData,
  context: ApplyContext,
  server: Server,
  at: number,
): number {
  const configIds = data.liveConfigIdsOfServer(server.id);
  for (const configId of configIds) {
    const config = data.configs.get(configId)!;
    context.notify(config.userId, "endpointChanged", { configId, serverId: server.id }, at);
  }
  return configIds.length;
}

function sameAmnezia(a: AmneziaParams | null, b: AmneziaParams | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.jc === b.jc &&
    a.jmin === b.jmin &&
    a.jmax === b.jmax &&
    a.s1 === b.s1 &&
    a.s2 === b.s2 &&
    a.h1 === b.h1 &&
    a.h2 === b.h2 &&
    a.h3 === b.h3 &&
    a.h4 === b.h4
  );
}
