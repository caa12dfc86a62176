/**
 * The bot serves private chats only. Added to a group, supergroup or channel
 * (a `my_chat_member` update), or reached by anything else from one, it
 * leaves that chat: once, however many updates the chat sent before the bot
 * was out, and without a proposal. Someone who adds the bot to many groups
 * costs the cluster no Raft write, and the bot never answers where others
 * read along.
 */
import type { Middleware } from "grammy";
import type { BotContext } from "./context.ts";

/**
 * How many chats a session remembers having left. Telegram sends nothing
 * more from a chat once the bot is out, so only updates already on their
 * way need it; a chat forgotten and left again costs one refused call.
 */
const REMEMBERED_CHATS = 10_000;

/** Whether this update says the bot is out of its chat already (it left, or was removed). */
function botIsOut(ctx: BotContext): boolean {
  const status = ctx.myChatMember?.new_chat_member.status;
  return status === "left" || status === "kicked";
}

/**
 * Lets updates from private chats through and leaves every other chat, once
 * per chat for the session's lifetime; create one per session.
 */
export function leaveGroups(): Middleware<BotContext> {
  const left = new Set<number>();
  return async (ctx, next) => {
    const chat = ctx.chat;
    if (chat === undefined || chat.type === "private") return next();
    if (botIsOut(ctx) || left.has(chat.id)) return;
    left.add(chat.id);
    if (left.size > REMEMBERED_CHATS) left.delete(left.values().next().value!);
    try {
      await ctx.leaveChat();
      ctx.deps.logger.info({ chatId: chat.id, type: chat.type }, "left a chat that is not private");
    } catch (error) {
      ctx.deps.logger.info(
        { chatId: chat.id, type: chat.type, err: (error as Error).message },
        "could not leave a chat that is not private",
      );
    }
  };
}
