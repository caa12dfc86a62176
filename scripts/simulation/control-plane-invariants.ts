/**
 * What must hold of the replicated control-plane state on every node after
 * every applied command, whatever the workload and the faults.
 */
import type { ApplyResult, ControlPlaneState } from "../../cluster/fsm/control-plane.ts";
import type { Config } from "../../cluster/fsm/records.ts";

function liveConfigs(state: ControlPlaneState): Config[] {
  const { users, total } = state.users({ limit: Number.MAX_SAFE_INTEGER });
  if (users.length !== total) throw new Error("users() did not list every user");
  return users.flatMap((user) =>
    state.configsOfUser(user.id).filter((config) => config.revokedAt === null),
  );
}

/**
 * The first broken invariant of `state`, or undefined when all hold. Every
 * live config holds its own address (a Shadowsocks config too: it takes one
 * of its server's subnet though nothing routes to it, see records.ts), and a
 * live Shadowsocks config holds its own port of its server's range.
 */
export function stateViolation(state: ControlPlaneState): string | undefined {
  const holders = new Map<string, string>();
  const portHolders = new Map<string, string>();
  for (const config of liveConfigs(state)) {
    const server = state.server(config.serverId);
    if (!server) return `live config ${config.id} is on unknown server ${config.serverId}`;
    if (server.status === "banned")
      return `live config ${config.id} is on banned server ${config.serverId}`;
    const holder = holders.get(config.address);
    if (holder !== undefined)
      return `address ${config.address} is held by live configs ${holder} and ${config.id}`;
    holders.set(config.address, config.id);
    if ((config.protocol === "shadowsocks") !== (config.shadowsocks !== null))
      return `live config ${config.id} (${config.protocol}) has shadowsocks ${JSON.stringify(config.shadowsocks)}`;
    if (!config.shadowsocks) continue;
    const { port } = config.shadowsocks;
    const range = server.shadowsocks;
    if (!range || port < range.firstPort || port > range.lastPort)
      return `live config ${config.id} has port ${port} outside server ${server.id}'s Shadowsocks ports`;
    const portKey = `${server.id}:${port}`;
    const portHolder = portHolders.get(portKey);
    if (portHolder !== undefined)
      return `port ${portKey} is held by live configs ${portHolder} and ${config.id}`;
    portHolders.set(portKey, config.id);
  }
  return undefined;
}

/**
 * What must hold right after `command` was applied with `result`: a config
 * issued (fresh, not a repeat) leaves its user within the configs allowed.
 */
export function applyViolation(
  state: ControlPlaneState,
  command: string,
  result: ApplyResult,
): string | undefined {
  if (!result.ok || result.duplicate === true) return undefined;
  const { type, userId } = JSON.parse(command) as { type: string; userId?: string };
  if (type !== "issueConfig" || userId === undefined) return undefined;
  const allowed = Number(state.setting("configsPerUser"));
  const live = state.configsOfUser(userId).filter((config) => config.revokedAt === null).length;
  return live > allowed
    ? `user ${userId} holds ${live} live configs after an issue; ${allowed} are allowed`
    : undefined;
}
