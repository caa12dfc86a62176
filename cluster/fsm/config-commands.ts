/** Applying config changes a user or admin asks for: issuing and revoking. */
import type { ApplyContext } from "./apply-context.ts";
import { applied, repeated } from "./apply-result.ts";
import type { CommandOf } from "./commands.ts";
import type { ControlPlaneData } from "./control-plane-data.ts";
import { type Refusal, refuse, unknownUser } from "./errors.ts";
import { chooseServer } from "./placement.ts";
import type { Config, ConfigProtocol, ShadowsocksAccess } from "./records.ts";
import { integerSetting } from "./settings.ts";
import { copyConfig } from "./views.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Issues a config: checks the user and their limit, places it on the least
 * loaded eligible server and gives it that server's lowest free address (and,
 * for Shadowsocks, its lowest free port). The protocol becomes the user's
 * preferred one. With
 * an idempotency key already used by the same user, answers with the config
 * that key created and creates nothing.
 */
export function issueConfig(data: ControlPlaneData, command: CommandOf<"issueConfig">) {
  if (command.idempotencyKey !== undefined) {
    const earlier = data.idempotencyKeys.find(command.idempotencyKey);
    if (earlier) {
      if (earlier.userId !== command.userId)
        return refuse(
          "IDEMPOTENCY_KEY_REUSED",
          "this idempotency key was used for another user; use a fresh key per request",
        );
      return repeated(copyConfig(data.configs.get(earlier.configId)!));
    }
  }
  const user = data.users.get(command.userId);
  if (!user) return unknownUser(command.userId);
  if (user.status !== "active")
    return refuse(
      "USER_NOT_ACTIVE",
      user.status === "blocked"
        ? "this user is blocked and cannot get configs"
        : "this user is waiting for approval or an invite and cannot get configs yet",
    );
  if (data.traffic.isSuspended(user.id))
    return refuse(
      "TRAFFIC_QUOTA_EXCEEDED",
      "this user used their traffic quota for this period; configs work again when it resets or an admin lifts it",
    );
  if (data.configs.has(command.configId))
    return refuse(
      "DUPLICATE_CONFIG_ID",
      `config id ${command.configId} is already taken; generate a new id`,
    );
  if (data.publicKeyInUse(command.clientPublicKey))
    return refuse(
      "DUPLICATE_PUBLIC_KEY",
      "that client public key is already in use; generate a new key pair",
    );
  const limit = integerSetting(data.settings, "configsPerUser");
  if (data.liveConfigCountOfUser(user.id) >= limit)
    return refuse(
      "CONFIG_LIMIT_REACHED",
      `this user already has ${limit} live config(s), the limit; revoke one to get another`,
    );
  const placed = chooseServer(data.placementCandidates(), {
    protocol: command.protocol,
    region: command.region,
  });
  if (!placed.ok) return placed;

  const lifetimeDays = integerSetting(data.settings, "configLifetimeDays");
  const config: Config = {
    id: command.configId,
    userId: user.id,
    serverId: placed.value,
    protocol: command.protocol,
    clientPublicKey: command.clientPublicKey,
    ...freshKeys(command.deliveryKeysSealed, command.at),
    address: data.takeAddress(placed.value),
    createdAt: command.at,
    expiresAt: lifetimeDays === 0 ? null : command.at + lifetimeDays * DAY_MS,
    revokedAt: null,
    revokeReason: null,
    expiryWarned: false,
    replacedBy: null,
    shadowsocks: takeShadowsocksAccess(data, placed.value, command.protocol),
  };
  data.insertConfig(config);
  user.preferredProtocol = command.protocol;
  if (command.idempotencyKey !== undefined)
    data.idempotencyKeys.remember(command.idempotencyKey, {
      userId: user.id,
      configId: config.id,
      at: command.at,
    });
  return applied(copyConfig(config));
}

/**
 * A new Shadowsocks config's port (the server's lowest free one) and cipher
 * (the server's current one); null for other protocols. Placement chose a
 * server that offers Shadowsocks with a free port.
 */
export function takeShadowsocksAccess(
  data: ControlPlaneData,
  serverId: string,
  protocol: ConfigProtocol,
): ShadowsocksAccess | null {
  if (protocol !== "shadowsocks") return null;
  const service = data.servers.get(serverId)!.shadowsocks!;
  return { port: data.takeShadowsocksPort(serverId), method: service.method, passwordSealed: null };
}

/** The key fields of a config whose keys were just made and are not delivered yet. */
export function freshKeys(deliveryKeysSealed: string, at: number) {
  return {
    deliveryKeysSealed,
    keysIssuedAt: at,
    deliveredAt: null,
    keysErasedAt: null,
    keysErasedReason: null,
    serverPresharedKeySealed: null,
  } satisfies Partial<Config>;
}

/**
 * The live config `configId`, which must be `userId`'s when one is given; a
 * refusal saying which of these it is not.
 */
export function ownLiveConfig(
  data: ControlPlaneData,
  configId: string,
  userId: string | undefined,
): Config | Refusal {
  const config = data.configs.get(configId);
  if (!config) return refuse("UNKNOWN_CONFIG", `there is no config ${configId}`);
  if (userId !== undefined && config.userId !== userId)
    return refuse("NOT_OWNER", `config ${configId} belongs to another user`);
  if (config.revokedAt !== null)
    return refuse(
      "CONFIG_ALREADY_REVOKED",
      `config ${configId} was already revoked (${config.revokeReason})`,
    );
  return config;
}

/** Revokes a live config for `reason` and tells its owner (`configRevoked`) to ask for a new one. */
export function retireAndTellOwner(
  data: ControlPlaneData,
  context: ApplyContext,
  config: Config,
  at: number,
  reason: string,
): void {
  data.retireConfig(config, at, reason);
  context.notify(
    config.userId,
    "configRevoked",
    { configId: config.id, serverId: config.serverId, reason },
    at,
  );
}

/** Revokes a live config; its address becomes free for the next config on that server. */
export function revokeConfig(data: ControlPlaneData, command: CommandOf<"revokeConfig">) {
  const config = ownLiveConfig(data, command.configId, command.userId);
  if ("ok" in config) return config;
  data.retireConfig(config, command.at, command.reason);
  return applied(copyConfig(config));
}
