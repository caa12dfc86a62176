/**
 * Applying the custody of a config's keys (see records.ts, Config): a new
 * key pair on download, the server copy of the preshared key sealed by the
 * leader, and the delivery copy erased once the user has the config or the
 * undelivered-key bound has passed.
 */
import type { ApplyContext } from "./apply-context.ts";
import { applied } from "./apply-result.ts";
import type { CommandOf } from "./commands.ts";
import { ownLiveConfig, retireAndTellOwner } from "./config-commands.ts";
import type { ControlPlaneData } from "./control-plane-data.ts";
import { refuse } from "./errors.ts";
import { serverCopyOf } from "./records.ts";
import { copyConfig } from "./views.ts";

/** Gives a live config a fresh key pair: same server, same address; the old peer leaves the server. */
export function rekeyConfig(data: ControlPlaneData, command: CommandOf<"rekeyConfig">) {
  const config = ownLiveConfig(data, command.configId, command.userId);
  if ("ok" in config) return config;
  if (data.publicKeyInUse(command.clientPublicKey))
    return refuse(
      "DUPLICATE_PUBLIC_KEY",
      "that client public key is already in use; generate a new key pair",
    );
  data.rekeyConfig(config, command.clientPublicKey, command.deliveryKeysSealed, command.at);
  return applied(copyConfig(config));
}

/**
 * Stores server copies of preshared keys (a Shadowsocks config's is its
 * password, see records.ts). An item is skipped when its config
 * is no longer live, already has a copy, or was re-keyed (client or server)
 * since it was sealed: the leader seals again from the state as it is. A
 * config the user already has loses its delivery copy now.
 */
export function sealServerPresharedKeys(
  data: ControlPlaneData,
  command: CommandOf<"sealServerPresharedKeys">,
) {
  let sealed = 0;
  let erased = 0;
  for (const item of command.items) {
    const config = data.configs.get(item.configId);
    if (
      !config ||
      config.revokedAt !== null ||
      serverCopyOf(config) !== null ||
      config.clientPublicKey !== item.clientPublicKey ||
      data.servers.get(config.serverId)?.publicKey !== item.serverPublicKey
    )
      continue;
    data.setServerCopy(config, item.sealed);
    sealed++;
    if (config.deliveredAt !== null && config.deliveryKeysSealed !== null) {
      data.eraseDeliveryKeys(config, command.at, "delivered");
      erased++;
    }
  }
  return applied({ sealed, erased });
}

/**
 * Erases delivery copies. A delivered config whose server copy is not sealed
 * yet keeps its keys only until it is (`waiting`). An expired one without a
 * server copy can never be installed on its server: it is revoked and its
 * user told to ask again.
 */
export function eraseConfigKeys(
  data: ControlPlaneData,
  context: ApplyContext,
  command: CommandOf<"eraseConfigKeys">,
) {
  const erased: string[] = [];
  const waiting: string[] = [];
  const revoked: string[] = [];
  for (const configId of command.configIds) {
    const config = data.configs.get(configId);
    if (!config || config.deliveryKeysSealed === null) continue;
    if (serverCopyOf(config) !== null || config.revokedAt !== null) {
      data.eraseDeliveryKeys(config, command.at, command.reason);
      erased.push(configId);
    } else if (command.reason === "delivered") {
      config.deliveredAt = command.at;
      waiting.push(configId);
    } else {
      retireAndTellOwner(data, context, config, command.at, "keys_expired");
      revoked.push(configId);
    }
  }
  return applied({ erased, waiting, revoked });
}
