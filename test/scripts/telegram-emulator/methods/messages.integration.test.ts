import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  BOT_ID,
  callMethod,
  resultOf,
  startedUser,
  withEmulator,
} from "../support/emulator-fixture.ts";

interface MessageLike {
  message_id: number;
  from: { id: number; is_bot: boolean };
  chat: { id: number; type: string };
  text?: string;
  entities?: unknown[];
  edit_date?: number;
  reply_markup?: { inline_keyboard: { text: string; callback_data?: string }[][] };
  reply_to_message?: { message_id: number };
}

const keyboard = {
  inline_keyboard: [[{ text: "Get a config", callback_data: "config:get" }]],
};

test("sendMessage answers with the message and the user's inbox shows it with its buttons", async () => {
  await withEmulator(async (emulator) => {
    const user = startedUser(emulator);
    const sent = await resultOf<MessageLike>(emulator, "sendMessage", {
      chat_id: user.id,
      text: "Welcome",
      reply_markup: keyboard,
    });
    assert.is(sent.text, "Welcome");
    assert.is(sent.from.id, BOT_ID);
    assert.ok(sent.from.is_bot);
    assert.equal(sent.chat, {
      id: user.id,
      type: "private",
      first_name: "Ann",
      username: "ann_user",
    });
    assert.equal(sent.reply_markup, keyboard);
    const [received] = user.inbox();
    assert.is(received?.messageId, sent.message_id);
    assert.is(received?.text, "Welcome");
    assert.equal(received?.inlineKeyboard, keyboard.inline_keyboard);
  });
});

test("message ids are shared by both sides of the chat, as in a private chat", async () => {
  await withEmulator(async (emulator) => {
    const user = startedUser(emulator);
    const reply = await resultOf<MessageLike>(emulator, "sendMessage", {
      chat_id: user.id,
      text: "hi",
    });
    const next = user.send("thanks");
    assert.is(reply.message_id, 2, "the user's /start was message 1");
    assert.is(next.messageId, 3);
  });
});

test("pressing an inline button delivers a callback_query with the message and the data", async () => {
  await withEmulator(async (emulator) => {
    const user = startedUser(emulator);
    const sent = await resultOf<MessageLike>(emulator, "sendMessage", {
      chat_id: user.id,
      text: "Pick one",
      reply_markup: keyboard,
    });
    await resultOf(emulator, "deleteWebhook", { drop_pending_updates: true });
    const pressed = user.press(sent.message_id, "config:get");
    const [update] = await resultOf<
      {
        update_id: number;
        callback_query: { id: string; data: string; from: { id: number }; message: MessageLike };
      }[]
    >(emulator, "getUpdates");
    assert.is(update?.update_id, pressed.updateId);
    assert.is(update?.callback_query.id, pressed.callbackQueryId);
    assert.is(update?.callback_query.data, "config:get");
    assert.is(update?.callback_query.from.id, user.id);
    assert.is(update?.callback_query.message.message_id, sent.message_id);
  });
});

test("pressing a button the message does not have, or under a message that does not exist, is refused", async () => {
  await withEmulator(async (emulator) => {
    const user = startedUser(emulator);
    const sent = await resultOf<MessageLike>(emulator, "sendMessage", {
      chat_id: user.id,
      text: "Pick one",
      reply_markup: keyboard,
    });
    assert.throws(() => user.press(sent.message_id, "config:delete"), /no button/);
    assert.throws(() => user.press(999, "config:get"), /no message 999/);
    assert.throws(() => user.press(1, "config:get"), /no message 1 from the bot/);
  });
});

test("sendMessage refuses a chat that never wrote to the bot, empty and overlong text", async () => {
  await withEmulator(async (emulator) => {
    emulator.user(5, { first_name: "Silent" });
    const cases: [Record<string, unknown>, string][] = [
      [{ chat_id: 5, text: "hi" }, "Bad Request: chat not found"],
      [{ chat_id: 404, text: "hi" }, "Bad Request: chat not found"],
      [{ text: "hi" }, "Bad Request: chat_id is empty"],
    ];
    startedUser(emulator, 6);
    cases.push(
      [{ chat_id: 6 }, "Bad Request: message text is empty"],
      [{ chat_id: 6, text: "   " }, "Bad Request: message text is empty"],
      [{ chat_id: 6, text: "x".repeat(4097) }, "Bad Request: message is too long"],
      [{ chat_id: 6, text: "hi", parse_mode: "Bogus" }, "Bad Request: unsupported parse_mode"],
      [
        { chat_id: 6, text: "hi", reply_markup: "{not json" },
        "Bad Request: can't parse reply keyboard markup JSON object",
      ],
      [
        { chat_id: 6, text: "hi", reply_to_message_id: 77 },
        "Bad Request: message to be replied not found",
      ],
    );
    for (const [params, description] of cases) {
      const answer = await callMethod(emulator, "sendMessage", params);
      assert.is(answer.status, 400, JSON.stringify(params));
      assert.is(answer.body.description, description);
      assert.is(answer.body.error_code, 400);
    }
    assert.ok(
      (await callMethod(emulator, "sendMessage", { chat_id: 6, text: "x".repeat(4096) })).body.ok,
    );
  });
});

