import { test } from "uvu";
import * as assert from "uvu/assert";
import { pacedSends, REPLY_PACING, SendPacer } from "../../bot/send-pacer.ts";

test("a config's three messages go out at once; a fourth to the same chat waits a second", () => {
  const pacer = new SendPacer();
  assert.equal(
    [0, 1, 2, 3].map(() => pacer.reserve("7", 0)),
    [0, 0, 0, 1000],
  );
});

test("overall, a burst of 20 passes and then 30 messages a second, whatever the chats", () => {
  const pacer = new SendPacer();
  const slots = Array.from({ length: 50 }, (_, chat) => pacer.reserve(String(chat), 0));
  assert.ok(slots.slice(0, REPLY_PACING.global.burst).every((atMs) => atMs === 0));
  assert.ok(Math.abs(slots[49]! - 1000) < 1e-6, `the 50th at ${slots[49]} ms`);
});

test("the transformer holds a message until its slot and lets other calls through at once", async () => {
  let nowMs = 0;
  const calls: string[] = [];
  const transformer = pacedSends(new SendPacer(), new AbortController().signal, () => nowMs);
  const prev = async (method: string) => {
    calls.push(`${method}@${nowMs}`);
    return { ok: true as const, result: true };
  };
  for (let message = 0; message < 3; message++)
    await transformer(prev as never, "sendMessage", { chat_id: 7, text: "hi" } as never);
  const held = transformer(prev as never, "sendMessage", { chat_id: 7, text: "hi" } as never);
  await transformer(prev as never, "answerCallbackQuery", { callback_query_id: "1" } as never);
  assert.equal(calls, ["sendMessage@0", "sendMessage@0", "sendMessage@0", "answerCallbackQuery@0"]);
  nowMs = 1000;
  await held;
  assert.is(calls.at(-1), "sendMessage@1000");
});

test("a message waiting for its slot goes on at once when the session ends", async () => {
  const session = new AbortController();
  const transformer = pacedSends(new SendPacer(), session.signal);
  const prev = async () => ({ ok: true as const, result: true });
  for (let message = 0; message < 3; message++)
    await transformer(prev as never, "sendDocument", { chat_id: "7" } as never);
  const startedAt = performance.now();
  const held = transformer(prev as never, "sendDocument", { chat_id: "7" } as never);
  session.abort();
  await held;
  assert.ok(performance.now() - startedAt < 500, "the wait ended with the session");
});

test.run();
