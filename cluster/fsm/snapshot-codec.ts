/**
 * The control plane's snapshot format: versioned JSON where every collection
 * is an array of tuples (field names would double the size of 200 000
 * configs), in the collections' own order, so that a restored node iterates
 * exactly as the node that took the snapshot did. Derived indexes are not
 * stored; they are rebuilt on restore.
 *
 * Version 1 held settings only; it is still read.
 */
import { z } from "zod";
import { keyCheckProblem } from "../../shared/crypto/backup-passphrase-key.ts";
import { ControlPlaneData } from "./control-plane-data.ts";
import { parseCidr } from "./ipv4.ts";
import type {
  AmneziaParams,
  BackupPassphrase,
  Config,
  OutboxEntry,
  Server,
  User,
} from "./records.ts";
import {
  type ConfigRow,
  type ServerRow,
  type SnapshotV2,
  snapshotV1Schema,
  snapshotV2Schema,
} from "./snapshot-schema.ts";
import { serverTunnelAddress } from "./subnet-layout.ts";
import type { TrafficLedger } from "./traffic-ledger.ts";

/** The format `encodeSnapshot` writes. */
export const SNAPSHOT_VERSION = 2;

/** Serialises the whole state. */
export function encodeSnapshot(data: ControlPlaneData): string {
  const snapshot: SnapshotV2 = {
    v: 2,
    settings: [...data.settings],
    servers: [...data.servers.values()].map(encodeServer),
    users: [...data.users.values()].map((user) => [
      user.id,
      user.name,
      user.language,
      user.role,
      user.status,
      user.createdAt,
      user.invitedBy,
      user.preferredProtocol,
    ]),
    configs: [...data.configs.values()].map(encodeConfig),
    invites: [...data.invites.values()].map((invite) => [
      invite.code,
      invite.usesLeft,
      invite.createdBy,
      invite.createdAt,
    ]),
    vantageProbes: [...data.vantageProbes.values()].map((probe) => [
      probe.id,
      probe.url,
      probe.tokenEncrypted,
      probe.region,
      probe.isp,
      probe.addedBy,
      probe.addedAt,
      probe.probePublicKey,
      probe.probePrivateKeyEncrypted,
      probe.certSha256,
      probe.insecure ? (1 as const) : (0 as const),
    ]),
    broadcasts: [...data.broadcasts.values()].map((item) => [
      item.id,
      item.text,
      item.actor,
      item.createdAt,
    ]),
    outbox: [...data.outbox.entries.values()].map((entry) => [
      entry.id,
      entry.chatId,
      entry.kind,
      entry.payload,
      entry.createdAt,
      entry.status,
      entry.attempts,
      entry.lastError,
      entry.updatedAt,
      entry.notBefore,
    ]),
    updates: [
      data.handledUpdates.offset,
      data.handledUpdates.forgottenThrough,
      [...data.handledUpdates.results],
    ],
    idempotencyKeys: [...data.idempotencyKeys.records].map(([key, record]) => [
      key,
      record.userId,
      record.configId,
      record.at,
    ]),
    nodeKeys: [...data.nodeKeys.values()].map((key) => [
      key.nodeId,
      key.publicKey,
      key.admittedBy,
      key.actor,
      key.pinnedAt,
    ]),
    revokedNodeKeys: [...data.revokedNodeKeys.values()].map((key) => [
      key.publicKey,
      key.nodeId,
      key.reason,
      key.revokedAt,
    ]),
    joinTokens: [...data.joinTokens.values()].map((token) => [
      token.nodeId,
      token.verifier,
      token.region,
      token.capacity,
      token.createdBy,
      token.createdAt,
      token.expiresAt,
      token.status,
      token.redeemedKey,
      token.closedAt,
    ]),
    memberRemovals: [...data.memberRemovals.values()].map((removal) => [
      removal.nodeId,
      removal.reason,
      removal.actor,
      removal.requestedAt,
    ]),
    membershipEvents: data.membershipEvents.map((event) => [
      event.nodeId,
      event.change,
      event.reason,
      event.at,
    ]),
    backup: [backupPassphraseRow(data.backupPassphrase), data.lastBackupSlot],
    answeredUpdates: [...data.handledUpdates.answered],
    subscriptions: [...data.subscriptions.values()].map((subscription) => [
      subscription.userId,
      subscription.tokenSha256,
      subscription.tokenSealed,
      subscription.issuedAt,
    ]),
    traffic: encodeTraffic(data.traffic),
  };
  return JSON.stringify(snapshot);
}