test("inline buttons are validated as Telegram does", async () => {
  await withEmulator(async (emulator) => {
    const user = startedUser(emulator);
    const invalid: [unknown, string][] = [
      [
        { inline_keyboard: [[{ text: "no action" }]] },
        "text buttons are unallowed in the inline keyboard",
      ],
      [
        { inline_keyboard: [[{ text: "long", callback_data: "x".repeat(65) }]] },
        "BUTTON_DATA_INVALID",
      ],
      [{ inline_keyboard: [[{ text: "link", url: "javascript:alert(1)" }]] }, "BUTTON_URL_INVALID"],
      [
        { inline_keyboard: [{ text: "not a row" }] },
        `field "inline_keyboard" must be an Array of Arrays`,
      ],
    ];
    for (const [markup, detail] of invalid) {
      const answer = await callMethod(emulator, "sendMessage", {
        chat_id: user.id,
        text: "x",
        reply_markup: markup,
      });
      assert.is(answer.body.description, `Bad Request: ${detail}`);
    }
  });
});

test("parse_mode HTML becomes plain text with entities; a crossed tag is refused", async () => {
  await withEmulator(async (emulator) => {
    const user = startedUser(emulator);
    const sent = await resultOf<MessageLike>(emulator, "sendMessage", {
      chat_id: user.id,
      text: "<b>Server</b> &lt;de-1&gt;",
      parse_mode: "HTML",
    });
    assert.is(sent.text, "Server <de-1>");
    assert.equal(sent.entities, [{ offset: 0, length: 6, type: "bold" }]);
    const crossed = await callMethod(emulator, "sendMessage", {
      chat_id: user.id,
      text: "<b><i>x</b></i>",
      parse_mode: "HTML",
    });
    assert.is(crossed.status, 400);
    assert.match(crossed.body.description ?? "", /^Bad Request: can't parse entities/);
  });
});

test("a reply keyboard is shown to the user and a one-time keyboard goes away after they answer", async () => {
  await withEmulator(async (emulator) => {
    const user = startedUser(emulator);
    await resultOf(emulator, "sendMessage", {
      chat_id: user.id,
      text: "Region?",
      reply_markup: { keyboard: [["Germany", { text: "Finland" }]], one_time_keyboard: true },
    });
    assert.equal(user.keyboard()?.rows, [["Germany", "Finland"]]);
    user.send("Finland");
    assert.is(user.keyboard(), null);
    await resultOf(emulator, "sendMessage", {
      chat_id: user.id,
      text: "Menu",
      reply_markup: { keyboard: [["Help"]] },
    });
    await resultOf(emulator, "sendMessage", {
      chat_id: user.id,
      text: "Bye",
      reply_markup: { remove_keyboard: true },
    });
    assert.is(user.keyboard(), null);
  });
});

test("reply_parameters points the bot's message at the user's", async () => {
  await withEmulator(async (emulator) => {
    const user = startedUser(emulator);
    const sent = await resultOf<MessageLike>(emulator, "sendMessage", {
      chat_id: user.id,
      text: "Got it",
      reply_parameters: { message_id: 1 },
    });
    assert.is(sent.reply_to_message?.message_id, 1);
    assert.is(user.inbox()[0]?.replyToMessageId, 1);
  });
});

test("editMessageText changes the text in place, drops buttons it does not repeat, and refuses a no-op", async () => {
  await withEmulator(async (emulator) => {
    const user = startedUser(emulator);
    const sent = await resultOf<MessageLike>(emulator, "sendMessage", {
      chat_id: user.id,
      text: "Choose",
      reply_markup: keyboard,
    });
    const edited = await resultOf<MessageLike>(emulator, "editMessageText", {
      chat_id: user.id,
      message_id: sent.message_id,
      text: "Chosen",
    });
    assert.is(edited.text, "Chosen");
    assert.ok(edited.edit_date !== undefined);
    assert.is(edited.reply_markup, undefined);
    const [inInbox] = user.inbox();
    assert.is(inInbox?.text, "Chosen");
    assert.ok(inInbox?.edited);
    assert.equal(inInbox?.inlineKeyboard, []);
    const again = await callMethod(emulator, "editMessageText", {
      chat_id: user.id,
      message_id: sent.message_id,
      text: "Chosen",
    });
    assert.is(again.status, 400);
    assert.match(again.body.description ?? "", /^Bad Request: message is not modified/);
  });
});

test("edits are refused for missing messages, the user's messages and inline message ids", async () => {
  await withEmulator(async (emulator) => {
    const user = startedUser(emulator);
    const cases: [Record<string, unknown>, string][] = [
      [{ chat_id: user.id, message_id: 50, text: "x" }, "Bad Request: message to edit not found"],
      [{ chat_id: user.id, message_id: 1, text: "x" }, "Bad Request: message can't be edited"],
      [{ chat_id: user.id, text: "x" }, "Bad Request: message identifier is not specified"],
      [{ inline_message_id: "abc", text: "x" }, "Bad Request: MESSAGE_ID_INVALID"],
    ];
    for (const [params, description] of cases) {
      assert.is(
        (await callMethod(emulator, "editMessageText", params)).body.description,
        description,
      );
    }
  });
});

test("editMessageReplyMarkup swaps the buttons and accepts only an inline keyboard", async () => {
  await withEmulator(async (emulator) => {
    const user = startedUser(emulator);
    const sent = await resultOf<MessageLike>(emulator, "sendMessage", {
      chat_id: user.id,
      text: "Revoke?",
      reply_markup: keyboard,
    });
    const confirm = { inline_keyboard: [[{ text: "Yes", callback_data: "revoke:yes" }]] };
    const edited = await resultOf<MessageLike>(emulator, "editMessageReplyMarkup", {
      chat_id: user.id,
      message_id: sent.message_id,
      reply_markup: confirm,
    });
    assert.equal(edited.reply_markup, confirm);
    assert.is(user.inbox()[0]?.text, "Revoke?");
    const wrongKind = await callMethod(emulator, "editMessageReplyMarkup", {
      chat_id: user.id,
      message_id: sent.message_id,
      reply_markup: { keyboard: [["a"]] },
    });
    assert.is(wrongKind.body.description, "Bad Request: inline keyboard expected");
  });
});

test("deleteMessage removes the message from the inbox; a second delete is refused", async () => {
  await withEmulator(async (emulator) => {
    const user = startedUser(emulator);
    const sent = await resultOf<MessageLike>(emulator, "sendMessage", {
      chat_id: user.id,
      text: "bye",
    });
    assert.is(
      await resultOf(emulator, "deleteMessage", { chat_id: user.id, message_id: sent.message_id }),
      true,
    );
    assert.equal(user.inbox(), []);
    const again = await callMethod(emulator, "deleteMessage", {
      chat_id: user.id,
      message_id: sent.message_id,
    });
    assert.is(again.body.description, "Bad Request: message to delete not found");
  });
});

test("deleteMessage removes a message the user sent, as bots may in a private chat", async () => {
  await withEmulator(async (emulator) => {
    const user = startedUser(emulator);
    const secret = user.send("/probes add thr1 https://thr1.example token-0123456789abcdef");
    assert.ok(user.hasMessage(secret.messageId));
    assert.is(
      await resultOf(emulator, "deleteMessage", { chat_id: user.id, message_id: secret.messageId }),
      true,
    );
    assert.not.ok(user.hasMessage(secret.messageId));
    assert.not.ok(user.hasMessage(999), "a message that never existed is not there either");
  });
});

test("sendChatAction accepts Telegram's actions only", async () => {
  await withEmulator(async (emulator) => {
    const user = startedUser(emulator);
    assert.is(
      await resultOf(emulator, "sendChatAction", { chat_id: user.id, action: "upload_document" }),
      true,
    );
    const wrong = await callMethod(emulator, "sendChatAction", {
      chat_id: user.id,
      action: "dancing",
    });
    assert.is(wrong.body.description, "Bad Request: wrong parameter action in request");
  });
});

test("a user who blocked the bot makes every send fail with 403 until they unblock it", async () => {
  await withEmulator(async (emulator) => {
    const user = startedUser(emulator);
    user.block();
    const blocked = await callMethod(emulator, "sendMessage", {
      chat_id: user.id,
      text: "are you there?",
    });
    assert.is(blocked.status, 403);
    assert.equal(blocked.body, {
      ok: false,
      error_code: 403,
      description: "Forbidden: bot was blocked by the user",
    });
    assert.throws(() => user.send("hi"), /blocked the bot/);
    user.unblock();
    assert.ok(
      (await callMethod(emulator, "sendMessage", { chat_id: user.id, text: "welcome back" })).body
        .ok,
    );
    const memberUpdates = emulator
      .pendingUpdates()
      .flatMap((update) =>
        "my_chat_member" in update ? [update.my_chat_member.new_chat_member.status] : [],
      );
    assert.equal(memberUpdates, ["kicked", "member"]);
  });
});

test.run();
