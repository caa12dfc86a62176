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

/** A user's private chat with the bot: the chat the emulator models in full. */
export interface PrivateChat {
  id: number;
  type: "private";
  first_name: string;
  last_name?: string;
  username?: string;
}

/** The chats a bot can be added to; the emulator models only the bot's membership and members' text. */
export type GroupChatType = "group" | "supergroup" | "channel";

/** A group, supergroup or channel as Telegram describes it inside updates. */
export interface GroupChatObject {
  id: number;
  type: GroupChatType;
  title: string;
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

/** A text message a member wrote in a group or supergroup the bot is in. */
export interface GroupMessage {
  message_id: number;
  from: TelegramUser;
  chat: GroupChatObject;
  /** Unix time in seconds. */
  date: number;
  text: string;
  entities?: MessageEntity[];
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
  status: "member" | "administrator" | "left" | "kicked";
  until_date?: number;
}

/**
 * Sent to the bot when its own membership changes: a user blocks (`kicked`)
 * or unblocks (`member`) it, someone adds it to a group (`member`) or channel
 * (`administrator`), or it leaves one (`left`).
 */
export interface ChatMemberUpdated {
  chat: PrivateChat | GroupChatObject;
  from: TelegramUser;
  date: number;
  old_chat_member: ChatMember;
  new_chat_member: ChatMember;
}

/** What an update carries, without its id; exactly one field is set. */
export type UpdateContent =
  | { message: Message | GroupMessage }
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
