/**
 * What the leader's own tasks propose from its state when they are due:
 * key custody seals each new config's secret to its server
 * (cluster/config-key-custody-task.ts), so the server adds its peer or
 * serves its port, and the traffic period task starts the period of its time
 * (cluster/traffic-period-task.ts). Apply never opens a sealed value, so
 * these name what they seal instead of encrypting it.
 */
import type { CommandInputOf } from "../../cluster/fsm/commands.ts";
import type { ControlPlaneState } from "../../cluster/fsm/control-plane.ts";
import { periodStartAt } from "../../cluster/fsm/traffic-period.ts";

type SealItem = CommandInputOf<"sealServerPresharedKeys">["items"][number];

function keyCustody(state: ControlPlaneState, now: number): string | undefined {
  const items: SealItem[] = [];
  for (const config of state.configsWithoutServerCopy()) {
    const server = state.server(config.serverId);
    if (!server) continue;
    items.push({
      configId: config.id,
      clientPublicKey: config.clientPublicKey,
      serverPublicKey: server.publicKey,
      sealed: `to-${server.id}`,
      // A Shadowsocks config's subscription entry needs its password alone.
      ...(config.shadowsocks ? {} : { subscriptionPrivateKeySealed: `private-to-${server.id}` }),
    });
  }
  if (items.length === 0) return undefined;
  return JSON.stringify({ type: "sealServerPresharedKeys", items, at: now });
}

function trafficPeriod(state: ControlPlaneState, now: number): string | undefined {
  const periodStart = periodStartAt(now, Number(state.setting("trafficResetDay")));
  if (periodStart <= (state.trafficPeriodStart() ?? 0)) return undefined;
  return JSON.stringify({ type: "startTrafficPeriod", periodStart, at: now });
}

/** The commands the leader's tasks propose at `now` from its `state`, in the order they run. */
export function leaderTaskCommands(state: ControlPlaneState, now: number): string[] {
  return [keyCustody(state, now), trafficPeriod(state, now)].filter(
    (command): command is string => command !== undefined,
  );
}