function encodeTraffic(ledger: TrafficLedger): NonNullable<SnapshotV2["traffic"]> {
  const bit = (flag: boolean) => (flag ? (1 as const) : (0 as const));
  return [
    ledger.periodStart,
    [...ledger.serverReportedAt],
    [...ledger.configs.values()].map((counter) => [
      counter.configId,
      counter.peer,
      counter.rawRxBytes,
      counter.rawTxBytes,
      counter.reportedAt,
      counter.rxBytes,
      counter.txBytes,
    ]),
    [...ledger.users.values()].map((account) => [
      account.userId,
      account.rxBytes,
      account.txBytes,
      account.quotaGb,
      bit(account.warned),
      bit(account.suspended),
      bit(account.lifted),
    ]),
  ];
}

function decodeTraffic(ledger: TrafficLedger, rows: NonNullable<SnapshotV2["traffic"]>): void {
  const [periodStart, reportedAt, configs, users] = rows;
  ledger.periodStart = periodStart;
  for (const [serverId, at] of reportedAt) ledger.serverReportedAt.set(serverId, at);
  for (const [configId, peer, rawRxBytes, rawTxBytes, at, rxBytes, txBytes] of configs)
    ledger.configs.set(configId, {
      configId,
      peer,
      rawRxBytes,
      rawTxBytes,
      reportedAt: at,
      rxBytes,
      txBytes,
    });
  for (const [userId, rxBytes, txBytes, quotaGb, warned, suspended, lifted] of users)
    ledger.users.set(userId, {
      userId,
      rxBytes,
      txBytes,
      quotaGb,
      warned: warned === 1,
      suspended: suspended === 1,
      lifted: lifted === 1,
    });
}

function encodeConfig(config: Config): ConfigRow {
  return [
    config.id,
    config.userId,
    config.serverId,
    config.protocol,
    config.clientPublicKey,
    config.deliveryKeysSealed,
    config.keysIssuedAt,
    config.deliveredAt,
    config.keysErasedAt,
    config.keysErasedReason,
    config.serverPresharedKeySealed,
    config.address,
    config.createdAt,
    config.expiresAt,
    config.revokedAt,
    config.revokeReason,
    config.expiryWarned ? 1 : 0,
    config.replacedBy,
    config.shadowsocks
      ? [config.shadowsocks.port, config.shadowsocks.method, config.shadowsocks.passwordSealed]
      : null,
    config.subscriptionPrivateKeySealed,
  ];
}

/** A stored config row: the current layout, or one whose keys were sealed under CLUSTER_SECRET. */
function decodeConfig(row: SnapshotV2["configs"][number]): Config {
  if (row.length === 14) {
    return {
      id: row[0],
      userId: row[1],
      serverId: row[2],
      protocol: row[3],
      clientPublicKey: row[4],
      deliveryKeysSealed: null,
      keysIssuedAt: row[8],
      deliveredAt: null,
      keysErasedAt: row[8],
      keysErasedReason: "expired",
      serverPresharedKeySealed: null,
      subscriptionPrivateKeySealed: null,
      address: row[7],
      createdAt: row[8],
      expiresAt: row[9],
      revokedAt: row[10],
      revokeReason: row[11],
      expiryWarned: row[12] === 1,
      replacedBy: row[13],
      shadowsocks: null,
    };
  }
  const shadowsocks = row[18] ?? null;
  return {
    id: row[0],
    userId: row[1],
    serverId: row[2],
    protocol: row[3],
    clientPublicKey: row[4],
    deliveryKeysSealed: row[5],
    keysIssuedAt: row[6],
    deliveredAt: row[7],
    keysErasedAt: row[8],
    keysErasedReason: row[9],
    serverPresharedKeySealed: row[10],
    address: row[11],
    createdAt: row[12],
    expiresAt: row[13],
    revokedAt: row[14],
    revokeReason: row[15],
    expiryWarned: row[16] === 1,
    replacedBy: row[17],
    shadowsocks: shadowsocks
      ? { port: shadowsocks[0], method: shadowsocks[1], passwordSealed: shadowsocks[2] }
      : null,
    // Absent in rows from before subscriptions.
    subscriptionPrivateKeySealed: row[19] ?? null,
  };
}

