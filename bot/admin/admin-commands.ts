/**
 * Admin commands, refused for everyone else with the answer an unknown
 * command gets, so a non-admin learns nothing (not even that they exist).
 */
import { Composer } from "grammy";
import { isActiveAdmin } from "../../cluster/fsm/records.ts";
import type { BotContext } from "../context.ts";
import { refuseCommand } from "../fallback.ts";
import { ADMIN_COMMAND_NAMES } from "../i18n/admin-messages.ts";
import { accessCommands } from "./access-commands.ts";
import { backupCommands } from "./backup-commands.ts";
import { broadcastCommands } from "./broadcast-commands.ts";
import { clusterCommands } from "./cluster-commands.ts";
import { membershipCommands } from "./membership-commands.ts";
import { probeCommands } from "./probe-commands.ts";
import { serverCommands } from "./server-commands.ts";
import { userCommands } from "./user-commands.ts";

/** Admin commands and buttons, for admins only. */
export const adminCommands = new Composer<BotContext>();

const outsiders = adminCommands.filter((ctx) => !isActiveAdmin(ctx.account));
outsiders.command([...ADMIN_COMMAND_NAMES], refuseCommand);
outsiders.callbackQuery(/^adm:/, refuseCommand);

adminCommands
  .filter((ctx) => isActiveAdmin(ctx.account))
  .use(
    serverCommands,
    membershipCommands,
    clusterCommands,
    userCommands,
    accessCommands,
    broadcastCommands,
    probeCommands,
    backupCommands,
  );
