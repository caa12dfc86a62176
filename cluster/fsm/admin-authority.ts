/**
 * An admin command from the bot is re-checked where state changes: the
 * Telegram user it acts for must be an active admin in the state at the
 * command's own log position. The bot checks the role when the update
 * arrives, but a demotion (or block) can commit between that check and the
 * command; whichever commits first wins, on every node alike. Commands from
 * the admin API (authenticated by ADMIN_API_TOKEN) and from the node's
 * environment have no Telegram role to check.
 */
import type { ControlPlaneCommand } from "./commands.ts";
import type { ControlPlaneData } from "./control-plane-data.ts";
import { type Refusal, refuse } from "./errors.ts";
import { isActiveAdmin } from "./records.ts";

/** The Telegram admin `command` acts for, when it is an admin command from the bot. */
function telegramAdminOf(command: ControlPlaneCommand): string | undefined {
  switch (command.type) {
    case "setSetting":
    case "setServerStatus":
    case "recordVerdict":
    case "setUserRole":
    case "setUserStatus":
    case "createInvite":
    case "deleteInvite":
    case "addVantageProbe":
    case "removeVantageProbe":
    case "broadcast":
    case "setBackupPassphrase":
    case "setUserQuota":
    case "liftTrafficSuspension":
      return command.actor?.kind === "telegram" ? command.actor.userId : undefined;
    case "revokeConfig":
      // With `userId` it is the owner revoking their own config, which needs no role.
      return command.userId === undefined && command.actor.kind === "telegram"
        ? command.actor.userId
        : undefined;
    default:
      return undefined;
  }
}

/** Why `command` is refused: it acts for a Telegram user who is not an active admin now. */
export function adminAuthorityProblem(
  data: ControlPlaneData,
  command: ControlPlaneCommand,
): Refusal | undefined {
  const adminId = telegramAdminOf(command);
  if (adminId === undefined) return undefined;
  if (isActiveAdmin(data.users.get(adminId))) return undefined;
  return refuse(
    "NOT_AN_ADMIN",
    `user ${adminId} is not an active admin (demoted or blocked before this ${command.type} was committed); nothing was changed`,
  );
}
