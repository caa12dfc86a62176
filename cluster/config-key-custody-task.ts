/**
 * The leader keeps custody of configs' keys (see fsm/records.ts, Config), a
 * leader task (leadership-runner.ts). Every tick it:
 *
 * - seals each new config's preshared key (a Shadowsocks config's
 *   password) to its server's WireGuard key (the server copy, which only
 *   that server can open) and commits it, so the server adds the peer or
 *   serves the port, and the delivery copy can go; a WireGuard config's
 *   client private key is sealed to the same server beside it, for the
 *   user's subscription (cluster/subscription), which only that server can open;
 * - erases delivery copies older than the `undeliveredKeyMinutes` setting,
 *   delivered or not.
 *
 * The delivery copy itself is erased as soon as the user has the config, by
 * whoever delivered it (the bot, the outbox, the API): see
 * ControlPlaneService.confirmDelivered.
 */

import { sealToWireGuardKey } from "../shared/crypto/wireguard-sealed-box.ts";
import type { Logger } from "../shared/logger.ts";
import type { ControlPlaneService } from "./control-plane-service.ts";
import { openDeliveryKeys } from "./delivery-keys.ts";
import type { CommandInputOf } from "./fsm/commands.ts";
import type { Config, Server } from "./fsm/records.ts";
import { type LeaderTask, passEachInterval } from "./leadership-runner.ts";
import type { SealedSecrets } from "./sealed-secrets.ts";
import { sealSubscriptionPrivateKey } from "./subscription/config-secrets.ts";

/** At most this many configs per command, so one entry stays small. */
const BATCH = 500;
const MINUTE_MS = 60_000;

export interface ConfigKeyCustodyOptions {
  service: ControlPlaneService;
  sealing: SealedSecrets;
  intervalMs: number;
  logger: Logger;
}

/**
 * The server copy of a config's secret, as `sealServerPresharedKeys` takes
 * it: its preshared key (a Shadowsocks config's password, see
 * fsm/records.ts) sealed to its server's WireGuard key for this key
 * generation. Undefined when the delivery copy cannot be read.
 */
export function serverCopyItem(
  sealing: SealedSecrets,
  config: Config,
  server: Pick<Server, "publicKey">,
): CommandInputOf<"sealServerPresharedKeys">["items"][number] | undefined {
  const keys = openDeliveryKeys(sealing, config);
  return keys === undefined ? undefined : serverCopyOf(config, server, keys);
}

/** The server's copy of a config whose client keys are `keys`: sealed to the server's key. */
export function serverCopyOf(
  config: Pick<Config, "id" | "clientPublicKey" | "shadowsocks">,
  server: Pick<Server, "publicKey">,
  keys: { privateKey: string; presharedKey: string },
): CommandInputOf<"sealServerPresharedKeys">["items"][number] {
  return {
    configId: config.id,
    clientPublicKey: config.clientPublicKey,
    serverPublicKey: server.publicKey,
    sealed: sealToWireGuardKey(server.publicKey, config.clientPublicKey, keys.presharedKey),
    // A Shadowsocks config's password is all its subscription entry needs.
    ...(config.shadowsocks
      ? {}
      : {
          subscriptionPrivateKeySealed: sealSubscriptionPrivateKey(
            server.publicKey,
            config.clientPublicKey,
            keys.privateKey,
          ),
        }),
  };
}

export class ConfigKeyCustodyTask implements LeaderTask {
  readonly name = "config key custody";
  /** Configs already reported as unreadable, so the log says it once. */
  private readonly reported = new Set<string>();

  constructor(private readonly options: ConfigKeyCustodyOptions) {}

  runTerm(signal: AbortSignal): Promise<void> {
    const failure = "key custody failed; retrying shortly";
    return passEachInterval(signal, { ...this.options, failure }, async () => {
      await this.sealServerCopies(signal);
      await this.eraseOverdueKeys(signal);
    });
  }

  private async sealServerCopies(signal: AbortSignal): Promise<void> {
    const { service, sealing, logger } = this.options;
    const state = service.localState;
    const items = [];
    for (const config of state.configsWithoutServerCopy()) {
      if (items.length >= BATCH) break;
      // Restored from a backup, which holds no keys: its first download makes new ones.
      if (config.keysErasedReason === "restored") continue;
      const server = state.server(config.serverId);
      const item = server && serverCopyItem(sealing, config, server);
      if (!item) {
        if (!this.reported.has(config.id)) {
          this.reported.add(config.id);
          logger.warn(
            { configId: config.id, serverId: config.serverId },
            "a config's preshared key cannot be read to seal it for its server; its owner must download it again",
          );
        }
        continue;
      }
      items.push(item);
    }
    if (items.length === 0 || signal.aborted) return;
    await service.run({ type: "sealServerPresharedKeys", items, at: service.now() });
  }

  private async eraseOverdueKeys(signal: AbortSignal): Promise<void> {
    const { service } = this.options;
    const state = service.localState;
    const boundMs = Number(state.setting("undeliveredKeyMinutes")) * MINUTE_MS;
    const now = service.now();
    const overdue = state
      .configsWithDeliveryKeys()
      .filter((config) => now - config.keysIssuedAt >= boundMs)
      .slice(0, BATCH)
      .map((config) => config.id);
    if (overdue.length === 0 || signal.aborted) return;
    const { value } = await service.run({
      type: "eraseConfigKeys",
      configIds: overdue,
      reason: "expired",
      at: now,
    });
    if (value && value.revoked.length > 0)
      this.options.logger.warn(
        { revoked: value.revoked.length },
        "configs whose keys expired before their server could install them were revoked",
      );
  }
}
