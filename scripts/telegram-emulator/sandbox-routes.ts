/**
 * The sandbox's HTTP endpoints under `/sandbox/`, which the web chat page
 * polls: list and create users, read a user's chat, write, press buttons,
 * block and unblock, download files. Answers are JSON; refusals are
 * `{"ok":false,"error":{"code","message"}}` with status 400 or 404.
 *
 *   GET  /sandbox/status                 bot profile, whether it is polling, pending updates
 *   GET  /sandbox/users                  every user
 *   POST /sandbox/users                  {id, first_name, username?, language_code?}; 409 USER_EXISTS for a taken id
 *   GET  /sandbox/users/<id>/chat        both sides of the chat, keyboard, menu, answers
 *   POST /sandbox/users/<id>/messages    {text}
 *   POST /sandbox/users/<id>/presses     {message_id, callback_data}
 *   POST /sandbox/users/<id>/block       and /unblock
 *   GET  /sandbox/files/<file_id>        the bytes of a document or photo the bot sent
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { type ErrorValue, err, ok, type Result } from "../../shared/result.ts";
import type { Chat, ChatEntry } from "./chats.ts";
import { sendBytes, sendJson } from "./http-io.ts";
import { readBody } from "./request-body.ts";
import { botUser, type EmulatorState } from "./state.ts";
import { pressButton, sendText, setBlocked, UserActionError } from "./user-actions.ts";

const MAX_SANDBOX_BODY_BYTES = 64 * 1024;

const newUserSchema = z.object({
  id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  first_name: z.string().trim().min(1).max(64),
  username: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]{4,31}$/, "5-32 letters, digits or _, starting with a letter")
    .optional(),
  language_code: z
    .string()
    .regex(/^[a-z]{2}(-[A-Za-z]{2})?$/, "a language tag such as en, fa or ru")
    .optional(),
});
const textSchema = z.object({ text: z.string() });
const pressSchema = z.object({
  message_id: z.number().int().positive(),
  callback_data: z.string(),
});

type SandboxResult = Result<unknown> & { status?: number };

/** A sandbox chat message: either side, shaped for the page. */
function chatMessageView(entry: ChatEntry) {
  const { message } = entry;
  const photo = message.photo?.[0];
  return {
    message_id: message.message_id,
    sender: entry.sender,
    date: message.date,
    edited: message.edit_date !== undefined,
    text: message.text ?? message.caption ?? "",
    entities: message.entities ?? message.caption_entities ?? [],
    inline_keyboard: message.reply_markup?.inline_keyboard ?? [],
    document: message.document
      ? {
          file_id: message.document.file_id,
          file_name: message.document.file_name,
          file_size: message.document.file_size,
        }
      : null,
    photo: photo ? { file_id: photo.file_id, width: photo.width, height: photo.height } : null,
    reply_to_message_id: message.reply_to_message?.message_id ?? null,
  };
}

function userView(chat: Chat) {
  return { ...chat.user, blocked: chat.blocked, started: chat.started };
}

function chatView(state: EmulatorState, chat: Chat) {
  return {
    user: userView(chat),
    messages: chat.history().map(chatMessageView),
    keyboard: chat.replyKeyboard,
    commands: state.commandMenus.forPrivateChat(chat.id, chat.user.language_code),
    callback_answers: chat.callbackAnswers(),
    chat_action: chat.lastChatAction,
  };
}

function parseJsonBody<Schema extends z.ZodType>(
  body: Buffer,
  schema: Schema,
): Result<z.infer<Schema>> {
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString("utf8"));
  } catch {
    return err("BAD_JSON", "the request body must be a JSON object");
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return ok(parsed.data);
  const problems = parsed.error.issues.map(
    (issue) => `${issue.path.join(".") || "body"}: ${issue.message}`,
  );
  return err("BAD_REQUEST", problems.join("; "));
}

function notFound(code: string, message: string): SandboxResult {
  return { ...err(code, message), status: 404 };
}

/** Runs a user action, turning its refusal into a 400 value. */
function act(action: () => unknown): SandboxResult {
  try {
    return ok(action());
  } catch (error) {
    if (error instanceof UserActionError) return err(error.code, error.message);
    throw error;
  }
}

async function route(
  state: EmulatorState,
  request: IncomingMessage,
  path: string[],
): Promise<SandboxResult> {
  const method = request.method ?? "GET";
  const [resource, idText, action] = path;
  if (resource === "status" && path.length === 1 && method === "GET") {
    return ok({
      bot: botUser(state),
      polling: state.polling.isPolling(),
      pending_updates: state.updates.size,
    });
  }
  if (resource !== "users") return notFound("NOT_FOUND", "no such sandbox endpoint");
  if (path.length === 1 && method === "GET") {
    return ok({ users: state.chats.all().map(userView) });
  }
  if (path.length === 1 && method === "POST") {
    const profile = parseJsonBody(await readBody(request, MAX_SANDBOX_BODY_BYTES), newUserSchema);
    if (!profile.ok) return profile;
    const { id, ...fields } = profile.value;
    // Creating over an existing user would silently replace their name and language.
    const existing = state.chats.get(id);
    if (existing !== undefined)
      return {
        ...err(
          "USER_EXISTS",
          `user ${id} (${userView(existing).first_name}) exists already and was left as it is`,
        ),
        status: 409,
      };
    return ok({ user: userView(state.chats.ensure(id, fields)) });
  }
  const chat = /^\d+$/.test(idText ?? "") ? state.chats.get(Number(idText)) : undefined;
  if (chat === undefined) return notFound("UNKNOWN_USER", `no user ${idText}; create it first`);
  const endpoint = `${method} ${action ?? ""}`;
  if (path.length !== 3) return notFound("NOT_FOUND", "no such sandbox endpoint");
  switch (endpoint) {
    case "GET chat":
      return ok(chatView(state, chat));
    case "POST messages": {
      const body = parseJsonBody(await readBody(request, MAX_SANDBOX_BODY_BYTES), textSchema);
      return body.ok ? act(() => sendText(state, chat, body.value.text)) : body;
    }
    case "POST presses": {
      const body = parseJsonBody(await readBody(request, MAX_SANDBOX_BODY_BYTES), pressSchema);
      if (!body.ok) return body;
      return act(() => pressButton(state, chat, body.value.message_id, body.value.callback_data));
    }
    case "POST block":
    case "POST unblock":
      setBlocked(state, chat, action === "block");
      return ok({ blocked: chat.blocked });
    default:
      return notFound("NOT_FOUND", "no such sandbox endpoint");
  }
}

/** Answers one request under `/sandbox/`; `path` is what follows it, split on `/`. */
export async function answerSandboxRequest(
  state: EmulatorState,
  request: IncomingMessage,
  response: ServerResponse,
  path: string[],
): Promise<void> {
  if (path[0] === "files" && path.length === 2 && request.method === "GET") {
    const file = state.files.get(decodeURIComponent(path[1] ?? ""));
    if (file === undefined) {
      sendJson(response, 404, err("UNKNOWN_FILE", "no such file"));
      return;
    }
    const disposition = file.kind === "photo" ? "inline" : "attachment";
    sendBytes(response, file.bytes, {
      "content-type": file.mimeType ?? "application/octet-stream",
      "content-disposition": `${disposition}; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
    });
    return;
  }
  const result = await route(state, request, path);
  if (result.ok) sendJson(response, 200, result);
  else
    sendJson(response, result.status ?? 400, {
      ok: false,
      error: result.error satisfies ErrorValue,
    });
}
