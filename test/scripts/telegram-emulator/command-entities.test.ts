import { test } from "uvu";
import * as assert from "uvu/assert";
import { botCommandEntities } from "../../../scripts/telegram-emulator/command-entities.ts";

test("a command at the start, with a bot name, and after a space are all marked", () => {
  assert.equal(botCommandEntities("/start abc"), [{ type: "bot_command", offset: 0, length: 6 }]);
  assert.equal(botCommandEntities("/config@nexaloak_bot"), [
    { type: "bot_command", offset: 0, length: 20 },
  ]);
  assert.equal(botCommandEntities("try /help now"), [
    { type: "bot_command", offset: 4, length: 5 },
  ]);
});

test("slashes inside words, paths and plain text are not commands", () => {
  assert.equal(botCommandEntities("a/b and /etc/wireguard and hello"), []);
  assert.equal(botCommandEntities("/"), []);
});

test.run();
