/**
 * A handle on one emulated Telegram user, for tests: write to the bot, press
 * its buttons, read and wait for what it sent, block and unblock it.
 */
import type { CallbackAnswer, Chat } from "./chats.ts";
import { type InboxMessage, inboxOf } from "./inbox.ts";
import type { ReplyKeyboard } from "./reply-markup.ts";
import type { EmulatorState } from "./state.ts";
import type { BotCommand, TelegramUser } from "./telegram-objects.ts";
import {
  type PressedButton,
  pressButton,
  type SentMessage,
  sendText,
  setBlocked,
} from "./user-actions.ts";

export interface EmulatedUser {
  readonly id: number;
  /** The user as the bot sees them in `from`. */
  profile(): TelegramUser;
  /**
   * Sends `text` to the bot as a message update; `/commands` (and `/start
   * <payload>`) carry `bot_command` entities. Throws {@link UserActionError}
   * while the user has blocked the bot or for empty text.
   */
  send(text: string): SentMessage;
  /**
   * Presses the inline button with `callbackData` under the bot's message
   * `messageId`, sending a callback_query update. Throws
   * {@link UserActionError} when the message or the button is not there.
   */
  press(messageId: number, callbackData: string): PressedButton;
  /** Everything the bot sent to this user, oldest first, edits applied, deleted ones gone. */
  inbox(): InboxMessage[];
  /**
   * Whether message `messageId`, from either side, is still in the chat: false
   * once the bot deleted it (bots may delete what users send them in private chats).
   */
  hasMessage(messageId: number): boolean;
  /**
   * The first inbox message (oldest first) that satisfies `predicate`, now or
   * once the bot sends or edits one; rejects after `timeoutMs` with the
   * inbox in the message.
   */
  waitFor(predicate: (message: InboxMessage) => boolean, timeoutMs: number): Promise<InboxMessage>;
  /** The bot's answers to this user's button presses, oldest first. */
  callbackAnswers(): CallbackAnswer[];
  /** The custom keyboard the bot set for this user, or null. */
  keyboard(): ReplyKeyboard | null;
  /** The command menu this user's Telegram app would show, in their language. */
  commands(): BotCommand[];
  /** Blocks the bot: its sends to this user fail with 403 and it gets a my_chat_member update. */
  block(): void;
  unblock(): void;
  isBlocked(): boolean;
}

function describeInbox(inbox: InboxMessage[]): string {
  if (inbox.length === 0) return "the inbox is empty";
  const lines = inbox.map((message) => {
    const body =
      message.text ??
      message.caption ??
      (message.document ? `[${message.document.fileName}]` : "[photo]");
    return `  #${message.messageId}: ${JSON.stringify(body.slice(0, 120))}`;
  });
  return `inbox:\n${lines.join("\n")}`;
}

export function createEmulatedUser(state: EmulatorState, chat: Chat): EmulatedUser {
  const inbox = () => inboxOf(chat, state.files);
  return {
    id: chat.id,
    profile: () => ({ ...chat.user }),
    send: (text) => sendText(state, chat, text),
    press: (messageId, callbackData) => pressButton(state, chat, messageId, callbackData),
    inbox,
    hasMessage: (messageId) => chat.find(messageId) !== undefined,
    waitFor: (predicate, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          let match: InboxMessage | undefined;
          try {
            match = inbox().find(predicate);
          } catch (error) {
            // A throwing predicate fails this wait, not the bot's call that changed the chat.
            finish();
            reject(error);
            return;
          }
          if (match === undefined) return;
          finish();
          resolve(match);
        };
        const timer = setTimeout(() => {
          finish();
          reject(
            new Error(
              `user ${chat.id}: no message matched within ${timeoutMs} ms; ${describeInbox(inbox())}`,
            ),
          );
        }, timeoutMs);
        const unsubscribe = chat.subscribe(check);
        const finish = () => {
          clearTimeout(timer);
          unsubscribe();
        };
        check();
      }),
    callbackAnswers: () => chat.callbackAnswers(),
    keyboard: () => chat.replyKeyboard,
    commands: () => state.commandMenus.forPrivateChat(chat.id, chat.user.language_code),
    block: () => setBlocked(state, chat, true),
    unblock: () => setBlocked(state, chat, false),
    isBlocked: () => chat.blocked,
  };
}