function encodeServer(server: Server): ServerRow {
  return [
    server.id,
    server.publicKey,
    server.listenPort,
    server.apiPort,
    server.endpointHost,
    server.subnet,
    server.capacity,
    server.region,
    server.amnezia ? amneziaRow(server.amnezia) : null,
    server.status,
    server.statusReason,
    server.statusActor,
    server.statusAt,
    server.load
      ? [server.load.activePeers, server.load.rxBytes, server.load.txBytes, server.load.reportedAt]
      : null,
    server.probePeer
      ? [server.probePeer.publicKey, server.probePeer.privateKeyEncrypted, server.probePeer.address]
      : null,
    [
      server.checks.lastRound,
      server.checks.consecutiveFiltered,
      server.checks.consecutiveDown,
      server.checks.recent.map((result) => [
        result.round,
        result.verdict,
        result.evidence,
        result.at,
      ]),
    ],
    server.registeredAt,
    server.mtu,
    server.clientDns ? [...server.clientDns] : null,
    [...server.protocols],
    server.shadowsocks
      ? [server.shadowsocks.firstPort, server.shadowsocks.lastPort, server.shadowsocks.method]
      : null,
    server.hourly.map((sample) => [
      sample.hourStart,
      sample.configsIssued,
      sample.activePeers,
      sample.rxBytes,
      sample.txBytes,
      sample.verdicts.map(({ group, verdict }) => [group, verdict]),
    ]),
    server.shadowsocksProbe
      ? [
          server.shadowsocksProbe.port,
          server.shadowsocksProbe.method,
          server.shadowsocksProbe.passwordSealed,
          server.shadowsocksProbe.passwordSealedToServer,
        ]
      : null,
    server.blockedProtocols.map((blocked) => [
      blocked.protocol,
      [...blocked.isps],
      blocked.since,
      blocked.evidence,
    ]),
    server.checks.protocols.map((run) => [
      run.protocol,
      run.consecutiveFiltered,
      run.consecutiveOk,
    ]),
    server.holdsBotToken,
    server.holdsDataKeys,
    server.probes ? [...server.probes] : null,
  ];
}

/**
 * Builds the state a snapshot describes. An empty string is the empty state.
 * Throws on a snapshot this version cannot read or whose shape is wrong (it
 * is validated field by field first), leaving the caller's state untouched.
 */
