/**
 * The `bot_command` entities Telegram attaches to a user's text, so a bot's
 * command filters (grammY's `bot.command`) match emulated messages exactly as
 * they match real ones: `/start`, `/start@my_bot`, and `/start <payload>`.
 */
import type { MessageEntity } from "./telegram-objects.ts";

/** A command at the start of the text or after whitespace, ending at a character that cannot continue a name or a path. */
const commandPattern =
  /(?<=^|\s)\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z][A-Za-z0-9_]{2,31})?(?![A-Za-z0-9_@/])/g;

/** Every command in `text`, as `bot_command` entities in UTF-16 offsets. */
export function botCommandEntities(text: string): MessageEntity[] {
  return [...text.matchAll(commandPattern)].map((match) => ({
    type: "bot_command",
    offset: match.index,
    length: match[0].length,
  }));
}
