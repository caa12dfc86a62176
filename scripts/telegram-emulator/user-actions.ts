/**
 * What an emulated user can do in their chat with the bot: write text, press
 * an inline button, block and unblock the bot. Each action that Telegram
 * would tell the bot about becomes an update, and a waiting `getUpdates`
 * returns it at once. Shared by the programmatic user handle and the sandbox
 * page's HTTP endpoints.
 */

import type { Chat } from "./chats.ts";
import { botCommandEntities } from "./command-entities.ts";
import { botUser, deliverUpdate, type EmulatorState } from "./state.ts";
import { type Message, unixTimeSeconds } from "./telegram-objects.ts";

export type UserActionErrorCode =
  | "USER_BLOCKED_BOT"
  | "TEXT_EMPTY"
  | "TEXT_TOO_LONG"
  | "MESSAGE_NOT_FOUND"
  | "BUTTON_NOT_FOUND"
  | "BOT_NOT_IN_GROUP"
  | "NOT_A_GROUP";

/** A user action the Telegram app would not allow, such as pressing a button that is not there. */
export class UserActionError extends Error {
  constructor(
    readonly code: UserActionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "UserActionError";
  }
}

/** The update a user action produced. */
export interface SentMessage {
  updateId: number;
  messageId: number;
}

export interface PressedButton {
  updateId: number;
  callbackQueryId: string;
}

const MAX_TEXT_LENGTH = 4096;

function refuseIfBlocked(chat: Chat): void {
  if (chat.blocked) {
    throw new UserActionError(
      "USER_BLOCKED_BOT",
      `user ${chat.id} has blocked the bot; unblock it before writing to it`,
    );
  }
}

/** Refuses text a Telegram app would not send: empty, or too long. */
export function checkText(text: string): void {
  if (text.trim() === "") throw new UserActionError("TEXT_EMPTY", "a message needs some text");
  if (text.length > MAX_TEXT_LENGTH) {
    throw new UserActionError(
      "TEXT_TOO_LONG",
      `a message has at most ${MAX_TEXT_LENGTH} characters`,
    );
  }
}

/** The user writes `text`; commands in it carry `bot_command` entities, as in Telegram. */
export function sendText(state: EmulatorState, chat: Chat, text: string): SentMessage {
  refuseIfBlocked(chat);
  checkText(text);
  const message: Message = {
    message_id: chat.nextMessageId(),
    from: chat.user,
    chat: chat.privateChat,
    date: unixTimeSeconds(),
    text,
  };
  const entities = botCommandEntities(text);
  if (entities.length > 0) message.entities = entities;
  chat.started = true;
  if (chat.replyKeyboard?.oneTime) chat.replyKeyboard = null;
  chat.add({ message, sender: "user", sentAt: state.clock() });
  return { updateId: deliverUpdate(state, { message }), messageId: message.message_id };
}

/** The user presses the inline button with `callbackData` under the bot's message `messageId`. */
export function pressButton(
  state: EmulatorState,
  chat: Chat,
  messageId: number,
  callbackData: string,
): PressedButton {
  refuseIfBlocked(chat);
  const entry = chat.find(messageId);
  if (entry === undefined || entry.sender !== "bot") {
    throw new UserActionError(
      "MESSAGE_NOT_FOUND",
      `chat ${chat.id} has no message ${messageId} from the bot`,
    );
  }
  const buttons = entry.message.reply_markup?.inline_keyboard.flat() ?? [];
  const pressed = buttons.some(
    (button) => "callback_data" in button && button.callback_data === callbackData,
  );
  if (!pressed) {
    throw new UserActionError(
      "BUTTON_NOT_FOUND",
      `message ${messageId} has no button with callback data ${JSON.stringify(callbackData)}`,
    );
  }
  const callbackQueryId = state.callbackQueries.create(chat.id);
  const updateId = deliverUpdate(state, {
    callback_query: {
      id: callbackQueryId,
      from: chat.user,
      message: entry.message,
      chat_instance: `${chat.id}`,
      data: callbackData,
    },
  });
  return { updateId, callbackQueryId };
}

/**
 * The user blocks or unblocks the bot. Telegram tells the bot with a
 * `my_chat_member` update, once the user has ever written to it.
 */
export function setBlocked(state: EmulatorState, chat: Chat, blocked: boolean): void {
  if (chat.blocked === blocked) return;
  chat.blocked = blocked;
  if (!chat.started) return;
  const bot = botUser(state);
  deliverUpdate(state, {
    my_chat_member: {
      chat: chat.privateChat,
      from: chat.user,
      date: unixTimeSeconds(),
      old_chat_member: blocked
        ? { user: bot, status: "member" }
        : { user: bot, status: "kicked", until_date: 0 },
      new_chat_member: blocked
        ? { user: bot, status: "kicked", until_date: 0 }
        : { user: bot, status: "member" },
    },
  });
}
