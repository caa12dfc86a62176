/**
 * Whatever no flow handled: an unknown command gets a short answer (the same
 * one a non-admin gets for an admin command, so it reveals nothing), other
 * messages and stale buttons are acknowledged and left alone.
 */
import { Composer } from "grammy";
import type { BotContext } from "./context.ts";

export const fallback = new Composer<BotContext>();

fallback.on("message:text", async (ctx) => {
  await ctx.effects.acknowledge();
  if (ctx.message.text.startsWith("/")) await ctx.reply(ctx.t.unknownCommand);
});

fallback.on("callback_query", async (ctx) => {
  await ctx.effects.acknowledge();
  await ctx.answerCallbackQuery();
});

/** The answer to a command the sender may not use: indistinguishable from an unknown one. */
export async function refuseCommand(ctx: BotContext): Promise<void> {
  await ctx.effects.acknowledge();
  if (ctx.callbackQuery) await ctx.answerCallbackQuery();
  else await ctx.reply(ctx.t.unknownCommand);
}
