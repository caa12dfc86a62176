/** Applying invite codes: created by admins, redeemed by pending users. */
import { actorLabel } from "./actors.ts";
import { applied } from "./apply-result.ts";
import type { CommandOf } from "./commands.ts";
import type { ControlPlaneData } from "./control-plane-data.ts";
import { type Refusal, refuse, unknownUser } from "./errors.ts";
import type { User } from "./records.ts";
import { copyInvite, copyUser } from "./views.ts";

/** Creates an invite code; codes are unique. */
export function createInvite(data: ControlPlaneData, command: CommandOf<"createInvite">) {
  if (data.invites.has(command.code))
    return refuse("INVITE_EXISTS", `invite ${command.code} already exists; pick another code`);
  const invite = {
    code: command.code,
    usesLeft: command.uses,
    createdBy: actorLabel(command.actor),
    createdAt: command.at,
  };
  data.invites.set(invite.code, invite);
  return applied({ invite: copyInvite(invite) });
}

/**
 * Redeems an invite for a known user: a pending user becomes active and one
 * use is spent. An active user spends nothing; a blocked user is refused.
 */
export function redeemInvite(data: ControlPlaneData, command: CommandOf<"redeemInvite">) {
  const user = data.users.get(command.userId);
  if (!user) return unknownUser(command.userId);
  if (user.status === "blocked")
    return refuse("USER_BLOCKED", "this user is blocked; an admin must unblock them first");
  if (user.status === "active") return applied({ user: copyUser(user), inviteConsumed: false });
  const problem = inviteProblem(data, command.code);
  if (problem) return problem;
  activateWithInvite(data, user, command.code);
  return applied({ user: copyUser(user), inviteConsumed: true });
}

/** Withdraws an invite so nobody else can redeem it. */
export function deleteInvite(data: ControlPlaneData, command: CommandOf<"deleteInvite">) {
  if (!data.invites.delete(command.code)) return unknownInvite(command.code);
  return applied({ code: command.code });
}

/** Why this invite cannot activate anyone, or undefined when it can. */
export function inviteProblem(data: ControlPlaneData, code: string): Refusal | undefined {
  const invite = data.invites.get(code);
  if (!invite) return unknownInvite(code);
  if (invite.usesLeft === 0)
    return refuse("INVITE_USED_UP", `invite ${code} has no uses left; ask an admin for a new one`);
  return undefined;
}

/** Activates a pending user with an invite that passed `inviteProblem`. */
export function activateWithInvite(data: ControlPlaneData, user: User, code: string): void {
  const invite = data.invites.get(code)!;
  invite.usesLeft--;
  user.status = "active";
  user.invitedBy = invite.createdBy;
}

function unknownInvite(code: string): Refusal {
  return refuse("UNKNOWN_INVITE", `there is no invite ${code}; check the code or ask an admin`);
}
