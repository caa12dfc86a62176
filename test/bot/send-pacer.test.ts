import { test } from "uvu";
import * as assert from "uvu/assert";
import { pacedSends, REPLY_PACING, SendPacer } from "../../bot/send-pacer.ts";
import {
  SendRateLimiter,
  TELEGRAM_FLOOD_LIMITS,
} from "../../scripts/telegram-emulator/rate-limiter.ts";

/** Limits with room for a burst overall, to look at one chat's limit alone. */
const ROOMY = { global: { perSecond: 30, burst: 20 }, perChat: REPLY_PACING.perChat };

test("a chat takes a config's three messages at once; a fourth to the same chat waits a second", () => {
  const pacer = new SendPacer(ROOMY);
  assert.equal(
    [0, 1, 2, 3].map(() => pacer.reserveChat("7", 0)),
    [0, 0, 0, 1000],
  );
});

test("a chat a former leader may have just sent to gets one message at once and the rest a second apart; other chats keep their burst", () => {
  const pacer = new SendPacer(ROOMY);
  pacer.formerLeaderMaySendUntil("7", 0);
  assert.equal(
    [0, 1, 2, 3].map(() => pacer.reserveChat("7", 0)),
    [0, 1000, 2000, 3000],
  );
  assert.equal(
    [0, 1, 2].map(() => pacer.reserveChat("8", 0)),
    [0, 0, 0],
  );
  const later = new SendPacer(ROOMY);
  later.formerLeaderMaySendUntil("9", 0);
  assert.equal(
    [0, 1, 2].map(() => later.reserveChat("9", 1500)),
    [1500, 1500, 2000],
    "once the burst has partly refilled, part of it is there again",
  );
});

test("a former leader's full burst followed by this session's messages to the chat stays within Telegram's limit", () => {
  const telegram = new SendRateLimiter(TELEGRAM_FLOOD_LIMITS);
  for (let message = 0; message < REPLY_PACING.perChat.burst; message++)
    assert.is(telegram.admit(7, 0), 0, "the former leader's burst, just before it died");
  const pacer = new SendPacer(ROOMY);
  pacer.formerLeaderMaySendUntil("7", 0);
  for (let message = 0; message < 6; message++) {
    const atMs = pacer.reserveChat("7", 0);
    assert.is(telegram.admit(7, atMs), 0, `message ${message} at ${atMs} ms is admitted`);
  }
});

test("overall, one message at a time, 30 a second, whatever the chats: few are in flight when a leader dies", () => {
  const pacer = new SendPacer();
  const slots = Array.from({ length: 50 }, (_, chat) => {
    const chatMs = pacer.reserveChat(String(chat), 0);
    return pacer.reserveOverall(chatMs);
  });
  assert.is(REPLY_PACING.global.burst, 1);
  for (const [position, atMs] of slots.entries())
    assert.ok(Math.abs(atMs - (position * 1000) / 30) < 1e-6, `message ${position} at ${atMs} ms`);
});

test("a chat's backlog does not hold up other chats: the overall slot is taken once the chat's has come", () => {
  const pacer = new SendPacer();
  const flooded = Array.from({ length: 10 }, () => pacer.reserveChat("7", 0));
  assert.is(flooded.at(-1), 7000, "a user who asked ten times gets the last answer 7 s on");
  const readyNow = flooded.filter((atMs) => atMs === 0).map(() => pacer.reserveOverall(0));
  assert.is(readyNow.length, 3);
  const otherChatMs = pacer.reserveChat("8", 0);
  assert.is(otherChatMs, 0);
  assert.ok(
    Math.abs(pacer.reserveOverall(otherChatMs) - 100) < 1e-6,
    "another user's answer goes out after the three ready before it, not after the backlog",
  );
});

test("the transformer holds a message until its slot and lets other calls through at once", async () => {
  let nowMs = 0;
  const calls: string[] = [];
  const slots: number[] = [];
  const transformer = pacedSends(new SendPacer(ROOMY), new AbortController().signal, {
    clock: () => nowMs,
    onOverallSlot: (atMs) => slots.push(atMs),
  });
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
  assert.equal(
    slots,
    [0, 0, 0, 1000],
    "each message's overall slot is told before it waits for it",
  );
});

test("the transformer sends another chat's message while a flooded chat's messages wait", async () => {
  const session = new AbortController();
  const sent: string[] = [];
  const transformer = pacedSends(new SendPacer(), session.signal);
  const prev = async (_method: string, payload: { chat_id: number }) => {
    sent.push(String(payload.chat_id));
    return { ok: true as const, result: true };
  };
  try {
    const flooded = Array.from({ length: 5 }, () =>
      transformer(prev as never, "sendMessage", { chat_id: 7, text: "hi" } as never),
    );
    const startedAt = performance.now();
    await transformer(prev as never, "sendMessage", { chat_id: 8, text: "hi" } as never);
    assert.ok(performance.now() - startedAt < 500, "not held behind chat 7's backlog");
    assert.equal(sent, ["7", "7", "7", "8"]);
    session.abort();
    await Promise.all(flooded);
  } finally {
    session.abort();
  }
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
