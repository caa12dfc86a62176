/** `answerCallbackQuery`: the bot's answer to a button press, shown to the user once. */
import { badRequest } from "../bot-api-error.ts";
import type { CallbackAnswer } from "../chats.ts";
import type { MethodHandler } from "./method-call.ts";

const MAX_ANSWER_LENGTH = 200;

const answerCallbackQuery: MethodHandler = (call) => {
  const id = call.params.string("callback_query_id") ?? "";
  const text = call.params.string("text");
  if (text !== undefined && text.length > MAX_ANSWER_LENGTH) throw badRequest("MESSAGE_TOO_LONG");
  const chatId = call.state.callbackQueries.answer(id);
  if (chatId === null) {
    throw badRequest("query is too old and response timeout expired or query ID is invalid");
  }
  const answer: CallbackAnswer = {
    callbackQueryId: id,
    showAlert: call.params.boolean("show_alert") ?? false,
  };
  if (text !== undefined && text !== "") answer.text = text;
  const url = call.params.string("url");
  if (url !== undefined) answer.url = url;
  call.state.chats.get(chatId)?.recordAnswer(answer);
  return true;
};

export const callbackMethods: Record<string, MethodHandler> = { answerCallbackQuery };
