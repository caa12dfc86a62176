/**
 * What must hold of the replicated control-plane state on every node after
 * every applied command, whatever the workload and the faults
 * (`stateViolation`), and right after some commands (`applyViolation`, see
 * invariants/command-invariants.ts).
 */
import type { ControlPlaneState } from "../../cluster/fsm/control-plane.ts";
import type { Config } from "../../cluster/fsm/records.ts";
import { SUBSCRIPTION_DIGESTS } from "./commands/domains.ts";
import { configViolation } from "./invariants/config-invariants.ts";
import { credentialViolation } from "./invariants/credential-invariants.ts";
import { trafficViolation } from "./invariants/traffic-invariants.ts";

export { applyViolation } from "./invariants/command-invariants.ts";

function allUserIds(state: ControlPlaneState): string[] {
  const { users, total } = state.users({ limit: Number.MAX_SAFE_INTEGER });
  if (users.length !== total) throw new Error("users() did not list every user");
  return users.map((user) => user.id);
}

/** Every user's live configs, read from all their configs (not from the index of live ones). */
function liveConfigs(state: ControlPlaneState, userIds: readonly string[]): Config[] {
  return userIds.flatMap((userId) =>
    state.configsOfUser(userId).filter((config) => config.revokedAt === null),
  );
}

/**
 * The first broken invariant of `state`, or undefined when all hold: of
 * servers and their live configs (config-invariants.ts), of users' traffic
 * (traffic-invariants.ts), and of the credentials kept (credential-invariants.ts).
 */
export function stateViolation(state: ControlPlaneState): string | undefined {
  const servers = state.servers();
  const userIds = allUserIds(state);
  const configs = liveConfigs(state, userIds);
  return (
    configViolation(servers, configs) ??
    trafficViolation(
      state,
      userIds,
      servers.map((server) => server.id),
      configs,
    ) ??
    credentialViolation(state, userIds, SUBSCRIPTION_DIGESTS)
  );
}
