import { test } from "uvu";
import * as assert from "uvu/assert";
import { callMethod, resultOf, startedUser, withEmulator } from "../support/emulator-fixture.ts";

async function pressedButton(emulator: Parameters<typeof startedUser>[0]) {
  const user = startedUser(emulator);
  const sent = await resultOf<{ message_id: number }>(emulator, "sendMessage", {
    chat_id: user.id,
    text: "Revoke this config?",
    reply_markup: { inline_keyboard: [[{ text: "Yes", callback_data: "revoke:yes" }]] },
  });
  return { user, pressed: user.press(sent.message_id, "revoke:yes") };
}

test("answerCallbackQuery shows its text to the user who pressed", async () => {
  await withEmulator(async (emulator) => {
    const { user, pressed } = await pressedButton(emulator);
    assert.is(
      await resultOf(emulator, "answerCallbackQuery", {
        callback_query_id: pressed.callbackQueryId,
        text: "Revoked",
        show_alert: true,
      }),
      true,
    );
    assert.equal(user.callbackAnswers(), [
      { callbackQueryId: pressed.callbackQueryId, text: "Revoked", showAlert: true },
    ]);
  });
});

test("a query is answered once; an unknown id or overlong text is refused", async () => {
  await withEmulator(async (emulator) => {
    const { pressed } = await pressedButton(emulator);
    const tooLong = await callMethod(emulator, "answerCallbackQuery", {
      callback_query_id: pressed.callbackQueryId,
      text: "x".repeat(201),
    });
    assert.is(tooLong.body.description, "Bad Request: MESSAGE_TOO_LONG");
    assert.is(
      await resultOf(emulator, "answerCallbackQuery", {
        callback_query_id: pressed.callbackQueryId,
      }),
      true,
    );
    const expired =
      "Bad Request: query is too old and response timeout expired or query ID is invalid";
    for (const id of [pressed.callbackQueryId, "12345"]) {
      const answer = await callMethod(emulator, "answerCallbackQuery", { callback_query_id: id });
      assert.is(answer.status, 400);
      assert.is(answer.body.description, expired);
    }
  });
});

test.run();
