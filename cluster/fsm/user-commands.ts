/**
 * Applying user changes: a user appearing (or changing name or language), an
 * admin changing someone's role or status.
 */
import { actorLabel } from "./actors.ts";
import type { ApplyContext } from "./apply-context.ts";
import { applied } from "./apply-result.ts";
import { askAdminsToApprove } from "./approval-notices.ts";
import type { CommandOf } from "./commands.ts";
import type { ControlPlaneData } from "./control-plane-data.ts";
import { unknownUser } from "./errors.ts";
import { activateWithInvite, inviteProblem } from "./invite-commands.ts";
import type { User, UserStatus } from "./records.ts";
import { accessModeSetting } from "./settings.ts";
import { copyUser } from "./views.ts";

/**
 * Creates a user or updates their name and language (and role or status when
 * given). A new user's status follows the access mode: `open` makes them
 * active; `invite` and `approval` leave them pending unless they are an admin
 * or bring a valid invite code. In approval mode a new pending user makes
 * sure every active admin has an approval notice coming (approval-notices.ts).
 */
export function upsertUser(
  data: ControlPlaneData,
  context: ApplyContext,
  command: CommandOf<"upsertUser">,
) {
  const existing = data.users.get(command.userId);
  const role = command.role ?? existing?.role ?? command.roleIfNew ?? "user";
  const mode = accessModeSetting(data.settings);
  const status: UserStatus =
    command.status ??
    existing?.status ??
    (role === "admin" || mode === "open" ? "active" : "pending");
  const redeeming = command.inviteCode !== undefined && status === "pending";
  if (redeeming) {
    const problem = inviteProblem(data, command.inviteCode!);
    if (problem) return problem;
  }

  const user: User = existing ?? {
    id: command.userId,
    name: command.name,
    language: command.language,
    role,
    status,
    createdAt: command.at,
    invitedBy: null,
    preferredProtocol: null,
  };
  user.name = command.name;
  user.language = command.language;
  user.role = role;
  data.putUser(user);
  const revokedConfigIds = changeStatus(data, user, status, command.at);
  if (redeeming) activateWithInvite(data, user, command.inviteCode!);
  else if (!existing && user.status === "pending" && mode === "approval")
    askAdminsToApprove(data, context, command.at);
  return applied({
    user: copyUser(user),
    created: !existing,
    inviteConsumed: redeeming,
    revokedConfigIds,
  });
}

/** Makes a user an admin or a plain user. */
export function setUserRole(data: ControlPlaneData, command: CommandOf<"setUserRole">) {
  const user = data.users.get(command.userId);
  if (!user) return unknownUser(command.userId);
  user.role = command.role;
  data.putUser(user);
  return applied({ user: copyUser(user) });
}

/** Blocks, unblocks or approves a user; blocking revokes their live configs. */
export function setUserStatus(
  data: ControlPlaneData,
  context: ApplyContext,
  command: CommandOf<"setUserStatus">,
) {
  const user = data.users.get(command.userId);
  if (!user) return unknownUser(command.userId);
  const wasPending = user.status === "pending";
  const revokedConfigIds = changeStatus(data, user, command.status, command.at);
  if (wasPending && user.status === "active")
    context.notify(user.id, "approval", { approvedBy: actorLabel(command.actor) }, command.at);
  return applied({ user: copyUser(user), revokedConfigIds });
}

/** Sets a user's status; a blocked user's live configs are revoked (`blocked`). Returns their ids. */
function changeStatus(
  data: ControlPlaneData,
  user: User,
  status: UserStatus,
  at: number,
): string[] {
  user.status = status;
  if (status !== "blocked") return [];
  const configIds = data.liveConfigIdsOfUser(user.id);
  for (const configId of configIds) data.retireConfig(data.configs.get(configId)!, at, "blocked");
  return configIds;
}
