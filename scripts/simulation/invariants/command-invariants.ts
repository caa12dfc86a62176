/**
 * What must hold right after a command was applied, fresh (not a repeat):
 * a config issued leaves its user within the configs allowed, on an active
 * server that offers its protocol and has not closed it; a quota set
 * decides alone whether its user is suspended.
 */
import type { ApplyResult, ControlPlaneState } from "../../../cluster/fsm/control-plane.ts";

/** What the command invariants read of the state. */
export type CommandView = Pick<
  ControlPlaneState,
  "config" | "configsOfUser" | "setting" | "server" | "trafficUsage"
>;

/** A config just issued: its user within the configs allowed, on a server open to its protocol. */
function issueViolation(state: CommandView, configId: string): string | undefined {
  const config = state.config(configId);
  if (!config) return `config ${configId} was issued but is not in the state`;
  const allowed = Number(state.setting("configsPerUser"));
  const live = state.configsOfUser(config.userId).filter((each) => each.revokedAt === null).length;
  if (live > allowed)
    return `user ${config.userId} holds ${live} live configs after an issue; ${allowed} are allowed`;
  const server = state.server(config.serverId)!;
  const closed = server.blockedProtocols.some((blocked) => blocked.protocol === config.protocol);
  if (server.status !== "active" || !server.protocols.includes(config.protocol) || closed)
    return `config ${configId} was issued on ${server.status} server ${server.id}, which offers [${server.protocols.join(", ")}]${closed ? ` but closed ${config.protocol}` : ""}, for ${config.protocol}`;
  return undefined;
}

/** A quota just set decides alone: the user is suspended exactly when they used it up. */
function quotaViolation(state: CommandView, userId: string): string | undefined {
  const usage = state.trafficUsage(userId, 0);
  const usedUp = usage.quotaBytes > 0 && usage.usedBytes >= usage.quotaBytes;
  return usage.suspended === usedUp
    ? undefined
    : `user ${userId} ${usage.suspended ? "is" : "is not"} suspended right after a quota of ${usage.quotaBytes} bytes was set, with ${usage.usedBytes} used`;
}

/** What must hold right after `command` was applied with `result` (fresh, not a repeat). */
export function applyViolation(
  state: CommandView,
  command: string,
  result: ApplyResult,
): string | undefined {
  if (!result.ok || result.duplicate === true) return undefined;
  const { type, configId, userId } = JSON.parse(command) as {
    type: string;
    configId?: string;
    userId?: string;
  };
  if (type === "issueConfig" && configId !== undefined) return issueViolation(state, configId);
  if (type === "setUserQuota" && userId !== undefined) return quotaViolation(state, userId);
  return undefined;
}
