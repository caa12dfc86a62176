/**
 * A user's view of what the bot sent them: each message as it is now (edits
 * applied, deleted ones gone), with its inline keyboard and the bytes of any
 * document or photo, ready for assertions.
 */
import type { Chat, ChatEntry } from "./chats.ts";
import type { FileStore } from "./file-store.ts";
import type { InlineKeyboardButton, Message, MessageEntity } from "./telegram-objects.ts";

export interface InboxDocument {
  fileId: string;
  fileName: string;
  mimeType?: string;
  bytes: Buffer;
}

export interface InboxPhoto {
  fileId: string;
  /** The name it was uploaded with; Telegram itself keeps no name for photos. */
  fileName: string;
  width: number;
  height: number;
  bytes: Buffer;
}

export interface InboxMessage {
  messageId: number;
  /** The text of a text message. */
  text?: string;
  /** The caption of a document or photo. */
  caption?: string;
  /** Formatting of the text or caption. */
  entities: MessageEntity[];
  /** Rows of inline buttons under the message; empty when it has none. */
  inlineKeyboard: InlineKeyboardButton[][];
  document?: InboxDocument;
  photo?: InboxPhoto;
  replyToMessageId?: number;
  /** True once the bot has edited the message. */
  edited: boolean;
  /** When the bot sent it: milliseconds on this process's monotonic clock. */
  sentAt: number;
  /** The message exactly as the Bot API described it. */
  message: Message;
}

function inboxMessage(entry: ChatEntry, files: FileStore): InboxMessage {
  const { message } = entry;
  const view: InboxMessage = {
    messageId: message.message_id,
    entities: message.entities ?? message.caption_entities ?? [],
    inlineKeyboard: message.reply_markup?.inline_keyboard ?? [],
    edited: message.edit_date !== undefined,
    sentAt: entry.sentAt,
    message,
  };
  if (message.text !== undefined) view.text = message.text;
  if (message.caption !== undefined) view.caption = message.caption;
  if (message.reply_to_message !== undefined) {
    view.replyToMessageId = message.reply_to_message.message_id;
  }
  const documentFile = message.document && files.get(message.document.file_id);
  if (message.document && documentFile) {
    view.document = {
      fileId: documentFile.fileId,
      fileName: documentFile.fileName,
      bytes: documentFile.bytes,
      ...(message.document.mime_type === undefined ? {} : { mimeType: message.document.mime_type }),
    };
  }
  const photo = message.photo?.[0];
  const photoFile = photo && files.get(photo.file_id);
  if (photo && photoFile) {
    view.photo = {
      fileId: photo.file_id,
      fileName: photoFile.fileName,
      width: photo.width,
      height: photo.height,
      bytes: photoFile.bytes,
    };
  }
  return view;
}

/** Everything the bot has sent to this chat and not deleted, oldest first. */
export function inboxOf(chat: Chat, files: FileStore): InboxMessage[] {
  return chat
    .history()
    .filter((entry) => entry.sender === "bot")
    .map((entry) => inboxMessage(entry, files));
}
