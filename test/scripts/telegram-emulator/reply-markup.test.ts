import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseReplyMarkup } from "../../../scripts/telegram-emulator/reply-markup.ts";

test("an inline keyboard keeps its buttons as sent", () => {
  const rows = [
    [
      { text: "Get", callback_data: "get" },
      { text: "Site", url: "https://example.org" },
    ],
  ];
  assert.equal(parseReplyMarkup({ inline_keyboard: rows }), {
    ok: true,
    value: { kind: "inline_keyboard", rows },
  });
});

test("a reply keyboard becomes rows of labels, strings or objects alike", () => {
  assert.equal(
    parseReplyMarkup({
      keyboard: [["A", { text: "B" }]],
      one_time_keyboard: true,
      input_field_placeholder: "?",
    }),
    {
      ok: true,
      value: {
        kind: "reply_keyboard",
        keyboard: { rows: [["A", "B"]], oneTime: true, placeholder: "?" },
      },
    },
  );
});

test("remove_keyboard and force_reply are recognised; anything else is refused", () => {
  assert.equal(parseReplyMarkup({ remove_keyboard: true }), {
    ok: true,
    value: { kind: "remove_keyboard" },
  });
  assert.equal(parseReplyMarkup({ force_reply: true }), {
    ok: true,
    value: { kind: "force_reply" },
  });
  for (const raw of [null, [], "x", { something: 1 }]) {
    const result = parseReplyMarkup(raw);
    assert.ok(!result.ok);
    if (!result.ok) {
      assert.is(result.error.message, "can't parse reply keyboard markup JSON object");
    }
  }
});

test("a button needs exactly one action, callback data of 1 to 64 bytes, and a web or tg: link", () => {
  const refusals: [unknown, string][] = [
    [
      { text: "x", callback_data: "a", url: "https://a.b" },
      "inline keyboard button has more than one action: url, callback_data",
    ],
    [{ text: "", callback_data: "a" }, "inline keyboard button text must be non-empty"],
    [{ text: "x", callback_data: "" }, "BUTTON_DATA_INVALID"],
    [{ text: "x", callback_data: "ж".repeat(33) }, "BUTTON_DATA_INVALID"],
    [{ text: "x", url: "ftp://a.b" }, "BUTTON_URL_INVALID"],
  ];
  for (const [button, message] of refusals) {
    const result = parseReplyMarkup({ inline_keyboard: [[button]] });
    assert.ok(!result.ok);
    if (!result.ok) assert.is(result.error.message, message);
  }
  assert.ok(
    parseReplyMarkup({ inline_keyboard: [[{ text: "x", callback_data: "ж".repeat(32) }]] }).ok,
  );
  assert.ok(
    parseReplyMarkup({ inline_keyboard: [[{ text: "x", url: "tg://resolve?domain=a" }]] }).ok,
  );
});

test.run();
