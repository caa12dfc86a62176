/**
 * The command menus Telegram shows next to the input field: the user
 * commands in each language the bot speaks, and for each admin's chat the
 * same list followed by the admin commands, in the admin's language.
 */
import { type Api, GrammyError } from "grammy";
import type { BotCommand } from "grammy/types";
import { ADMIN_COMMAND_NAMES } from "./i18n/admin-messages.ts";
import { LANGUAGES, type Language, messagesFor } from "./i18n/language.ts";

const USER_COMMANDS = [
  "start",
  "config",
  "myconfigs",
  "subscription",
  "usage",
  "language",
  "help",
] as const;

/** The admin commands in `language`, in their menu order. */
export function adminCommands(language: Language): BotCommand[] {
  const descriptions = messagesFor(language).admin.commandDescriptions;
  return ADMIN_COMMAND_NAMES.map((command) => ({ command, description: descriptions[command] }));
}

/** The user commands in `language`. */
export function userCommands(language: Language): BotCommand[] {
  const descriptions = messagesFor(language).commandDescriptions;
  return USER_COMMANDS.map((command) => ({ command, description: descriptions[command] }));
}

/**
 * Sets the default menu (English), one per other language, and each admin's.
 * An admin whose chat refuses it (they blocked the bot) is reported to
 * `onAdminFailed` and skipped.
 */
export async function publishCommandMenus(
  api: Api,
  admins: readonly { id: string; language: Language }[],
  onAdminFailed: (adminId: string, error: Error) => void,
): Promise<void> {
  await api.setMyCommands(userCommands("en"));
  for (const language of LANGUAGES) {
    if (language !== "en")
      await api.setMyCommands(userCommands(language), { language_code: language });
  }
  for (const admin of admins) {
    try {
      await publishAdminMenu(api, admin);
    } catch (error) {
      if (!(error instanceof GrammyError)) throw error;
      onAdminFailed(admin.id, error);
    }
  }
}

/** Sets one admin's menu: the user commands in their language, then the admin commands. */
export async function publishAdminMenu(
  api: Api,
  admin: { id: string; language: Language },
): Promise<void> {
  await api.setMyCommands([...userCommands(admin.language), ...adminCommands(admin.language)], {
    scope: { type: "chat", chat_id: Number(admin.id) },
  });
}

/** Puts a demoted admin back on the menus everyone gets. */
export async function removeAdminMenu(api: Api, userId: string): Promise<void> {
  await api.deleteMyCommands({ scope: { type: "chat", chat_id: Number(userId) } });
}
