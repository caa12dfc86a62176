/**
 * What a Bot API method handler gets, and the checks most sending methods
 * share: which chat, formatted text, reply markup, the message replied to,
 * flood control, and posting the bot's message into the chat.
 */
import { badRequest, forbidden, tooManyRequests, valueOrBadRequest } from "../bot-api-error.ts";
import type { Chat, ChatEntry } from "../chats.ts";
import { type FormattedText, parseHtmlText } from "../html-text.ts";
import type { ApiParams } from "../params.ts";
import { parseReplyMarkup, type ReplyMarkup } from "../reply-markup.ts";
import { botUser, type EmulatorState } from "../state.ts";
import { type Message, type MessageEntity, unixTimeSeconds } from "../telegram-objects.ts";

export interface MethodCall {
  params: ApiParams;
  /** The token in the request's path; already checked. */
  token: string;
  state: EmulatorState;
  /** Aborted when the caller hangs up. */
  signal: AbortSignal;
}

/** Answers one method: returns the `result`, or throws a {@link BotApiError}. */
export type MethodHandler = (call: MethodCall) => unknown;

/** The chat `chat_id` names; 400 if the bot may not write there, 403 if the user blocked it. */
export function targetChat(call: MethodCall): Chat {
  const raw = call.params.string("chat_id");
  if (raw === undefined || raw === "") throw badRequest("chat_id is empty");
  // Private chats have numeric ids; an @username names only public groups and channels.
  const chatId = /^-?\d+$/.test(raw.trim()) ? Number(raw) : null;
  const chat = chatId === null ? undefined : call.state.chats.get(chatId);
  if (chat === undefined || !chat.started) throw badRequest("chat not found");
  if (chat.blocked) throw forbidden("bot was blocked by the user");
  return chat;
}

/** The chat message `message_id` names, or 400 with Telegram's `notFound` wording. */
export function targetMessage(call: MethodCall, chat: Chat, notFound: string): ChatEntry {
  const messageId = call.params.integer("message_id");
  if (messageId === undefined) throw badRequest("message identifier is not specified");
  const entry = chat.find(messageId);
  if (entry === undefined) throw badRequest(notFound);
  return entry;
}

/** Applies the optional flood control to one send; 429 with `retry_after` when over. */
function admitSend(call: MethodCall, chat: Chat): void {
  const retryAfterSeconds = call.state.rateLimiter?.admit(chat.id, call.state.clock()) ?? 0;
  if (retryAfterSeconds === 0) return;
  call.state.floodRefusals++;
  throw tooManyRequests(retryAfterSeconds);
}

const MAX_TEXT_LENGTH = 4096;
const MAX_CAPTION_LENGTH = 1024;

/** `text` or `caption` after `parse_mode` or explicit entities are applied. */
function readFormatted(
  call: MethodCall,
  textField: "text" | "caption",
  entitiesField: "entities" | "caption_entities",
): FormattedText {
  const raw = call.params.string(textField) ?? "";
  const parseMode = call.params.string("parse_mode") ?? "";
  if (parseMode === "HTML") return valueOrBadRequest(parseHtmlText(raw));
  if (parseMode === "") return { text: raw, entities: explicitEntities(call, entitiesField) };
  if (parseMode === "Markdown" || parseMode === "MarkdownV2") {
    throw badRequest(`parse_mode ${parseMode} is not supported by this emulator; use HTML`);
  }
  throw badRequest("unsupported parse_mode");
}

function explicitEntities(
  call: MethodCall,
  field: "entities" | "caption_entities",
): MessageEntity[] {
  const entities = call.params.json(field, "can't parse entities JSON object");
  if (entities === undefined) return [];
  if (!Array.isArray(entities)) throw badRequest(`field "${field}" must be an Array`);
  return entities as MessageEntity[];
}

/** A message's `text`: 1 to 4 096 characters once formatting is parsed. */
export function messageText(call: MethodCall): FormattedText {
  const formatted = readFormatted(call, "text", "entities");
  if (formatted.text.trim() === "") throw badRequest("message text is empty");
  if (formatted.text.length > MAX_TEXT_LENGTH) throw badRequest("message is too long");
  return formatted;
}

/** A file's `caption`: optional, at most 1 024 characters once formatting is parsed. */
export function captionText(call: MethodCall): FormattedText | null {
  const formatted = readFormatted(call, "caption", "caption_entities");
  if (formatted.text.trim() === "") return null;
  if (formatted.text.length > MAX_CAPTION_LENGTH) throw badRequest("message caption is too long");
  return formatted;
}

/** The `reply_markup` parameter, validated; undefined when absent. */
function replyMarkupParam(call: MethodCall): ReplyMarkup | undefined {
  const raw = call.params.json("reply_markup", "can't parse reply keyboard markup JSON object");
  return raw === undefined ? undefined : valueOrBadRequest(parseReplyMarkup(raw));
}

/** The message replied to, from `reply_parameters` or the older `reply_to_message_id`. */
function repliedMessage(call: MethodCall, chat: Chat): Message | undefined {
  const parameters = call.params.json(
    "reply_parameters",
    "can't parse reply parameters JSON object",
  );
  let messageId = call.params.integer("reply_to_message_id");
  let allowWithoutReply = call.params.boolean("allow_sending_without_reply") ?? false;
  if (typeof parameters === "object" && parameters !== null) {
    const fields = parameters as { message_id?: unknown; allow_sending_without_reply?: unknown };
    if (typeof fields.message_id === "number") messageId = fields.message_id;
    allowWithoutReply = fields.allow_sending_without_reply === true;
  }
  if (messageId === undefined) return undefined;
  const replied = chat.find(messageId)?.message;
  if (replied === undefined && !allowWithoutReply) {
    throw badRequest("message to be replied not found");
  }
  return replied;
}

/** The content of a new bot message beyond the fields every message has. */
export type MessageContent = Pick<
  Message,
  "text" | "entities" | "caption" | "caption_entities" | "document" | "photo"
>;

/**
 * Builds the bot's message in `chat` from the call's common parameters
 * (reply target, reply markup), stores it and returns it. Callers have
 * validated everything else first: this is the point where the send happens.
 */
export function postBotMessage(call: MethodCall, chat: Chat, content: MessageContent): Message {
  const markup = replyMarkupParam(call);
  const replyTo = repliedMessage(call, chat);
  admitSend(call, chat);
  const message: Message = {
    message_id: chat.nextMessageId(),
    from: botUser(call.state),
    chat: chat.privateChat,
    date: unixTimeSeconds(),
    ...content,
  };
  if (replyTo !== undefined) message.reply_to_message = replyTo;
  if (markup?.kind === "inline_keyboard" && markup.rows.length > 0) {
    message.reply_markup = { inline_keyboard: markup.rows };
  }
  if (markup?.kind === "reply_keyboard") chat.replyKeyboard = markup.keyboard;
  if (markup?.kind === "remove_keyboard") chat.replyKeyboard = null;
  chat.add({ message, sender: "bot", sentAt: call.state.clock() });
  return message;
}

/** Text content with entities only when there are some, as Telegram omits an empty list. */
export function textContent(formatted: FormattedText): MessageContent {
  return formatted.entities.length > 0
    ? { text: formatted.text, entities: formatted.entities }
    : { text: formatted.text };
}

/** Caption content, or nothing for an absent caption. */
export function captionContent(formatted: FormattedText | null): MessageContent {
  if (formatted === null) return {};
  return formatted.entities.length > 0
    ? { caption: formatted.text, caption_entities: formatted.entities }
    : { caption: formatted.text };
}
