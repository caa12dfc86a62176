import { Bot } from "grammy";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { BOT_ID, callMethod, resultOf, TOKEN, withEmulator } from "../support/emulator-fixture.ts";

test("getMe describes the bot with the id from its token", async () => {
  await withEmulator(
    async (emulator) => {
      const bot = new Bot(TOKEN, { client: { apiRoot: emulator.apiRoot } });
      await bot.init();
      assert.is(bot.botInfo.id, BOT_ID);
      assert.is(bot.botInfo.username, "vpn_test_bot");
      assert.is(bot.botInfo.is_bot, true);
    },
    { bot: { first_name: "VPN", username: "vpn_test_bot" } },
  );
});

test("setMyCommands keeps one list per scope and language; getMyCommands returns exactly that list", async () => {
  await withEmulator(async (emulator) => {
    const english = [{ command: "config", description: "Get a VPN config" }];
    const persian = [{ command: "config", description: "دریافت کانفیگ" }];
    const admin = [...english, { command: "servers", description: "Servers" }];
    await resultOf(emulator, "setMyCommands", { commands: english });
    await resultOf(emulator, "setMyCommands", { commands: persian, language_code: "fa" });
    await resultOf(emulator, "setMyCommands", {
      commands: admin,
      scope: { type: "chat", chat_id: 1 },
    });
    assert.equal(await resultOf(emulator, "getMyCommands"), english);
    assert.equal(await resultOf(emulator, "getMyCommands", { language_code: "fa" }), persian);
    assert.equal(await resultOf(emulator, "getMyCommands", { language_code: "ru" }), []);
    assert.equal(
      await resultOf(emulator, "getMyCommands", { scope: { type: "chat", chat_id: 1 } }),
      admin,
    );
  });
});

test("a user's menu is the most specific list for their chat and language", async () => {
  await withEmulator(async (emulator) => {
    const english = [{ command: "config", description: "Get a VPN config" }];
    const russian = [{ command: "config", description: "Получить конфиг" }];
    const admin = [{ command: "servers", description: "Servers" }];
    await resultOf(emulator, "setMyCommands", { commands: english });
    await resultOf(emulator, "setMyCommands", { commands: russian, language_code: "ru" });
    await resultOf(emulator, "setMyCommands", {
      commands: admin,
      scope: { type: "chat", chat_id: 3 },
    });
    assert.equal(emulator.user(1, { first_name: "En", language_code: "en" }).commands(), english);
    assert.equal(emulator.user(2, { first_name: "Ru", language_code: "ru" }).commands(), russian);
    assert.equal(emulator.user(3, { first_name: "Admin", language_code: "ru" }).commands(), admin);
    await resultOf(emulator, "deleteMyCommands", { language_code: "ru" });
    assert.equal(emulator.user(2).commands(), english);
  });
});

test("setMyCommands refuses malformed commands, descriptions, scopes and language codes", async () => {
  await withEmulator(async (emulator) => {
    const cases: [Record<string, unknown>, string][] = [
      [
        { commands: [{ command: "Config!", description: "x" }] },
        "Bad Request: BOT_COMMAND_INVALID",
      ],
      [
        { commands: [{ command: "config", description: "" }] },
        "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID",
      ],
      [{ commands: { command: "config" } }, "Bad Request: commands must be an Array"],
      [{ commands: "config" }, "Bad Request: can't parse commands JSON array"],
      [
        { commands: [], scope: { type: "galaxy" } },
        `Bad Request: unsupported BotCommandScope type "galaxy"`,
      ],
      [{ commands: [], language_code: "english" }, "Bad Request: LANG_CODE_INVALID"],
    ];
    for (const [params, description] of cases) {
      const answer = await callMethod(emulator, "setMyCommands", params);
      assert.is(answer.status, 400);
      assert.is(answer.body.description, description);
    }
  });
});

test.run();
