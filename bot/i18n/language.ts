/** Which language the bot speaks to a user, and its texts. */
import type { Language } from "../../cluster/fsm/records.ts";
import { en } from "./en.ts";
import { fa } from "./fa.ts";
import type { Messages } from "./messages.ts";
import { ru } from "./ru.ts";

export type { Language } from "../../cluster/fsm/records.ts";
export { LANGUAGES } from "../../cluster/fsm/records.ts";

const catalogs: Record<Language, Messages> = { en, fa, ru };

/** The texts of one language. */
export function messagesFor(language: Language): Messages {
  return catalogs[language];
}

/**
 * The language for a Telegram `language_code` (an IETF tag such as "fa",
 * "ru-RU" or "en-GB"): Persian and Russian by their primary subtag, English
 * for everything else.
 */
export function languageFromCode(code: string | undefined): Language {
  const primary = code?.toLowerCase().split("-")[0];
  return primary === "fa" || primary === "ru" ? primary : "en";
}
