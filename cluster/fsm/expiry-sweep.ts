/**
 * Applying the leader's periodic sweep (`expireConfigs`), timed by the `at`
 * the leader put in the command:
 *
 * - configs past their expiry are revoked (`expired`), freeing their address;
 * - configs expiring within `expiryWarningHours` are warned once
 *   (`expiryWarning` in the outbox);
 * - outbox entries delivered or failed over a week ago, broadcasts no entry
 *   refers to any more, and idempotency keys over a day old are dropped.
 */
import type { ApplyContext } from "./apply-context.ts";
import { applied } from "./apply-result.ts";
import type { CommandOf } from "./commands.ts";
import type { ControlPlaneData } from "./control-plane-data.ts";
import { isLive } from "./records.ts";
import { integerSetting } from "./settings.ts";

const HOUR_MS = 60 * 60 * 1000;

/** Runs one sweep at the command's time. */
export function expireConfigs(
  data: ControlPlaneData,
  context: ApplyContext,
  command: CommandOf<"expireConfigs">,
) {
  const { at } = command;
  const warningMs = integerSetting(data.settings, "expiryWarningHours") * HOUR_MS;
  let expired = 0;
  let warned = 0;
  // Configs are visited in creation order, which every node shares.
  for (const config of data.configs.values()) {
    if (!isLive(config) || config.expiresAt === null) continue;
    if (config.expiresAt <= at) {
      data.retireConfig(config, at, "expired");
      expired++;
    } else if (!config.expiryWarned && warningMs > 0 && config.expiresAt - at <= warningMs) {
      config.expiryWarned = true;
      context.notify(
        config.userId,
        "expiryWarning",
        { configId: config.id, expiresAt: config.expiresAt },
        at,
      );
      warned++;
    }
  }
  const prunedOutbox = data.outbox.pruneFinished(at);
  const prunedBroadcasts = pruneUnreferencedBroadcasts(data);
  const prunedIdempotencyKeys = data.idempotencyKeys.pruneExpired(at);
  return applied({ expired, warned, prunedOutbox, prunedBroadcasts, prunedIdempotencyKeys });
}

function pruneUnreferencedBroadcasts(data: ControlPlaneData): number {
  if (data.broadcasts.size === 0) return 0;
  const referenced = new Set<string>();
  for (const entry of data.outbox.entries.values()) {
    if (entry.kind === "broadcast") referenced.add(String(entry.payload.broadcastId));
  }
  let pruned = 0;
  for (const id of data.broadcasts.keys()) {
    if (!referenced.has(id)) {
      data.broadcasts.delete(id);
      pruned++;
    }
  }
  return pruned;
}