export function decodeSnapshot(text: string): ControlPlaneData {
  const data = new ControlPlaneData();
  if (text === "") return data;
  const parsed: unknown = JSON.parse(text);
  const v1 = snapshotV1Schema.safeParse(parsed);
  if (v1.success) {
    for (const [key, value] of Object.entries(v1.data.settings)) data.settings.set(key, value);
    return data;
  }
  const version = (parsed as { v?: unknown; version?: unknown } | null) ?? {};
  if (version.v !== SNAPSHOT_VERSION)
    throw new Error(
      `control-plane snapshot version ${String(version.v ?? version.version)} is not supported`,
    );
  const checked = snapshotV2Schema.safeParse(parsed);
  if (!checked.success)
    throw new Error(`control-plane snapshot is malformed: ${z.prettifyError(checked.error)}`);
  const snapshot = checked.data;

  for (const [key, value] of snapshot.settings) data.settings.set(key, value);
  for (const row of snapshot.servers) {
    const server = decodeServer(row);
    data.servers.set(server.id, server);
  }
  for (const row of snapshot.users) {
    const [id, name, language, role, status, createdAt, invitedBy, preferredProtocol = null] = row;
    const user: User = {
      id,
      name,
      language,
      role,
      status,
      createdAt,
      invitedBy,
      preferredProtocol,
    };
    data.users.set(user.id, user);
  }
  for (const row of snapshot.configs) {
    const config = decodeConfig(row);
    data.configs.set(config.id, config);
  }
  for (const [code, usesLeft, createdBy, createdAt] of snapshot.invites)
    data.invites.set(code, { code, usesLeft, createdBy, createdAt });
  for (const row of snapshot.vantageProbes) {
    const [id, url, tokenEncrypted, region, isp, addedBy, addedAt] = row;
    data.vantageProbes.set(id, {
      id,
      url,
      tokenEncrypted,
      region,
      isp,
      addedBy,
      addedAt,
      probePublicKey: row[7] ?? null,
      probePrivateKeyEncrypted: row[8] ?? null,
      // Absent in rows from before pinning: unpinned, and not insecure.
      certSha256: row[9] ?? null,
      insecure: row[10] === 1,
    });
  }
  for (const [id, text, actor, createdAt] of snapshot.broadcasts)
    data.broadcasts.set(id, { id, text, actor, createdAt });
  for (const row of snapshot.outbox) {
    const entry: OutboxEntry = {
      id: row[0],
      chatId: row[1],
      kind: row[2],
      payload: row[3],
      createdAt: row[4],
      status: row[5],
      attempts: row[6],
      lastError: row[7],
      updatedAt: row[8],
      notBefore: row[9] ?? null,
    };
    data.outbox.insert(entry);
  }
  const [offset, forgottenThrough, results] = snapshot.updates;
  data.handledUpdates.offset = offset;
  data.handledUpdates.forgottenThrough = forgottenThrough;
  for (const [updateId, resultJson] of results)
    data.handledUpdates.results.set(updateId, resultJson);
  for (const [key, userId, configId, at] of snapshot.idempotencyKeys)
    data.idempotencyKeys.remember(key, { userId, configId, at });
  for (const [nodeId, publicKey, admittedBy, actor, pinnedAt] of snapshot.nodeKeys)
    data.nodeKeys.set(nodeId, { nodeId, publicKey, admittedBy, actor, pinnedAt });
  for (const [publicKey, nodeId, reason, revokedAt] of snapshot.revokedNodeKeys)
    data.revokedNodeKeys.set(publicKey, { publicKey, nodeId, reason, revokedAt });
  for (const [
    nodeId,
    verifier,
    region,
    capacity,
    createdBy,
    createdAt,
    expiresAt,
    status,
    redeemedKey,
    closedAt,
  ] of snapshot.joinTokens) {
    data.joinTokens.set(nodeId, {
      nodeId,
      verifier,
      region,
      capacity,
      createdBy,
      createdAt,
      expiresAt,
      status,
      redeemedKey,
      closedAt,
    });
  }
  for (const [nodeId, reason, actor, requestedAt] of snapshot.memberRemovals)
    data.memberRemovals.set(nodeId, { nodeId, reason, actor, requestedAt });
  for (const [nodeId, change, reason, at] of snapshot.membershipEvents)
    data.membershipEvents.push({ nodeId, change, reason, at });
  const [passphrase, lastBackupSlot] = snapshot.backup;
  data.backupPassphrase = passphrase && decodeBackupPassphrase(passphrase);
  data.lastBackupSlot = lastBackupSlot;
  data.handledUpdates.markAnswered(snapshot.answeredUpdates);
  for (const [userId, tokenSha256, tokenSealed, issuedAt] of snapshot.subscriptions)
    data.subscriptions.set(userId, { userId, tokenSha256, tokenSealed, issuedAt });
  if (snapshot.traffic) decodeTraffic(data.traffic, snapshot.traffic);
  data.indexLoadedRecords();
  return data;
}

