import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  createTelegramEmulator,
  UserActionError,
} from "../../../scripts/telegram-emulator/emulator.ts";
import {
  rejection,
  resultOf,
  startedUser,
  TOKEN,
  withEmulator,
} from "./support/emulator-fixture.ts";

test("the emulator listens on 127.0.0.1 and gives an apiRoot without a trailing slash", async () => {
  await withEmulator(async (emulator) => {
    assert.match(emulator.apiRoot, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.is(emulator.url, `${emulator.apiRoot}/`);
    assert.is(emulator.apiRoot, `http://127.0.0.1:${emulator.port}`);
  });
});

test("stop ends a waiting poll, closes the port, and may be called twice", async () => {
  const emulator = await createTelegramEmulator();
  const polling = fetch(`${emulator.apiRoot}/bot${TOKEN}/getUpdates?timeout=30`).catch(
    (error: unknown) => error,
  );
  await emulator.waitForPolling(2000);
  await emulator.stop();
  await emulator.stop();
  await polling;
  assert.is(emulator.polls()[0]?.outcome, "aborted");
  const refused = await fetch(`${emulator.apiRoot}/`).then(
    () => false,
    () => true,
  );
  assert.ok(refused, "the port is closed");
});

test("options are checked: malformed tokens, another host, a bad first update id", async () => {
  assert.match(
    (await rejection(createTelegramEmulator({ tokens: ["123:short"] }))).message,
    /not shaped/,
  );
  assert.match(
    (await rejection(createTelegramEmulator({ host: "0.0.0.0" as "127.0.0.1" }))).message,
    /host must be 127.0.0.1/,
  );
  assert.match(
    (await rejection(createTelegramEmulator({ firstUpdateId: 0 }))).message,
    /firstUpdateId/,
  );
});

test("a user's message carries their profile and bot_command entities for /start with a payload", async () => {
  await withEmulator(async (emulator) => {
    const user = emulator.user(1001, {
      first_name: "Sara",
      username: "sara_k",
      language_code: "fa",
    });
    const sent = user.send("/start invite-7QX");
    const [update] = emulator.pendingUpdates();
    assert.is(update?.update_id, sent.updateId);
    assert.ok(update !== undefined && "message" in update);
    const message = "message" in update! ? update.message : undefined;
    assert.equal(message?.from, {
      id: 1001,
      is_bot: false,
      first_name: "Sara",
      username: "sara_k",
      language_code: "fa",
    });
    assert.equal(message?.chat, {
      id: 1001,
      type: "private",
      first_name: "Sara",
      username: "sara_k",
    });
    assert.is(message?.text, "/start invite-7QX");
    assert.equal(message?.entities, [{ type: "bot_command", offset: 0, length: 6 }]);
  });
});

test("plain text has no entities and empty text is refused", async () => {
  await withEmulator(async (emulator) => {
    const user = emulator.user(1);
    user.send("just words");
    const update = emulator.pendingUpdates()[0];
    assert.ok(update && "message" in update && update.message.entities === undefined);
    try {
      user.send("  ");
      assert.unreachable("empty text must be refused");
    } catch (error) {
      assert.instance(error, UserActionError);
      assert.is((error as UserActionError).code, "TEXT_EMPTY");
    }
  });
});

test("users() lists every user, and user() with a new profile updates it", async () => {
  await withEmulator(async (emulator) => {
    emulator.user(1, { first_name: "A" });
    emulator.user(2, { first_name: "B" });
    emulator.user(1, { first_name: "A2", language_code: "ru" });
    assert.equal(
      emulator.users().map((user) => [user.id, user.profile().first_name]),
      [
        [1, "A2"],
        [2, "B"],
      ],
    );
    assert.is(emulator.user(1).profile().language_code, "ru");
    assert.throws(() => emulator.user(-5), /positive whole number/);
  });
});

test("waitFor resolves on a message the bot sends later, and on an edit that makes one match", async () => {
  await withEmulator(async (emulator) => {
    const user = startedUser(emulator);
    const waiting = user.waitFor((message) => message.text === "Your config is ready", 2000);
    const sent = await resultOf<{ message_id: number }>(emulator, "sendMessage", {
      chat_id: user.id,
      text: "Preparing...",
    });
    await resultOf(emulator, "editMessageText", {
      chat_id: user.id,
      message_id: sent.message_id,
      text: "Your config is ready",
    });
    const matched = await waiting;
    assert.is(matched.messageId, sent.message_id);
    assert.ok(matched.edited);
  });
});

test("waitFor gives up after its timeout and says what the inbox held", async () => {
  await withEmulator(async (emulator) => {
    const user = startedUser(emulator);
    await resultOf(emulator, "sendMessage", { chat_id: user.id, text: "something else" });
    const startedAtMs = performance.now();
    const timedOut = await rejection(user.waitFor((message) => message.text === "never", 100));
    assert.match(
      timedOut.message,
      /no message matched within 100 ms; inbox:\n {2}#2: "something else"/,
    );
    assert.ok(performance.now() - startedAtMs < 1000);
  });
});

test("waitForPolling rejects after its timeout when nothing polls", async () => {
  await withEmulator(async (emulator) => {
    const timedOut = await rejection(emulator.waitForPolling(50));
    assert.match(timedOut.message, /no getUpdates waited within 50 ms/);
  });
});

test.run();
