/**
 * Banning a server and re-homing its users. Whoever bans (an admin, or the
 * ban check that crossed its threshold) proposes fresh client keys for every
 * live config on the server, because apply has no randomness of its own; see
 * `replacementKeysNeeded`. Apply then, in old config id order:
 *
 * - places a new config on a healthy server (normal placement, same
 *   protocol, the old expiry), revokes the old one (`server_banned`, with
 *   `replacedBy`) and queues `serverChanged` for the user with the new id;
 * - when no healthy server has room: revokes it (`no_capacity`) and queues an
 *   honest `noCapacity` for the user;
 * - when the keys ran out (a config was issued after the proposer read the
 *   state): revokes it (`rehome_pending`) and queues `configRevoked`, so the
 *   user asks for a new one.
 *
 * Every active admin gets one `adminAlert` per ban with the tally.
 */
import type { ApplyContext } from "./apply-context.ts";
import type { ReplacementKey } from "./commands.ts";
import { freshKeys, retireAndTellOwner, takeShadowsocksAccess } from "./config-commands.ts";
import type { ControlPlaneData } from "./control-plane-data.ts";
import { type Refusal, refuse } from "./errors.ts";
import { chooseServer } from "./placement.ts";
import type { Config, Server } from "./records.ts";

/** Who bans, why, when, and the keys for the replacement configs. */
export interface BanRequest {
  reason: string;
  actor: string;
  at: number;
  replacementKeys: readonly ReplacementKey[];
}

/** What happened to each live config of a banned server. */
export interface RehomeSummary {
  serverId: string;
  /** Old config id -> the new config's id and server. */
  rehomed: Array<{ from: string; to: string; serverId: string }>;
  /** Revoked because no healthy server had room. */
  withoutCapacity: string[];
  /** Revoked because no replacement keys were supplied for them. */
  pending: string[];
}

/**
 * Why these replacement keys cannot be used, or undefined. Checked before a
 * ban changes anything: ids must be new and keys unused, so a re-homed config
 * never clashes with another.
 */
export function replacementKeysProblem(
  data: ControlPlaneData,
  keys: readonly ReplacementKey[],
): Refusal | undefined {
  const ids = new Set<string>();
  const publicKeys = new Set<string>();
  for (const key of keys) {
    if (ids.has(key.configId) || data.configs.has(key.configId))
      return refuse(
        "DUPLICATE_CONFIG_ID",
        `config id ${key.configId} is already taken; generate new replacement keys`,
      );
    if (publicKeys.has(key.clientPublicKey) || data.publicKeyInUse(key.clientPublicKey))
      return refuse(
        "DUPLICATE_PUBLIC_KEY",
        "a replacement public key is already in use; generate new replacement keys",
      );
    ids.add(key.configId);
    publicKeys.add(key.clientPublicKey);
  }
  return undefined;
}

/** Bans the server and re-homes every live config on it. Keys must have passed `replacementKeysProblem`. */
export function banServer(
  data: ControlPlaneData,
  context: ApplyContext,
  server: Server,
  request: BanRequest,
): RehomeSummary {
  return takeOutOfService(data, context, server, "banned", request);
}

/**
 * Takes a server out of service for good, banned or removed from the
 * cluster, and re-homes every live config on it; admins are told the tally.
 */
export function takeOutOfService(
  data: ControlPlaneData,
  context: ApplyContext,
  server: Server,
  status: "banned" | "removed",
  request: BanRequest,
): RehomeSummary {
  server.status = status;
  server.statusReason = request.reason;
  server.statusActor = request.actor;
  server.statusAt = request.at;
  const summary: RehomeSummary = {
    serverId: server.id,
    rehomed: [],
    withoutCapacity: [],
    pending: [],
  };
  const liveIds = data.liveConfigIdsOfServer(server.id);
  liveIds.forEach((configId, position) => {
    const old = data.configs.get(configId)!;
    const key = request.replacementKeys[position];
    if (!key) {
      retireAndTellOwner(data, context, old, request.at, "rehome_pending");
      summary.pending.push(configId);
      return;
    }
    const placed = chooseServer(data.placementCandidates(), { protocol: old.protocol });
    if (!placed.ok) {
      data.retireConfig(old, request.at, "no_capacity");
      context.notify(old.userId, "noCapacity", { configId, serverId: server.id }, request.at);
      summary.withoutCapacity.push(configId);
      return;
    }
    const replacement = replacementConfig(data, old, key, placed.value, request.at);
    data.retireConfig(old, request.at, "server_banned", replacement.id);
    data.insertConfig(replacement);
    context.notify(
      old.userId,
      "serverChanged",
      { configId: replacement.id, previousConfigId: configId, serverId: replacement.serverId },
      request.at,
    );
    summary.rehomed.push({ from: configId, to: replacement.id, serverId: replacement.serverId });
  });
  for (const adminId of data.activeAdminIds()) {
    context.notify(
      adminId,
      "adminAlert",
      {
        event: status === "banned" ? "serverBanned" : "serverRemoved",
        serverId: server.id,
        reason: request.reason,
        actor: request.actor,
        rehomed: summary.rehomed.length,
        withoutCapacity: summary.withoutCapacity.length,
        pending: summary.pending.length,
      },
      request.at,
    );
  }
  return summary;
}

function replacementConfig(
  data: ControlPlaneData,
  old: Config,
  key: ReplacementKey,
  serverId: string,
  at: number,
): Config {
  return {
    id: key.configId,
    userId: old.userId,
    serverId,
    protocol: old.protocol,
    clientPublicKey: key.clientPublicKey,
    ...freshKeys(key.deliveryKeysSealed, at),
    address: data.takeAddress(serverId),
    createdAt: at,
    // Moving servers does not extend or shorten the user's access.
    expiresAt: old.expiresAt,
    revokedAt: null,
    revokeReason: null,
    expiryWarned: old.expiryWarned,
    replacedBy: null,
    shadowsocks: takeShadowsocksAccess(data, serverId, old.protocol),
  };
}
