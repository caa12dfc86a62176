/**
 * Text messages: `sendMessage`, `editMessageText`, `editMessageReplyMarkup`,
 * `deleteMessage` and `sendChatAction`, with Telegram's checks and wording.
 */
import { badRequest, valueOrBadRequest } from "../bot-api-error.ts";
import type { ChatEntry } from "../chats.ts";
import { parseReplyMarkup } from "../reply-markup.ts";
import { type InlineKeyboardMarkup, type Message, unixTimeSeconds } from "../telegram-objects.ts";
import {
  type MethodCall,
  type MethodHandler,
  messageText,
  postBotMessage,
  targetChat,
  targetMessage,
  textContent,
} from "./method-call.ts";

const chatActions = new Set([
  "typing",
  "upload_photo",
  "record_video",
  "upload_video",
  "record_voice",
  "upload_voice",
  "upload_document",
  "choose_sticker",
  "find_location",
  "record_video_note",
  "upload_video_note",
]);

const sendMessage: MethodHandler = (call) => {
  const chat = targetChat(call);
  return postBotMessage(call, chat, textContent(messageText(call)));
};

/**
 * The inline keyboard an edit leaves on the message. Telegram drops the
 * keyboard when an edit does not repeat it, and accepts only inline keyboards.
 */
function editedKeyboard(call: MethodCall): InlineKeyboardMarkup | undefined {
  const raw = call.params.json("reply_markup", "can't parse reply keyboard markup JSON object");
  if (raw === undefined) return undefined;
  const markup = valueOrBadRequest(parseReplyMarkup(raw));
  if (markup.kind !== "inline_keyboard") throw badRequest("inline keyboard expected");
  return markup.rows.length > 0 ? { inline_keyboard: markup.rows } : undefined;
}

/** The bot message an edit targets: inline messages do not exist here, as there is no inline mode. */
function editableEntry(call: MethodCall): ChatEntry {
  if (call.params.has("inline_message_id")) throw badRequest("MESSAGE_ID_INVALID");
  const chat = targetChat(call);
  const entry = targetMessage(call, chat, "message to edit not found");
  if (entry.sender !== "bot") throw badRequest("message can't be edited");
  return entry;
}

function sameContent(before: Message, after: Message): boolean {
  return (
    before.text === after.text &&
    before.caption === after.caption &&
    JSON.stringify(before.entities ?? []) === JSON.stringify(after.entities ?? []) &&
    JSON.stringify(before.reply_markup ?? null) === JSON.stringify(after.reply_markup ?? null)
  );
}

/** Stores the edit unless it changes nothing, which Telegram refuses. */
function applyEdit(call: MethodCall, entry: ChatEntry, edited: Message): Message {
  if (sameContent(entry.message, edited)) {
    throw badRequest(
      "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
    );
  }
  edited.edit_date = unixTimeSeconds();
  call.state.chats.get(entry.message.chat.id)?.replace(edited);
  return edited;
}

const editMessageText: MethodHandler = (call) => {
  const entry = editableEntry(call);
  if (entry.message.text === undefined) throw badRequest("there is no text in the message to edit");
  const text = messageText(call);
  const { entities: _oldEntities, reply_markup: _oldKeyboard, ...unchanged } = entry.message;
  const edited: Message = { ...unchanged, ...textContent(text) };
  const keyboard = editedKeyboard(call);
  if (keyboard !== undefined) edited.reply_markup = keyboard;
  return applyEdit(call, entry, edited);
};

const editMessageReplyMarkup: MethodHandler = (call) => {
  const entry = editableEntry(call);
  const { reply_markup: _oldKeyboard, ...unchanged } = entry.message;
  const edited: Message = { ...unchanged };
  const keyboard = editedKeyboard(call);
  if (keyboard !== undefined) edited.reply_markup = keyboard;
  return applyEdit(call, entry, edited);
};

const deleteMessage: MethodHandler = (call) => {
  const chat = targetChat(call);
  const entry = targetMessage(call, chat, "message to delete not found");
  chat.remove(entry.message.message_id);
  return true;
};

const sendChatAction: MethodHandler = (call) => {
  const chat = targetChat(call);
  const action = call.params.string("action") ?? "";
  if (!chatActions.has(action)) throw badRequest("wrong parameter action in request");
  chat.lastChatAction = action;
  return true;
};

export const messageMethods: Record<string, MethodHandler> = {
  sendMessage,
  editMessageText,
  editMessageReplyMarkup,
  deleteMessage,
  sendChatAction,
};
