/**
 * What happens in the groups, supergroups and channels the bot can be added
 * to: a user adds the bot, members write text, the bot leaves. Each change
 * of the bot's own membership reaches the bot as a `my_chat_member` update,
 * as in Telegram; so does a member's text while the bot is in the group.
 */
import { botCommandEntities } from "./command-entities.ts";
import type { GroupChat } from "./group-chats.ts";
import { botUser, deliverUpdate, type EmulatorState } from "./state.ts";
import { type GroupMessage, type TelegramUser, unixTimeSeconds } from "./telegram-objects.ts";
import { checkText, type SentMessage, UserActionError } from "./user-actions.ts";

/** Tells the bot its membership of `group` changed from `from` to the group's status now. */
function membershipChanged(
  state: EmulatorState,
  group: GroupChat,
  by: TelegramUser,
  from: GroupChat["botStatus"],
): number {
  const bot = botUser(state);
  return deliverUpdate(state, {
    my_chat_member: {
      chat: group.chatObject,
      from: by,
      date: unixTimeSeconds(),
      old_chat_member: { user: bot, status: from },
      new_chat_member: { user: bot, status: group.botStatus },
    },
  });
}

/**
 * `by` adds the bot: a member of a group or supergroup, an administrator of a
 * channel. Returns the update's id, or null when the bot is in already.
 */
export function addBot(state: EmulatorState, group: GroupChat, by: TelegramUser): number | null {
  if (group.botIsMember) return null;
  group.botStatus = group.profile.type === "channel" ? "administrator" : "member";
  return membershipChanged(state, group, by, "left");
}

/** The bot leaves `group` (its `leaveChat`); the bot is told, as by Telegram. */
export function botLeaves(state: EmulatorState, group: GroupChat): void {
  const was = group.botStatus;
  group.botStatus = "left";
  membershipChanged(state, group, botUser(state), was);
}

/** `from` writes `text` in a group or supergroup the bot is in; commands carry entities. */
export function sendGroupText(
  state: EmulatorState,
  group: GroupChat,
  from: TelegramUser,
  text: string,
): SentMessage {
  if (group.profile.type === "channel")
    throw new UserActionError(
      "NOT_A_GROUP",
      `chat ${group.id} is a channel: members write in groups and supergroups (channel posts are not emulated)`,
    );
  if (!group.botIsMember)
    throw new UserActionError(
      "BOT_NOT_IN_GROUP",
      `the bot is not in group ${group.id}, so it would not see the message; add it first`,
    );
  checkText(text);
  const message: GroupMessage = {
    message_id: group.nextMessageId(),
    from,
    chat: group.chatObject,
    date: unixTimeSeconds(),
    text,
  };
  const entities = botCommandEntities(text);
  if (entities.length > 0) message.entities = entities;
  return { updateId: deliverUpdate(state, { message }), messageId: message.message_id };
}
