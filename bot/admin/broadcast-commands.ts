/**
 * `/broadcast <text>`: a message to every active user, after a confirmation.
 * The confirmation message carries the text itself, so the Send button needs
 * nothing stored anywhere else; the broadcast is one command whose outbox
 * entries every leader delivers.
 */
import { Composer, InlineKeyboard } from "grammy";
import { senderActor } from "../account.ts";
import type { BotContext } from "../context.ts";
import { replyUsage } from "./command-args.ts";

const SEND = "adm:broadcast:send";
const CANCEL = "adm:broadcast:cancel";
const MAX_TEXT = 4096;

export const broadcastCommands = new Composer<BotContext>();

broadcastCommands.command("broadcast", async (ctx) => {
  const text = ctx.match.trim();
  if (text === "" || text.length > MAX_TEXT)
    return replyUsage(ctx, "/broadcast <text>", ctx.t.admin.broadcastUsage(MAX_TEXT));
  await ctx.effects.acknowledge();
  const active = ctx.deps.service.localState
    .users({ limit: Number.MAX_SAFE_INTEGER })
    .users.filter((user) => user.status === "active").length;
  await ctx.reply(text, {
    reply_markup: new InlineKeyboard()
      .text(ctx.t.admin.broadcastSendButton(active), SEND)
      .text(ctx.t.admin.cancelButton, CANCEL),
  });
});

broadcastCommands.callbackQuery(SEND, async (ctx) => {
  const text = ctx.callbackQuery.message?.text;
  if (!text) {
    await ctx.effects.acknowledge();
    await ctx.answerCallbackQuery();
    return;
  }
  const { value } = await ctx.effects.run({
    type: "broadcast",
    text,
    actor: senderActor(ctx),
    at: ctx.deps.service.now(),
  });
  await ctx.answerCallbackQuery();
  await ctx.editMessageReplyMarkup();
  await ctx.reply(ctx.t.admin.broadcastQueued(value?.queued ?? 0));
});

broadcastCommands.callbackQuery(CANCEL, async (ctx) => {
  await ctx.effects.acknowledge();
  await ctx.answerCallbackQuery();
  await ctx.editMessageReplyMarkup();
  await ctx.reply(ctx.t.admin.broadcastCancelled);
});
