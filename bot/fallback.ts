/**
 * Whatever no flow handled: an unknown command gets a short answer (the same
 * one a non-admin gets for an admin command, so it reveals nothing), recorded
 * so a re-delivery is not answered twice. Other messages and stale buttons
 * are left alone and cost no Raft write: a user cannot make the cluster
 * write by sending text.
 */
import { Composer } from "grammy";
import type { BotContext } from "./context.ts";

export const fallback = new Composer<BotContext>();

fallback.on("message:text", async (ctx) => {
  if (!ctx.message.text.startsWith("/")) return;
  await ctx.effects.acknowledge();
  await ctx.reply(ctx.t.unknownCommand);
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
