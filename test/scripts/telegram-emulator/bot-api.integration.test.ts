import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  callMethod,
  resultOf,
  startedUser,
  TOKEN,
  withEmulator,
} from "./support/emulator-fixture.ts";

test("an unknown method is 404 Not Found: method not found", async () => {
  await withEmulator(async (emulator) => {
    const answer = await callMethod(emulator, "sendDice", { chat_id: 1 });
    assert.is(answer.status, 404);
    assert.equal(answer.body, {
      ok: false,
      error_code: 404,
      description: "Not Found: method not found",
    });
  });
});

test("a malformed token is 404 and a token outside the accepted list is 401", async () => {
  await withEmulator(
    async (emulator) => {
      const malformed = await callMethod(emulator, "getMe", {}, { token: "not-a-token" });
      assert.is(malformed.status, 404);
      assert.is(malformed.body.description, "Not Found");
      const stranger = await callMethod(emulator, "getMe", {}, { token: `42:${"z".repeat(35)}` });
      assert.is(stranger.status, 401);
      assert.is(stranger.body.description, "Unauthorized");
      assert.is((await callMethod(emulator, "getMe")).status, 200);
    },
    { tokens: [TOKEN] },
  );
});

test("without a token list any well-formed token is accepted", async () => {
  await withEmulator(async (emulator) => {
    assert.is(
      (await callMethod(emulator, "getMe", {}, { token: `42:${"z".repeat(35)}` })).status,
      200,
    );
  });
});

test("method names ignore case, as Telegram's do", async () => {
  await withEmulator(async (emulator) => {
    assert.is((await callMethod(emulator, "GETME")).status, 200);
  });
});

test("parameters arrive by query string, urlencoded form or JSON, GET or POST", async () => {
  await withEmulator(async (emulator) => {
    const user = startedUser(emulator);
    const base = `${emulator.apiRoot}/bot${TOKEN}/sendMessage`;
    const byQuery = await fetch(`${base}?chat_id=${user.id}&text=by+query`);
    const byForm = await fetch(base, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        chat_id: String(user.id),
        text: "by form",
        reply_markup: JSON.stringify({ inline_keyboard: [[{ text: "A", callback_data: "a" }]] }),
      }),
    });
    assert.is(byQuery.status, 200);
    assert.is(byForm.status, 200);
    await resultOf(emulator, "sendMessage", { chat_id: String(user.id), text: "by JSON" });
    assert.equal(
      user.inbox().map((message) => message.text),
      ["by query", "by form", "by JSON"],
    );
    assert.is(user.inbox()[1]?.inlineKeyboard[0]?.[0]?.text, "A");
  });
});

test("a parameter of the wrong kind or a body that is not JSON is 400", async () => {
  await withEmulator(async (emulator) => {
    const wrongKind = await callMethod(emulator, "getUpdates", { limit: "many" });
    assert.is(wrongKind.status, 400);
    assert.is(wrongKind.body.description, `Bad Request: parameter "limit" must be an integer`);
    const response = await fetch(`${emulator.apiRoot}/bot${TOKEN}/getMe`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{oops",
    });
    assert.is(response.status, 400);
  });
});

test("failNext makes exactly the next call of that method fail, with no effect", async () => {
  await withEmulator(async (emulator) => {
    const user = startedUser(emulator);
    emulator.failNext("sendMessage", { error_code: 502, description: "Bad Gateway" });
    const failed = await callMethod(emulator, "sendMessage", { chat_id: user.id, text: "lost" });
    assert.is(failed.status, 502);
    assert.equal(failed.body, { ok: false, error_code: 502, description: "Bad Gateway" });
    assert.equal(user.inbox(), []);
    assert.ok(
      (await callMethod(emulator, "sendMessage", { chat_id: user.id, text: "kept" })).body.ok,
    );
    assert.is(user.inbox().length, 1);
  });
});

test("with flood control on, a second send to one chat within a second is 429 with retry_after", async () => {
  await withEmulator(async (emulator) => {
    const first = startedUser(emulator, 1);
    const second = startedUser(emulator, 2);
    emulator.setRateLimit({ perChatPerSecond: 1, globalPerSecond: 30 });
    assert.ok(
      (await callMethod(emulator, "sendMessage", { chat_id: first.id, text: "1" })).body.ok,
    );
    const limited = await callMethod(emulator, "sendMessage", { chat_id: first.id, text: "2" });
    assert.is(limited.status, 429);
    assert.is(limited.body.description, "Too Many Requests: retry after 1");
    assert.equal(limited.body.parameters, { retry_after: 1 });
    assert.ok(
      (await callMethod(emulator, "sendMessage", { chat_id: second.id, text: "1" })).body.ok,
    );
    emulator.setRateLimit(null);
    assert.ok(
      (await callMethod(emulator, "sendMessage", { chat_id: first.id, text: "3" })).body.ok,
    );
  });
});

test("paths outside the Bot API, the files and the sandbox are 404", async () => {
  await withEmulator(async (emulator) => {
    const response = await fetch(`${emulator.apiRoot}/nothing/here`);
    assert.is(response.status, 404);
  });
});

test.run();
