/** `/help` and `/language`: what the bot does (and for admins their commands), and which language it speaks. */
import { Composer, InlineKeyboard } from "grammy";
import { isActiveAdmin } from "../../cluster/fsm/records.ts";
import { displayName } from "../account.ts";
import { publishAdminMenu } from "../command-menus.ts";
import type { BotContext } from "../context.ts";
import { LANGUAGES, messagesFor } from "../i18n/language.ts";
import { MENU } from "./main-menu.ts";

/** The user commands, and for an admin the admin commands after them. */
function helpText(ctx: BotContext): string {
  return isActiveAdmin(ctx.account) ? `${ctx.t.help}\n\n${ctx.t.admin.help}` : ctx.t.help;
}

async function help(ctx: BotContext): Promise<void> {
  await ctx.effects.acknowledge();
  if (ctx.callbackQuery) await ctx.answerCallbackQuery();
  await ctx.reply(helpText(ctx));
}

async function chooseLanguage(ctx: BotContext): Promise<void> {
  await ctx.effects.acknowledge();
  if (ctx.callbackQuery) await ctx.answerCallbackQuery();
  const keyboard = new InlineKeyboard();
  for (const language of LANGUAGES)
    keyboard.text(messagesFor(language).languageName, `lang:${language}`);
  await ctx.reply(ctx.t.chooseLanguage, { reply_markup: keyboard });
}

export const helpFlow = new Composer<BotContext>();

helpFlow.command("help", help);
helpFlow.callbackQuery(MENU.help, help);
helpFlow.command("language", chooseLanguage);
helpFlow.callbackQuery(MENU.language, chooseLanguage);

helpFlow.callbackQuery(/^lang:(en|fa|ru)$/, async (ctx) => {
  const language = ctx.match[1] as (typeof LANGUAGES)[number];
  const account = ctx.account!;
  await ctx.effects.run({
    type: "upsertUser",
    userId: account.id,
    name: displayName(ctx.from),
    language,
    at: ctx.deps.service.now(),
  });
  ctx.language = language;
  ctx.t = messagesFor(language);
  await ctx.answerCallbackQuery();
  await ctx.reply(ctx.t.languageSet);
  if (account.role === "admin") await publishAdminMenu(ctx.api, { id: account.id, language });
});
