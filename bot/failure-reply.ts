/**
 * How the bot answers when a handler fails: a refusal from the control plane
 * becomes a message in the user's language that says what to do; anything
 * temporary (no leader, a timeout) becomes "try again"; an ended session
 * answers nothing at all.
 */
import { GrammyError, HttpError } from "grammy";
import { CommandRefusedError } from "../cluster/control-plane-service.ts";
import { accessModeOf } from "./account.ts";
import { SessionEndedError } from "./api-guard.ts";
import type { BotContext } from "./context.ts";
import { formatDate } from "./format.ts";

/** The user-facing text for a refusal code, or undefined when the code is not a user's business. */
export function refusalText(ctx: BotContext, code: string, message: string): string | undefined {
  const { t } = ctx;
  const state = ctx.deps.service.localState;
  switch (code) {
    case "CONFIG_LIMIT_REACHED":
      return t.configLimit(Number(state.setting("configsPerUser")));
    case "NO_CAPACITY":
      return t.noCapacity;
    case "NO_CAPACITY_IN_REGION":
      return t.noCapacityInRegion(/region (\S+)/.exec(message)?.[1] ?? "");
    case "USER_BLOCKED":
      return t.blocked;
    case "USER_NOT_ACTIVE":
      if (ctx.account?.status === "blocked") return t.blocked;
      return accessModeOf(state) === "invite" ? t.needInvite : t.awaitingApproval;
    case "UNKNOWN_INVITE":
      return t.inviteInvalid;
    case "INVITE_USED_UP":
      return t.inviteUsedUp;
    case "NOT_AN_ADMIN":
      return t.notAnAdmin;
    case "TRAFFIC_QUOTA_EXCEEDED":
      return t.quotaExceeded(
        formatDate(state.trafficUsage(String(ctx.from?.id ?? ""), ctx.deps.service.now()).resetsAt),
      );
    case "UNKNOWN_CONFIG":
    case "NOT_OWNER":
    case "CONFIG_ALREADY_REVOKED":
      return t.configGone;
    default:
      return undefined;
  }
}

/** Whether the failure means this node no longer runs the bot: say nothing then. */
function sessionEnded(error: unknown): boolean {
  if (error instanceof SessionEndedError) return true;
  const cause = error instanceof HttpError ? error.error : undefined;
  return cause instanceof SessionEndedError;
}

/** Answers a failed update; never throws. */
export async function replyToFailure(ctx: BotContext, error: unknown): Promise<void> {
  if (sessionEnded(error)) return;
  let text: string;
  if (error instanceof CommandRefusedError) {
    const isAdmin = ctx.account?.role === "admin";
    text =
      refusalText(ctx, error.code, error.message) ??
      (isAdmin ? ctx.t.admin.refusal(error.code, error.message) : ctx.t.tryAgain);
  } else {
    ctx.deps.logger.warn(
      { err: error instanceof Error ? error.message : String(error), update: ctx.update.update_id },
      "an update failed",
    );
    if (error instanceof GrammyError) return;
    text = ctx.t.tryAgain;
  }
  try {
    // The button may have been answered before the failure; that is no reason not to reply.
    if (ctx.callbackQuery) await ctx.answerCallbackQuery().catch(() => undefined);
    await ctx.reply(text);
  } catch (replyError) {
    if (!sessionEnded(replyError))
      ctx.deps.logger.warn(
        { err: (replyError as Error).message, update: ctx.update.update_id },
        "could not answer a failed update",
      );
  }
}
