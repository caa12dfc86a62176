/** Small readings of the replicated state about users, shared by the flows. */

import { telegramActor } from "../cluster/fsm/actors.ts";
import type { ControlPlaneState } from "../cluster/fsm/control-plane.ts";
import type { AccessMode } from "../cluster/fsm/settings.ts";
import type { BotContext } from "./context.ts";

/** The access mode in force. */
export function accessModeOf(state: ControlPlaneState): AccessMode {
  return state.setting("accessMode") as AccessMode;
}

/**
 * Who a command the sender gives acts for. Apply re-checks an admin command's
 * sender against the admin role at the command's log position, so a
 * demotion committed first wins over the bot's earlier check.
 */
export function senderActor(ctx: BotContext) {
  return telegramActor(String(ctx.from!.id));
}

/** A Telegram user's display name as the replicated state keeps it (at most 256 characters). */
export function displayName(from: { first_name: string; last_name?: string }): string {
  return [from.first_name, from.last_name ?? ""].join(" ").trim().slice(0, 256);
}
