/** Applying the leader's record of a membership change: kept among the latest, told to admins. */
import type { ApplyContext } from "./apply-context.ts";
import { applied } from "./apply-result.ts";
import type { CommandOf } from "./commands.ts";
import type { ControlPlaneData } from "./control-plane-data.ts";
import type { MembershipEvent } from "./records.ts";

/** Changes kept for /v1/status; older ones are in the nodes' logs. */
export const KEPT_MEMBERSHIP_EVENTS = 20;

export function recordMembershipChange(
  data: ControlPlaneData,
  context: ApplyContext,
  command: CommandOf<"recordMembershipChange">,
) {
  const event: MembershipEvent = {
    nodeId: command.nodeId,
    change: command.change,
    reason: command.reason,
    at: command.at,
  };
  data.membershipEvents.push(event);
  if (data.membershipEvents.length > KEPT_MEMBERSHIP_EVENTS) data.membershipEvents.shift();
  for (const adminId of data.activeAdminIds())
    context.notify(
      adminId,
      "adminAlert",
      {
        event: "membershipChanged",
        nodeId: event.nodeId,
        change: event.change,
        reason: event.reason,
      },
      command.at,
    );
  return applied({ event: { ...event } });
}
