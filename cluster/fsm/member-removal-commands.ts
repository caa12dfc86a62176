/**
 * Applying an admin's removal of a member. Its server (if it registered one)
 * is taken out of service and every live config on it re-homed with fresh
 * keys, as for a ban; the removal is recorded so the id is never reused and
 * so the leader, whoever it is by then, finishes the job: it takes the node
 * out of the Raft membership and revokes its key (see
 * cluster/membership/autopilot-task.ts). The removed node reads this record
 * too, and stops (app/main.ts).
 */
import { actorLabel } from "./actors.ts";
import type { ApplyContext } from "./apply-context.ts";
import { applied } from "./apply-result.ts";
import type { CommandOf } from "./commands.ts";
import type { ControlPlaneData } from "./control-plane-data.ts";
import { refuse } from "./errors.ts";
import type { MemberRemoval } from "./records.ts";
import { type RehomeSummary, replacementKeysProblem, takeOutOfService } from "./rehome.ts";

export function removeMember(
  data: ControlPlaneData,
  context: ApplyContext,
  command: CommandOf<"removeMember">,
) {
  const existing = data.memberRemovals.get(command.nodeId);
  if (existing) return applied({ removal: { ...existing }, rehome: null });
  const server = data.servers.get(command.nodeId);
  if (!server && !data.nodeKeys.has(command.nodeId))
    return refuse("UNKNOWN_MEMBER", `${command.nodeId} is not a member of this cluster`);
  const problem = replacementKeysProblem(data, command.replacementKeys);
  if (problem) return problem;
  const actor = actorLabel(command.actor);
  let rehome: RehomeSummary | null = null;
  if (server)
    rehome = takeOutOfService(data, context, server, "removed", {
      reason: command.reason,
      actor,
      at: command.at,
      replacementKeys: command.replacementKeys,
    });
  const removal: MemberRemoval = {
    nodeId: command.nodeId,
    reason: command.reason,
    actor,
    requestedAt: command.at,
  };
  data.memberRemovals.set(removal.nodeId, removal);
  return applied({ removal: { ...removal }, rehome });
}
