import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  CommandMenus,
  parseBotCommands,
  parseCommandScope,
  parseLanguageCode,
} from "../../../scripts/telegram-emulator/command-menus.ts";

const help = [{ command: "help", description: "Help" }];

test("an absent scope is the default scope; chat scopes need a numeric chat id", () => {
  assert.equal(parseCommandScope(undefined), { ok: true, value: { type: "default" } });
  assert.equal(parseCommandScope({ type: "chat", chat_id: "12" }), {
    ok: true,
    value: { type: "chat", chat_id: 12 },
  });
  assert.ok(!parseCommandScope({ type: "chat", chat_id: "@someone" }).ok);
});

test("commands are 1-32 lower-case letters, digits or _, with a 1-256 character description", () => {
  assert.ok(parseBotCommands([{ command: "my_configs2", description: "x" }]).ok);
  assert.ok(!parseBotCommands([{ command: "MyConfigs", description: "x" }]).ok);
  assert.ok(!parseBotCommands([{ command: "a".repeat(33), description: "x" }]).ok);
  assert.ok(!parseBotCommands([{ command: "a", description: "x".repeat(257) }]).ok);
  assert.ok(
    !parseBotCommands(Array.from({ length: 101 }, () => ({ command: "a", description: "b" }))).ok,
  );
});

test("language codes are empty or two lower-case letters", () => {
  assert.ok(parseLanguageCode(undefined).ok);
  assert.ok(parseLanguageCode("fa").ok);
  assert.ok(!parseLanguageCode("fa-IR").ok);
});

test("a private chat's menu falls back from chat to all private chats to default, language first", () => {
  const menus = new CommandMenus();
  assert.equal(menus.forPrivateChat(1, "en"), []);
  menus.set({ type: "default" }, "", help);
  assert.equal(menus.forPrivateChat(1, "en"), help);
  const privateFa = [{ command: "config", description: "کانفیگ" }];
  menus.set({ type: "all_private_chats" }, "fa", privateFa);
  assert.equal(
    menus.forPrivateChat(1, "fa-IR"),
    privateFa,
    "the region part of a language tag is ignored",
  );
  assert.equal(menus.forPrivateChat(1, "en"), help);
  menus.set({ type: "all_private_chats" }, "fa", []);
  assert.equal(menus.forPrivateChat(1, "fa"), help, "an empty list deletes");
});

test.run();