function decodeServer(row: ServerRow): Server {
  const [
    id,
    publicKey,
    listenPort,
    apiPort,
    endpointHost,
    subnetText,
    capacity,
    region,
    amnezia,
    status,
    statusReason,
    statusActor,
    statusAt,
    load,
    probePeer,
    checks,
    registeredAt,
    mtu = null,
    clientDns = null,
    protocols,
    shadowsocks = null,
    hourly = [],
    shadowsocksProbe = null,
    blockedProtocols = [],
    protocolRuns = [],
    holdsBotToken = null,
    holdsDataKeys = null,
    probes = null,
  ] = row;
  const subnet = parseCidr(subnetText);
  if (!subnet) throw new Error(`control-plane snapshot: server ${id} has subnet ${subnetText}`);
  const [lastRound, consecutiveFiltered, consecutiveDown, recent] = checks;
  return {
    id,
    publicKey,
    listenPort,
    apiPort,
    endpointHost,
    subnet: subnetText,
    tunnelAddress: serverTunnelAddress(subnet),
    capacity,
    region,
    amnezia: amnezia ? decodeAmnezia(amnezia) : null,
    // Servers from before Shadowsocks offered WireGuard, and AmneziaWG with its parameters.
    protocols: protocols ?? (amnezia ? ["wireguard", "amneziawg"] : ["wireguard"]),
    shadowsocks: shadowsocks
      ? { firstPort: shadowsocks[0], lastPort: shadowsocks[1], method: shadowsocks[2] }
      : null,
    mtu,
    clientDns,
    holdsBotToken,
    holdsDataKeys,
    probes,
    status,
    statusReason,
    statusActor,
    statusAt,
    load: load
      ? { activePeers: load[0], rxBytes: load[1], txBytes: load[2], reportedAt: load[3] }
      : null,
    probePeer: probePeer
      ? { publicKey: probePeer[0], privateKeyEncrypted: probePeer[1], address: probePeer[2] }
      : null,
    shadowsocksProbe: shadowsocksProbe
      ? {
          port: shadowsocksProbe[0],
          method: shadowsocksProbe[1],
          passwordSealed: shadowsocksProbe[2],
          passwordSealedToServer: shadowsocksProbe[3],
        }
      : null,
    blockedProtocols: blockedProtocols.map(([protocol, isps, since, evidence]) => ({
      protocol,
      isps,
      since,
      evidence,
    })),
    checks: {
      lastRound,
      consecutiveFiltered,
      consecutiveDown,
      recent: recent.map(([round, verdict, evidence, at]) => ({ round, verdict, evidence, at })),
      protocols: protocolRuns.map(([protocol, consecutiveFiltered, consecutiveOk]) => ({
        protocol,
        consecutiveFiltered,
        consecutiveOk,
      })),
    },
    hourly: hourly.map(([hourStart, configsIssued, activePeers, rxBytes, txBytes, verdicts]) => ({
      hourStart,
      configsIssued,
      activePeers,
      rxBytes,
      txBytes,
      verdicts: verdicts.map(([group, verdict]) => ({ group, verdict })),
    })),
    registeredAt,
  };
}

function backupPassphraseRow(
  passphrase: BackupPassphrase | null,
): NonNullable<SnapshotV2["backup"]>[0] {
  if (!passphrase) return null;
  const { salt, n, r, p, publicKey, setBy, setAt } = passphrase;
  return [salt, n, r, p, publicKey, setBy, setAt];
}

function decodeBackupPassphrase(
  row: NonNullable<NonNullable<SnapshotV2["backup"]>[0]>,
): BackupPassphrase {
  const [salt, n, r, p, publicKey, setBy, setAt] = row;
  const problem = keyCheckProblem({ salt, n, r, p, publicKey });
  if (problem)
    throw new Error(`control-plane snapshot: the backup key check is invalid: ${problem}`);
  return { salt, n, r, p, publicKey, setBy, setAt };
}

function amneziaRow(params: AmneziaParams): NonNullable<ServerRow[8]> {
  const { jc, jmin, jmax, s1, s2, h1, h2, h3, h4 } = params;
  return [jc, jmin, jmax, s1, s2, h1, h2, h3, h4];
}

function decodeAmnezia(values: NonNullable<ServerRow[8]>): AmneziaParams {
  const [jc, jmin, jmax, s1, s2, h1, h2, h3, h4] = values;
  return { jc, jmin, jmax, s1, s2, h1, h2, h3, h4 };
}
