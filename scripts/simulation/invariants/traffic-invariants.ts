/**
 * What must hold of users' traffic: a suspension is held by the quota in
 * force, a user who used up a quota of their own is suspended, and a
 * suspended user's configs are on no server: no WireGuard peer, no
 * Shadowsocks port.
 */
import type { ControlPlaneState } from "../../../cluster/fsm/control-plane.ts";
import type { Config } from "../../../cluster/fsm/records.ts";
import type { TrafficUsage } from "../../../cluster/fsm/traffic-usage.ts";

/** What the traffic invariants read of the state. */
export type TrafficView = Pick<
  ControlPlaneState,
  "userTraffic" | "trafficUsage" | "desiredPeers" | "desiredShadowsocksPorts"
>;

function usedUp(usage: TrafficUsage): boolean {
  return usage.quotaBytes > 0 && usage.usedBytes >= usage.quotaBytes && !usage.lifted;
}

/**
 * The first broken traffic invariant, or undefined. A user over the
 * cluster's default quota is suspended only with their next counted traffic
 * (a lower default does not suspend anyone at once), so only a quota of the
 * user's own must have suspended them already.
 */
export function trafficViolation(
  state: TrafficView,
  userIds: readonly string[],
  serverIds: readonly string[],
  configs: readonly Config[],
): string | undefined {
  const suspended = new Set<string>();
  for (const userId of userIds) {
    // A user without an account has used nothing and was never suspended.
    if (!state.userTraffic(userId)) continue;
    // The time only dates the next reset, which no invariant reads.
    const usage = state.trafficUsage(userId, 0);
    if (usage.suspended && !usedUp(usage))
      return `user ${userId} is suspended with ${usage.usedBytes} of ${usage.quotaBytes} bytes used${usage.lifted ? ", lifted" : ""}`;
    if (!usage.suspended && !usage.quotaIsDefault && usedUp(usage))
      return `user ${userId} used ${usage.usedBytes} bytes of their own quota of ${usage.quotaBytes} and is not suspended`;
    if (usage.suspended) suspended.add(userId);
  }
  if (suspended.size === 0) return undefined;
  const peers = new Set<string>();
  const ports = new Set<string>();
  for (const serverId of serverIds) {
    for (const peer of state.desiredPeers(serverId)) peers.add(peer.publicKey);
    for (const port of state.desiredShadowsocksPorts(serverId)) ports.add(port.configId);
  }
  for (const config of configs) {
    if (!suspended.has(config.userId)) continue;
    if (peers.has(config.clientPublicKey) || ports.has(config.id))
      return `config ${config.id} of user ${config.userId}, suspended for traffic, is still on server ${config.serverId}`;
  }
  return undefined;
}
