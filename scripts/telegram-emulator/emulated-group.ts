/**
 * A handle on one group, supergroup or channel, for tests: users add the
 * bot and write there; the test reads whether the bot is still in and how
 * often it called `leaveChat`.
 */
import { addBot, sendGroupText } from "./group-actions.ts";
import type { GroupChat } from "./group-chats.ts";
import type { EmulatorState } from "./state.ts";
import type { SentMessage } from "./user-actions.ts";

export interface EmulatedGroup {
  readonly id: number;
  /**
   * The user with id `byUserId` adds the bot, which gets a `my_chat_member`
   * update; returns its id, or null when the bot is in already.
   */
  addBot(byUserId: number): number | null;
  /**
   * The user with id `fromUserId` writes `text` in the group; the bot gets it
   * as a message update. Throws {@link UserActionError} for a channel, while
   * the bot is not in the group, or for empty text.
   */
  send(fromUserId: number, text: string): SentMessage;
  /** Whether the bot is in the chat now. */
  botIsMember(): boolean;
  /** How many times the bot called `leaveChat` for this chat, answered or refused. */
  leaveChatCalls(): number;
}

export function createEmulatedGroup(state: EmulatorState, group: GroupChat): EmulatedGroup {
  // Group members need not have written to the bot: their private chat is only where their profile lives.
  const userOf = (id: number) => state.chats.ensure(id).user;
  return {
    id: group.id,
    addBot: (byUserId) => addBot(state, group, userOf(byUserId)),
    send: (fromUserId, text) => sendGroupText(state, group, userOf(fromUserId), text),
    botIsMember: () => group.botIsMember,
    leaveChatCalls: () => group.leaveChatCalls,
  };
}
