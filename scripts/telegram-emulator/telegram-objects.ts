/**
 * The Telegram Bot API objects the emulator produces, shaped and named exactly
 * as Telegram sends them (snake_case), so a bot reads them with its usual
 * types. Only the fields the emulator fills are declared.
 */
import type { BotCommand, InlineKeyboardButton, KeyboardButton, MessageEntity } from "grammy/types";

export type { BotCommand, InlineKeyboardButton, KeyboardButton, MessageEntity };

/** A Telegram account: an emulated user, or the bot itself (`is_bot: true`). */
export interface TelegramUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

/** The one chat kind the emulator models: a user's private chat with the bot. */
export interface PrivateChat {
  id: number;
  type: "private";
  first_name: string;
  last_name?: string;
  username?: string;
}

export interface InlineKeyboardMarkup {
  inline_keyboard: InlineKeyboardButton[][];
}

export interface DocumentObject {
  file_id: string;
  file_unique_id: string;
  file_name: string;
  mime_type?: string;
  file_size: number;
}

export interface PhotoSize {
  file_id: string;
  file_unique_id: string;
  width: number;
  height: number;
  file_size: number;
}

/** A message in a private chat, from the user or from the bot. */
export interface Message {
  message_id: number;
  from: TelegramUser;
  chat: PrivateChat;
  /** Unix time in seconds. */
  date: number;
  /** Unix time in seconds of the last edit; absent until the bot edits the message. */
  edit_date?: number;
  text?: string;
  entities?: MessageEntity[];
  caption?: string;
  caption_entities?: MessageEntity[];
  document?: DocumentObject;
  photo?: PhotoSize[];
  reply_to_message?: Message;
  /** Telegram shows only inline keyboards on the message itself. */
  reply_markup?: InlineKeyboardMarkup;
}

export interface CallbackQuery {
  id: string;
  from: TelegramUser;
  message: Message;
  chat_instance: string;
  data: string;
}

export interface ChatMember {
  user: TelegramUser;
  status: "member" | "kicked";
  until_date?: number;
}

/** Sent to the bot when a user blocks (`kicked`) or unblocks (`member`) it. */
export interface ChatMemberUpdated {
  chat: PrivateChat;
  from: TelegramUser;
  date: number;
  old_chat_member: ChatMember;
  new_chat_member: ChatMember;
}

/** What an update carries, without its id; exactly one field is set. */
export type UpdateContent =
  | { message: Message }
  | { callback_query: CallbackQuery }
  | { my_chat_member: ChatMemberUpdated };

export type Update = { update_id: number } & UpdateContent;

/** The update types this emulator produces, as named in `allowed_updates`. */
export type UpdateType = "message" | "callback_query" | "my_chat_member";

export function updateTypeOf(content: UpdateContent): UpdateType {
  if ("message" in content) return "message";
  if ("callback_query" in content) return "callback_query";
  return "my_chat_member";
}

export interface File {
  file_id: string;
  file_unique_id: string;
  file_size: number;
  file_path: string;
}

/** Unix time in seconds, as Telegram stamps messages. */
export function unixTimeSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
