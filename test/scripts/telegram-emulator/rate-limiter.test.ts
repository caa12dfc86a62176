import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  SendRateLimiter,
  TELEGRAM_FLOOD_LIMITS,
} from "../../../scripts/telegram-emulator/rate-limiter.ts";

test("one send per chat per second: the second within the window waits, others chats do not", () => {
  const limiter = new SendRateLimiter({ perChatPerSecond: 1 });
  assert.is(limiter.admit(1, 0), 0);
  assert.is(limiter.admit(1, 400), 1, "retry after 1 s");
  assert.is(limiter.admit(2, 400), 0);
  assert.is(limiter.admit(1, 1000), 0, "the window has passed");
});

test("the global limit counts every chat and a refused send is not counted", () => {
  const limiter = new SendRateLimiter({ globalPerSecond: 2 });
  assert.is(limiter.admit(1, 0), 0);
  assert.is(limiter.admit(2, 1), 0);
  assert.is(limiter.admit(3, 2), 1);
  assert.is(limiter.admit(3, 1000), 0, "only the two admitted sends counted");
});

test("retry_after rounds the wait up to whole seconds", () => {
  const limiter = new SendRateLimiter({ perChatPerSecond: 1 });
  limiter.admit(1, 0);
  assert.is(limiter.admit(1, 1), 1);
  const slow = new SendRateLimiter({ globalPerSecond: 1 });
  slow.admit(1, 0);
  assert.is(slow.admit(1, 999), 1);
});

test("a short burst to one chat passes, then the chat gets one send a second", () => {
  const limiter = new SendRateLimiter(TELEGRAM_FLOOD_LIMITS);
  for (let sendNumber = 0; sendNumber < 4; sendNumber++)
    assert.is(limiter.admit(1, 0), 0, `send ${sendNumber + 1} of the burst`);
  assert.is(limiter.admit(1, 10), 1, "the fifth at once is refused");
  assert.is(limiter.admit(1, 1000), 0, "a second later one more fits");
  assert.is(limiter.admit(1, 1100), 1);
});

test("overall, 30 sends pass at once and then 30 a second", () => {
  const limiter = new SendRateLimiter(TELEGRAM_FLOOD_LIMITS);
  for (let chatId = 1; chatId <= 30; chatId++) assert.is(limiter.admit(chatId, 0), 0);
  assert.is(limiter.admit(31, 0), 1);
  let admitted = 0;
  for (let atMs = 1; atMs <= 1000; atMs++) if (limiter.admit(100 + atMs, atMs) === 0) admitted++;
  assert.is(admitted, 30, "the rate once the burst is spent");
});

test("no limits admit everything", () => {
  const limiter = new SendRateLimiter({});
  for (let sendNumber = 0; sendNumber < 100; sendNumber++) assert.is(limiter.admit(1, 0), 0);
});

test.run();
