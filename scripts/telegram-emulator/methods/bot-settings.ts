/**
 * The bot's own settings: `getMe`, and the command menus `setMyCommands`,
 * `getMyCommands` and `deleteMyCommands`, kept per scope and language.
 */
import { valueOrBadRequest } from "../bot-api-error.ts";
import {
  type CommandScope,
  parseBotCommands,
  parseCommandScope,
  parseLanguageCode,
} from "../command-menus.ts";
import { botUser } from "../state.ts";
import type { MethodCall, MethodHandler } from "./method-call.ts";

const getMe: MethodHandler = (call) => ({
  ...botUser(call.state),
  is_bot: true,
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
});

function scopeAndLanguage(call: MethodCall): { scope: CommandScope; languageCode: string } {
  return {
    scope: valueOrBadRequest(
      parseCommandScope(call.params.json("scope", "can't parse BotCommandScope")),
    ),
    languageCode: valueOrBadRequest(parseLanguageCode(call.params.string("language_code"))),
  };
}

const setMyCommands: MethodHandler = (call) => {
  const commands = valueOrBadRequest(
    parseBotCommands(call.params.json("commands", "can't parse commands JSON array")),
  );
  const { scope, languageCode } = scopeAndLanguage(call);
  call.state.commandMenus.set(scope, languageCode, commands);
  return true;
};

const getMyCommands: MethodHandler = (call) => {
  const { scope, languageCode } = scopeAndLanguage(call);
  return call.state.commandMenus.get(scope, languageCode);
};

const deleteMyCommands: MethodHandler = (call) => {
  const { scope, languageCode } = scopeAndLanguage(call);
  call.state.commandMenus.set(scope, languageCode, []);
  return true;
};

export const botSettingsMethods: Record<string, MethodHandler> = {
  getMe,
  setMyCommands,
  getMyCommands,
  deleteMyCommands,
};
