/**
 * The bot's command menus from `setMyCommands`: one list per scope and
 * language, and the lookup a Telegram client does to show a user their menu
 * (the most specific scope first, a list for the user's language before the
 * list for all languages).
 */
import { err, ok, type Result } from "../../shared/result.ts";
import type { BotCommand } from "./telegram-objects.ts";

/** A scope as `setMyCommands` takes it, reduced to what identifies it. */
export type CommandScope =
  | { type: "default" | "all_private_chats" | "all_group_chats" | "all_chat_administrators" }
  | { type: "chat" | "chat_administrators"; chat_id: number }
  | { type: "chat_member"; chat_id: number; user_id: number };

const MAX_COMMANDS = 100;
const commandPattern = /^[a-z0-9_]{1,32}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function chatIdOf(value: unknown): number | null {
  if (typeof value === "number" && Number.isSafeInteger(value)) return value;
  if (typeof value === "string" && /^-?\d+$/.test(value)) return Number(value);
  return null;
}

/** Validates a `scope` parameter; absent means the default scope. */
export function parseCommandScope(raw: unknown): Result<CommandScope, "BAD_SCOPE"> {
  if (raw === undefined) return ok({ type: "default" });
  if (!isRecord(raw) || typeof raw.type !== "string") {
    return err("BAD_SCOPE", "can't parse BotCommandScope");
  }
  switch (raw.type) {
    case "default":
    case "all_private_chats":
    case "all_group_chats":
    case "all_chat_administrators":
      return ok({ type: raw.type });
    case "chat":
    case "chat_administrators": {
      const chatId = chatIdOf(raw.chat_id);
      return chatId === null
        ? err("BAD_SCOPE", "chat not found")
        : ok({ type: raw.type, chat_id: chatId });
    }
    case "chat_member": {
      const chatId = chatIdOf(raw.chat_id);
      const userId = chatIdOf(raw.user_id);
      if (chatId === null || userId === null) return err("BAD_SCOPE", "chat not found");
      return ok({ type: "chat_member", chat_id: chatId, user_id: userId });
    }
    default:
      return err("BAD_SCOPE", `unsupported BotCommandScope type "${raw.type}"`);
  }
}

/** Validates a `commands` parameter. */
export function parseBotCommands(raw: unknown): Result<BotCommand[], "BAD_COMMANDS"> {
  if (!Array.isArray(raw)) return err("BAD_COMMANDS", "commands must be an Array");
  if (raw.length > MAX_COMMANDS) return err("BAD_COMMANDS", "too many commands specified");
  const commands: BotCommand[] = [];
  for (const command of raw) {
    if (!isRecord(command) || typeof command.command !== "string") {
      return err("BAD_COMMANDS", "can't parse BotCommand");
    }
    if (!commandPattern.test(command.command)) return err("BAD_COMMANDS", "BOT_COMMAND_INVALID");
    const description = command.description;
    if (typeof description !== "string" || description.length < 1 || description.length > 256) {
      return err("BAD_COMMANDS", "BOT_COMMAND_DESCRIPTION_INVALID");
    }
    commands.push({ command: command.command, description });
  }
  return ok(commands);
}

/** Validates a `language_code` parameter: empty for all languages, or a two-letter ISO 639-1 code. */
export function parseLanguageCode(raw: string | undefined): Result<string, "BAD_LANGUAGE"> {
  const code = raw ?? "";
  return code === "" || /^[a-z]{2}$/.test(code)
    ? ok(code)
    : err("BAD_LANGUAGE", "LANG_CODE_INVALID");
}

function scopeKey(scope: CommandScope): string {
  if (scope.type === "chat_member") return `chat_member:${scope.chat_id}:${scope.user_id}`;
  if (scope.type === "chat" || scope.type === "chat_administrators") {
    return `${scope.type}:${scope.chat_id}`;
  }
  return scope.type;
}

export class CommandMenus {
  private readonly menus = new Map<string, BotCommand[]>();

  /** Stores the list for a scope and language; an empty list deletes it, as Telegram does. */
  set(scope: CommandScope, languageCode: string, commands: BotCommand[]): void {
    const key = `${scopeKey(scope)}|${languageCode}`;
    if (commands.length === 0) this.menus.delete(key);
    else
      this.menus.set(
        key,
        commands.map((command) => ({ ...command })),
      );
  }

  /** Exactly the list stored for this scope and language, as `getMyCommands` answers. */
  get(scope: CommandScope, languageCode: string): BotCommand[] {
    return (this.menus.get(`${scopeKey(scope)}|${languageCode}`) ?? []).map((command) => ({
      ...command,
    }));
  }

  /** The menu a Telegram client shows in a private chat with this user. */
  forPrivateChat(chatId: number, languageCode: string | undefined): BotCommand[] {
    const scopes: CommandScope[] = [
      { type: "chat", chat_id: chatId },
      { type: "all_private_chats" },
      { type: "default" },
    ];
    const languages = languageCode ? [languageCode.slice(0, 2).toLowerCase(), ""] : [""];
    for (const scope of scopes) {
      for (const language of languages) {
        const commands = this.get(scope, language);
        if (commands.length > 0) return commands;
      }
    }
    return [];
  }
}
