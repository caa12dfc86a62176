/**
 * What a backup holds of the replicated state, and how a restore turns it
 * into a new cluster's first state. Pure functions over ControlPlaneData.
 *
 * A backup keeps users, configs (server, address, dates; never keys),
 * servers (id, subnet, region, capacity, status), settings, invites and the
 * backup passphrase's check. It leaves out every key and sealed value (the
 * configs' delivery and server copies, Shadowsocks passwords, the client
 * keys kept for subscriptions, probe peers' keys, vantage probes with their
 * tokens, users' subscription tokens: restored users ask for a new link),
 * node identities and join tokens (the new cluster's
 * nodes are new), and what only matters while a cluster runs (the outbox,
 * handled Telegram updates, idempotency keys, broadcasts, membership events,
 * ban-check verdicts).
 */
import { createHash } from "node:crypto";
import { emptyChecks } from "./check-verdicts.ts";
import { ControlPlaneData, compareIds } from "./control-plane-data.ts";
import { isLive, RESTORE_ACTOR } from "./records.ts";
import { decodeSnapshot, encodeSnapshot } from "./snapshot-codec.ts";
import { statusReasonText } from "./status-reasons.ts";

/** What the content of a backup counts; the file's header shows it in plaintext. */
export interface BackupCounts {
  users: number;
  configs: number;
  liveConfigs: number;
  servers: number;
  invites: number;
  settings: number;
}

/** The parts of the state a backup holds, named in its header. */
export const BACKUP_CONTENTS = [
  "users",
  "configs (server, address and dates; no keys)",
  "servers (to register again)",
  "settings",
  "invites",
  "backup passphrase check",
];

/** The status reason of a server a restore brought back, until its node registers again. */
export const RESTORED_SERVER_REASON = statusReasonText({ kind: "restoredFromBackup" });

/**
 * A copy of the backed-up parts of `data`, every key and sealed value left
 * out. Its derived indexes are not built (the leader makes backups, and only
 * the records are written out); `restoredDataOf` builds them.
 */
export function backupDataOf(data: ControlPlaneData): ControlPlaneData {
  const backup = new ControlPlaneData();
  for (const [key, value] of data.settings) backup.settings.set(key, value);
  for (const server of data.servers.values())
    backup.servers.set(server.id, {
      ...structuredClone(server),
      probePeer: null,
      load: null,
      checks: emptyChecks(),
    });
  for (const user of data.users.values()) backup.users.set(user.id, { ...user });
  for (const config of data.configs.values())
    backup.configs.set(config.id, {
      ...config,
      deliveryKeysSealed: null,
      serverPresharedKeySealed: null,
      subscriptionPrivateKeySealed: null,
      shadowsocks: config.shadowsocks && { ...config.shadowsocks, passwordSealed: null },
      deliveredAt: null,
    });
  for (const invite of data.invites.values()) backup.invites.set(invite.code, { ...invite });
  backup.backupPassphrase = data.backupPassphrase && { ...data.backupPassphrase };
  return backup;
}

/** The backup's content: the backed-up parts in the snapshot format, and their counts. */
export function backupContentOf(data: ControlPlaneData): { content: string; counts: BackupCounts } {
  const backup = backupDataOf(data);
  return { content: encodeSnapshot(backup), counts: countsOf(backup) };
}

export function countsOf(data: ControlPlaneData): BackupCounts {
  let liveConfigs = 0;
  for (const config of data.configs.values()) if (isLive(config)) liveConfigs++;
  return {
    users: data.users.size,
    configs: data.configs.size,
    liveConfigs,
    servers: data.servers.size,
    invites: data.invites.size,
    settings: data.settings.size,
  };
}

/**
 * The first state of a cluster restored from a backup's `content` at
 * `restoredAt`: only the backed-up parts are taken, whatever else the
 * content holds; every server that was serving waits for its node to
 * register again (`down`, endpoint unknown, so no config is placed there
 * and no ban check probes an old address), and every live config's keys
 * count as erased (`restored`), so its first download makes new keys.
 * Banned and removed servers stay so. Throws on content that is not a valid
 * snapshot.
 */
export function restoredDataOf(content: string, restoredAt: number): ControlPlaneData {
  const data = backupDataOf(decodeSnapshot(content));
  for (const server of data.servers.values()) {
    server.endpointHost = null;
    if (server.status === "banned" || server.status === "removed") continue;
    server.status = "down";
    server.statusReason = RESTORED_SERVER_REASON;
    server.statusActor = RESTORE_ACTOR;
    server.statusAt = restoredAt;
  }
  for (const config of data.configs.values()) {
    if (!isLive(config)) continue;
    config.keysErasedAt = restoredAt;
    config.keysErasedReason = "restored";
  }
  data.indexLoadedRecords();
  return data;
}

/**
 * SHA-256 (hex) of what a restore promises to bring back, and nothing a
 * running cluster changes by itself: settings; users; configs (owner,
 * server, address, protocol, dates, revocation; not keys, key dates or
 * notices sent); servers' id, subnet, region and capacity (not their status,
 * keys or endpoint, which the restore resets); invites; the backup
 * passphrase's public key. Equal for a cluster and the cluster restored from
 * its backup, until either changes one of these.
 */
export function restoredPartsHash(data: ControlPlaneData): string {
  const byId = <T>(items: Iterable<T>, id: (item: T) => string) =>
    [...items].sort((a, b) => compareIds(id(a), id(b)));
  const parts = {
    settings: [...data.settings].sort(([a], [b]) => compareIds(a, b)),
    users: byId(data.users.values(), (user) => user.id).map((user) => [
      user.id,
      user.name,
      user.language,
      user.role,
      user.status,
      user.createdAt,
      user.invitedBy,
    ]),
    configs: byId(data.configs.values(), (config) => config.id).map((config) => [
      config.id,
      config.userId,
      config.serverId,
      config.protocol,
      config.address,
      config.createdAt,
      config.expiresAt,
      config.revokedAt,
      config.revokeReason,
      config.replacedBy,
    ]),
    servers: byId(data.servers.values(), (server) => server.id).map((server) => [
      server.id,
      server.subnet,
      server.region,
      server.capacity,
    ]),
    invites: byId(data.invites.values(), (invite) => invite.code).map((invite) => [
      invite.code,
      invite.usesLeft,
      invite.createdBy,
      invite.createdAt,
    ]),
    backupPublicKey: data.backupPassphrase?.publicKey ?? null,
  };
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}
