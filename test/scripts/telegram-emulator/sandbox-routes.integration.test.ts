import { test } from "uvu";
import * as assert from "uvu/assert";
import type { TelegramEmulator } from "../../../scripts/telegram-emulator/emulator.ts";
import { resultOf, TOKEN, withEmulator } from "./support/emulator-fixture.ts";
import { greyPng } from "./support/png.ts";

interface SandboxAnswer<Value> {
  status: number;
  json: { ok: boolean; value: Value; error?: { code: string; message: string } };
}

/** One sandbox call; `Value` is the shape the test expects in `value` when it succeeds. */
async function sandbox<Value = unknown>(
  emulator: TelegramEmulator,
  path: string,
  body?: unknown,
): Promise<SandboxAnswer<Value>> {
  const response = await fetch(`${emulator.apiRoot}/sandbox/${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, json: (await response.json()) as SandboxAnswer<Value>["json"] };
}

test("GET / serves the chat page: plain HTML with its script inline and no external assets", async () => {
  await withEmulator(async (emulator) => {
    const response = await fetch(emulator.url);
    assert.is(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
    const html = await response.text();
    assert.match(html, /<script>/);
    assert.match(html, /\/sandbox\//);
    assert.not.match(html, /<script src=|<link [^>]*href="http/);
  });
});

test("the page's endpoints create a user, write to the bot and show both sides of the chat", async () => {
  await withEmulator(async (emulator) => {
    const created = await sandbox<{ user: { id: number } }>(emulator, "users", {
      id: 501,
      first_name: "Reza",
      language_code: "fa",
    });
    assert.is(created.status, 200);
    assert.is(created.json.value.user.id, 501);
    const sent = await sandbox<{ messageId: number }>(emulator, "users/501/messages", {
      text: "/config",
    });
    assert.is(sent.json.value.messageId, 1);
    await resultOf(emulator, "sendMessage", {
      chat_id: 501,
      text: "Choose a region",
      reply_markup: { inline_keyboard: [[{ text: "Germany", callback_data: "region:de" }]] },
    });
    const chat = await sandbox<{ messages: { sender: string; text: string }[] }>(
      emulator,
      "users/501/chat",
    );
    assert.equal(
      chat.json.value.messages.map((message) => [message.sender, message.text]),
      [
        ["user", "/config"],
        ["bot", "Choose a region"],
      ],
    );
    const pressed = await sandbox(emulator, "users/501/presses", {
      message_id: 2,
      callback_data: "region:de",
    });
    assert.is(pressed.status, 200);
    const status = await sandbox<{ pending_updates: number; polling: boolean }>(emulator, "status");
    assert.is(status.json.value.pending_updates, 2);
    assert.is(status.json.value.polling, false);
    const users = await sandbox<{ users: { id: number; language_code: string }[] }>(
      emulator,
      "users",
    );
    assert.equal(
      users.json.value.users.map((user) => [user.id, user.language_code]),
      [[501, "fa"]],
    );
  });
});

test("the page's endpoints refuse bad input with a code and a message", async () => {
  await withEmulator(async (emulator) => {
    const badUser = await sandbox(emulator, "users", { id: -1, first_name: "" });
    assert.is(badUser.status, 400);
    assert.is(badUser.json.error?.code, "BAD_REQUEST");
    assert.match(badUser.json.error?.message ?? "", /id/);
    const unknown = await sandbox(emulator, "users/77/chat");
    assert.is(unknown.status, 404);
    assert.is(unknown.json.error?.code, "UNKNOWN_USER");
    await sandbox(emulator, "users", { id: 78, first_name: "Olga" });
    const noButton = await sandbox(emulator, "users/78/presses", {
      message_id: 1,
      callback_data: "x",
    });
    assert.is(noButton.status, 400);
    assert.is(noButton.json.error?.code, "MESSAGE_NOT_FOUND");
    assert.is((await sandbox(emulator, "users/78/nothing")).status, 404);
  });
});

test("creating a user with an id that is taken is refused and leaves that user as it was", async () => {
  await withEmulator(async (emulator) => {
    await sandbox(emulator, "users", { id: 5, first_name: "Ann", language_code: "fa" });
    const again = await sandbox(emulator, "users", {
      id: 5,
      first_name: "Bob",
      language_code: "en",
    });
    assert.is(again.status, 409);
    assert.is(again.json.error?.code, "USER_EXISTS");
    assert.match(again.json.error?.message ?? "", /user 5 \(Ann\) exists already/);
    const { json } = await sandbox<{
      users: { id: number; first_name: string; language_code: string }[];
    }>(emulator, "users");
    assert.equal(
      json.value.users.map((user) => [user.id, user.first_name, user.language_code]),
      [[5, "Ann", "fa"]],
    );
  });
});

test("block and unblock from the page change what the bot gets", async () => {
  await withEmulator(async (emulator) => {
    await sandbox(emulator, "users", { id: 9, first_name: "Ivan" });
    await sandbox(emulator, "users/9/messages", { text: "/start" });
    assert.is(
      (await sandbox<{ blocked: boolean }>(emulator, "users/9/block", {})).json.value.blocked,
      true,
    );
    const refused = await sandbox(emulator, "users/9/messages", { text: "hi" });
    assert.is(refused.json.error?.code, "USER_BLOCKED_BOT");
    assert.is(
      (await sandbox<{ blocked: boolean }>(emulator, "users/9/unblock", {})).json.value.blocked,
      false,
    );
  });
});

test("documents download as attachments with their name, photos inline as images", async () => {
  await withEmulator(async (emulator) => {
    await sandbox(emulator, "users", { id: 3, first_name: "Ann" });
    await sandbox(emulator, "users/3/messages", { text: "/config" });
    const form = new FormData();
    form.append("chat_id", "3");
    form.append("photo", new Blob([greyPng(2, 2)]), "qr.png");
    const photoAnswer = await fetch(`${emulator.apiRoot}/bot${TOKEN}/sendPhoto`, {
      method: "POST",
      body: form,
    });
    const photoId = ((await photoAnswer.json()) as { result: { photo: { file_id: string }[] } })
      .result.photo[0]!.file_id;
    const documentForm = new FormData();
    documentForm.append("chat_id", "3");
    documentForm.append("document", new Blob(["[Interface]\n"]), "nexaloak-de.conf");
    const documentAnswer = await fetch(`${emulator.apiRoot}/bot${TOKEN}/sendDocument`, {
      method: "POST",
      body: documentForm,
    });
    const documentId = (
      (await documentAnswer.json()) as { result: { document: { file_id: string } } }
    ).result.document.file_id;

    const photo = await fetch(`${emulator.apiRoot}/sandbox/files/${photoId}`);
    assert.is(photo.headers.get("content-type"), "image/png");
    assert.match(photo.headers.get("content-disposition") ?? "", /^inline/);
    assert.ok(Buffer.from(await photo.arrayBuffer()).equals(greyPng(2, 2)));
    const document = await fetch(`${emulator.apiRoot}/sandbox/files/${documentId}`);
    assert.is(
      document.headers.get("content-disposition"),
      "attachment; filename*=UTF-8''nexaloak-de.conf",
    );
    assert.is(await document.text(), "[Interface]\n");
    assert.is((await fetch(`${emulator.apiRoot}/sandbox/files/nope`)).status, 404);
  });
});

test.run();
