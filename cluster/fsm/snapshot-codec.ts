/**
 * The control plane's snapshot format: versioned JSON where every collection
 * is an array of tuples (field names would double the size of 200 000
 * configs), in the collections' own order, so that a restored node iterates
 * exactly as the node that took the snapshot did. Derived indexes are not
 * stored; they are rebuilt on restore.
 *
 * Version 1 held settings only; it is still read.
 */
import { ControlPlaneData } from "./control-plane-data.ts";
import { parseCidr } from "./ipv4.ts";
import type { AmneziaParams, CheckResult, Config, OutboxEntry, Server, User } from "./records.ts";
import { serverTunnelAddress } from "./subnet-layout.ts";

/** The format `encodeSnapshot` writes. */
export const SNAPSHOT_VERSION = 2;

type Row = unknown[];

interface SnapshotV2 {
  v: 2;
  settings: Array<[string, string]>;
  servers: Row[];
  users: Row[];
  configs: Row[];
  invites: Row[];
  vantageProbes: Row[];
  broadcasts: Row[];
  outbox: Row[];
  updates: [offset: number, forgottenThrough: number, results: Array<[number, string]>];
  idempotencyKeys: Row[];
}

interface SnapshotV1 {
  version: 1;
  settings: Record<string, string>;
}

const AMNEZIA_FIELDS = ["jc", "jmin", "jmax", "s1", "s2", "h1", "h2", "h3", "h4"] as const;

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
    ]),
    configs: [...data.configs.values()].map((config) => [
      config.id,
      config.userId,
      config.serverId,
      config.protocol,
      config.clientPublicKey,
      config.clientPrivateKeyEncrypted,
      config.presharedKeyEncrypted,
      config.address,
      config.createdAt,
      config.expiresAt,
      config.revokedAt,
      config.revokeReason,
      config.expiryWarned ? 1 : 0,
      config.replacedBy,
    ]),
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
  };
  return JSON.stringify(snapshot);
}

function encodeServer(server: Server): Row {
  return [
    server.id,
    server.publicKey,
    server.listenPort,
    server.apiPort,
    server.endpointHost,
    server.subnet,
    server.capacity,
    server.region,
    server.amnezia ? AMNEZIA_FIELDS.map((field) => server.amnezia![field]) : null,
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
  ];
}

/**
 * Builds the state a snapshot describes. An empty string is the empty state.
 * Throws on a snapshot this version cannot read, leaving the caller's state
 * untouched.
 */
export function decodeSnapshot(text: string): ControlPlaneData {
  const data = new ControlPlaneData();
  if (text === "") return data;
  const parsed = JSON.parse(text) as { v?: unknown; version?: unknown };
  if (parsed.version === 1) {
    for (const [key, value] of Object.entries((parsed as SnapshotV1).settings))
      data.settings.set(key, value);
    return data;
  }
  if (parsed.v !== SNAPSHOT_VERSION)
    throw new Error(
      `control-plane snapshot version ${String(parsed.v ?? parsed.version)} is not supported`,
    );
  const snapshot = parsed as SnapshotV2;

  for (const [key, value] of snapshot.settings) data.settings.set(key, value);
  for (const row of rows(snapshot.servers, 17, "servers")) {
    const server = decodeServer(row);
    data.servers.set(server.id, server);
  }
  for (const row of rows(snapshot.users, 7, "users")) {
    const user: User = {
      id: row[0] as string,
      name: row[1] as string,
      language: row[2] as User["language"],
      role: row[3] as User["role"],
      status: row[4] as User["status"],
      createdAt: row[5] as number,
      invitedBy: row[6] as string | null,
    };
    data.users.set(user.id, user);
  }
  for (const row of rows(snapshot.configs, 14, "configs")) {
    const config: Config = {
      id: row[0] as string,
      userId: row[1] as string,
      serverId: row[2] as string,
      protocol: row[3] as Config["protocol"],
      clientPublicKey: row[4] as string,
      clientPrivateKeyEncrypted: row[5] as string,
      presharedKeyEncrypted: row[6] as string,
      address: row[7] as string,
      createdAt: row[8] as number,
      expiresAt: row[9] as number | null,
      revokedAt: row[10] as number | null,
      revokeReason: row[11] as string | null,
      expiryWarned: row[12] === 1,
      replacedBy: row[13] as string | null,
    };
    data.configs.set(config.id, config);
  }
  for (const row of rows(snapshot.invites, 4, "invites")) {
    const [code, usesLeft, createdBy, createdAt] = row as [string, number, string, number];
    data.invites.set(code, { code, usesLeft, createdBy, createdAt });
  }
  // Rows of 7 fields come from before vantage probes had their own keys.
  for (const row of rows(snapshot.vantageProbes, [9, 7], "vantageProbes")) {
    const [
      id,
      url,
      tokenEncrypted,
      region,
      isp,
      addedBy,
      addedAt,
      probePublicKey,
      probePrivateKeyEncrypted,
    ] = row as [string, string, string, string, string, string, number, string?, string?];
    data.vantageProbes.set(id, {
      id,
      url,
      tokenEncrypted,
      region,
      isp,
      addedBy,
      addedAt,
      probePublicKey: probePublicKey ?? null,
      probePrivateKeyEncrypted: probePrivateKeyEncrypted ?? null,
    });
  }
  for (const row of rows(snapshot.broadcasts, 4, "broadcasts")) {
    const [id, text, actor, createdAt] = row as [string, string, string, number];
    data.broadcasts.set(id, { id, text, actor, createdAt });
  }
  for (const row of rows(snapshot.outbox, 9, "outbox")) {
    const entry: OutboxEntry = {
      id: row[0] as string,
      chatId: row[1] as string,
      kind: row[2] as OutboxEntry["kind"],
      payload: row[3] as OutboxEntry["payload"],
      createdAt: row[4] as number,
      status: row[5] as OutboxEntry["status"],
      attempts: row[6] as number,
      lastError: row[7] as string | null,
      updatedAt: row[8] as number,
    };
    data.outbox.insert(entry);
  }
  const [offset, forgottenThrough, results] = snapshot.updates;
  data.handledUpdates.offset = offset;
  data.handledUpdates.forgottenThrough = forgottenThrough;
  for (const [updateId, resultJson] of results)
    data.handledUpdates.results.set(updateId, resultJson);
  for (const row of rows(snapshot.idempotencyKeys, 4, "idempotencyKeys")) {
    const [key, userId, configId, at] = row as [string, string, string, number];
    data.idempotencyKeys.remember(key, { userId, configId, at });
  }
  data.indexLoadedRecords();
  return data;
}

