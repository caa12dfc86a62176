/**
 * The command menus Telegram shows next to the input field: the user
 * commands in each language the bot speaks, and for each admin's chat the
 * same list followed by the admin commands.
 */
import { type Api, GrammyError } from "grammy";
import type { BotCommand } from "grammy/types";
import { LANGUAGES, type Language, messagesFor } from "./i18n/language.ts";

const USER_COMMANDS = ["start", "config", "myconfigs", "language", "help"] as const;

/** Admin commands with their menu descriptions (admins are operators: English only). */
export const ADMIN_COMMANDS: readonly BotCommand[] = [
  { command: "servers", description: "Servers: status, load, endpoint, last check" },
  { command: "server", description: "/server <id>: one server and its recent check verdicts" },
  { command: "checknow", description: "/checknow <server>: run a ban check on a server now" },
  { command: "metrics", description: "Leader, term, commit index, members, totals" },
  { command: "ban", description: "/ban <server> [reason]: take a server out, move its users" },
  { command: "unban", description: "/unban <server>: put a server back in service" },
  { command: "drain", description: "/drain <server> [reason]: no new configs on a server" },
  {
    command: "addserver",
    description: "/addserver [region] [capacity]: a join token for a new server",
  },
  { command: "jointokens", description: "Join tokens: pending, expired, used, cancelled" },
  { command: "canceljoin", description: "/canceljoin <node id>: withdraw a join token" },
  {
    command: "removeserver",
    description: "/removeserver <id>: move a server's users, take it out for good",
  },
  {
    command: "probes",
    description: "/probes [list|add|remove]: vantage probes that check for filtering",
  },
  { command: "users", description: "Users and their status" },
  { command: "user", description: "/user <id>: block, unblock, revoke configs" },
  { command: "invite", description: "/invite [uses]: create an invite link" },
  { command: "approve", description: "Users waiting for approval" },
  { command: "broadcast", description: "/broadcast <text>: message every user" },
  { command: "accessmode", description: "/accessmode open|invite|approval" },
  { command: "promote", description: "/promote <id>: make a user an admin" },
  { command: "demote", description: "/demote <id>: make an admin a user" },
  {
    command: "backup",
    description: "An encrypted backup file; /backup passphrase <text> sets its passphrase",
  },
  { command: "leader", description: "Which node runs the bot now" },
  { command: "stepdown", description: "Hand leadership to another node" },
];

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
  await api.setMyCommands([...userCommands(admin.language), ...ADMIN_COMMANDS], {
    scope: { type: "chat", chat_id: Number(admin.id) },
  });
}

/** Puts a demoted admin back on the menus everyone gets. */
export async function removeAdminMenu(api: Api, userId: string): Promise<void> {
  await api.deleteMyCommands({ scope: { type: "chat", chat_id: Number(userId) } });
}
