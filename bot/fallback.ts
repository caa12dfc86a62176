/**
 * Whatever no flow handled: an unknown command gets a short answer (the same
 * one a non-admin gets for an admin command, so it reveals nothing), recorded
 * so a re-delivery is not answered twice. Plain text gets a hint and the
 * menu (or, from someone not let in yet, what they wait for) without a Raft
 * write: a user cannot make the cluster write by sending text, and at worst
 * a re-delivery after a leader change is hinted at twice. Stale buttons are
 * left alone. Only private chats reach this (see middleware.ts).
 */
import { Composer } from "grammy";
import type { BotContext } from "./context.ts";
import { mainMenu } from "./user/main-menu.ts";
import { replyWithStatus } from "./user/onboarding.ts";

export const fallback = new Composer<BotContext>();

fallback.on("message:text", async (ctx) => {
  if (ctx.message.text.startsWith("/")) {
    await ctx.effects.acknowledge();
    await ctx.reply(ctx.t.unknownCommand);
    return;
  }
  if (ctx.account?.status !== "active") {
    if (ctx.account) await replyWithStatus(ctx, ctx.account);
    return;
  }
  await ctx.reply(ctx.t.textHint, { reply_markup: mainMenu(ctx.t) });
});

fallback.on("callback_query", async (ctx) => {
  await ctx.answerCallbackQuery();
});

/** The answer to a command the sender may not use: indistinguishable from an unknown one. */
export async function refuseCommand(ctx: BotContext): Promise<void> {
  await ctx.effects.acknowledge();
  if (ctx.callbackQuery) await ctx.answerCallbackQuery();
  else await ctx.reply(ctx.t.unknownCommand);
}