function decodeServer(row: Row): Server {
  const subnetText = row[5] as string;
  const subnet = parseCidr(subnetText);
  if (!subnet)
    throw new Error(`control-plane snapshot: server ${String(row[0])} has subnet ${subnetText}`);
  const amnezia = row[8] as number[] | null;
  const load = row[13] as [number, number, number, number] | null;
  const probePeer = row[14] as [string, string, string] | null;
  const [lastRound, consecutiveFiltered, consecutiveDown, recent] = row[15] as [
    number | null,
    number,
    number,
    Array<[number, CheckResult["verdict"], string, number]>,
  ];
  return {
    id: row[0] as string,
    publicKey: row[1] as string,
    listenPort: row[2] as number,
    apiPort: row[3] as number,
    endpointHost: row[4] as string | null,
    subnet: subnetText,
    tunnelAddress: serverTunnelAddress(subnet),
    capacity: row[6] as number,
    region: row[7] as string,
    amnezia: amnezia ? decodeAmnezia(amnezia) : null,
    status: row[9] as Server["status"],
    statusReason: row[10] as string,
    statusActor: row[11] as string,
    statusAt: row[12] as number,
    load: load
      ? { activePeers: load[0], rxBytes: load[1], txBytes: load[2], reportedAt: load[3] }
      : null,
    probePeer: probePeer
      ? { publicKey: probePeer[0], privateKeyEncrypted: probePeer[1], address: probePeer[2] }
      : null,
    checks: {
      lastRound,
      consecutiveFiltered,
      consecutiveDown,
      recent: recent.map(([round, verdict, evidence, at]) => ({ round, verdict, evidence, at })),
    },
    registeredAt: row[16] as number,
  };
}

function decodeAmnezia(values: number[]): AmneziaParams {
  const [jc, jmin, jmax, s1, s2, h1, h2, h3, h4] = values as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return { jc, jmin, jmax, s1, s2, h1, h2, h3, h4 };
}

/** The rows of one collection, each checked to have the expected number of fields. */
/** The rows of a collection, each `width` fields long (or one of the widths given). */
function rows(collection: unknown, width: number | readonly number[], name: string): Row[] {
  if (!Array.isArray(collection)) throw new Error(`control-plane snapshot: ${name} is not a list`);
  const widths = typeof width === "number" ? [width] : width;
  for (const row of collection) {
    if (!Array.isArray(row) || !widths.includes(row.length))
      throw new Error(
        `control-plane snapshot: a row of ${name} does not have ${widths.join(" or ")} fields`,
      );
  }
  return collection as Row[];
}
