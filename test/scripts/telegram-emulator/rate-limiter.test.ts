import { test } from "uvu";
import * as assert from "uvu/assert";
import { SendRateLimiter } from "../../../scripts/telegram-emulator/rate-limiter.ts";

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

test("no limits admit everything", () => {
  const limiter = new SendRateLimiter({});
  for (let sendNumber = 0; sendNumber < 100; sendNumber++) assert.is(limiter.admit(1, 0), 0);
});

test.run();
