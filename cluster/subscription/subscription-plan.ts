/**
 * What a user's subscription serves, read from the replicated state at the
 * moment of the request: one entry per live config on a server whose
 * endpoint is known, named for the client's list. A ban, a re-home or an
 * endpoint change is in the next answer; a revoked or expired config is
 * not. Pure: the secrets are fetched afterwards (subscription-answer.ts).
 */
import type { ControlPlaneState } from "../fsm/control-plane.ts";
import type { Config } from "../fsm/records.ts";
import type { ServerView } from "../fsm/views.ts";

export interface PlannedEntry {
  name: string;
  config: Config;
  server: ServerView;
}

/** The entries of `userId`'s subscription at `now` (epoch ms): expired configs the sweep has not revoked yet are left out. */
export function planSubscription(
  state: ControlPlaneState,
  userId: string,
  now: number,
): PlannedEntry[] {
  const planned: PlannedEntry[] = [];
  for (const config of state.liveConfigsOfUser(userId)) {
    if (config.expiresAt !== null && config.expiresAt <= now) continue;
    const server = state.server(config.serverId);
    if (!server?.endpointHost) continue;
    const kind = config.shadowsocks ? "ss" : "wg";
    planned.push({ name: `${server.region}-${kind}-${planned.length + 1}`, config, server });
  }
  return planned;
}
