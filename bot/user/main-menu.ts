/** The main menu under the welcome message: the user flows as buttons. */
import { InlineKeyboard } from "grammy";
import type { Messages } from "../i18n/messages.ts";

/** Callback data of the main menu's buttons. */
export const MENU = {
  config: "menu:config",
  myConfigs: "menu:myconfigs",
  language: "menu:language",
  help: "menu:help",
} as const;

export function mainMenu(t: Messages): InlineKeyboard {
  return new InlineKeyboard()
    .text(t.menuGetConfig, MENU.config)
    .row()
    .text(t.menuMyConfigs, MENU.myConfigs)
    .row()
    .text(t.menuLanguage, MENU.language)
    .text(t.menuHelp, MENU.help);
}
