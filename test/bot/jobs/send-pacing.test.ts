import { test } from "uvu";
import * as assert from "uvu/assert";
import { SendPacing } from "../../../bot/jobs/send-pacing.ts";

test("one chat gets at most one message a second", () => {
  const pacing = new SendPacing({ globalPerSecond: 30, perChatPerSecond: 1 });
  assert.is(pacing.reserve("7", 1, 0), 0);
  assert.is(pacing.reserve("7", 1, 0), 1000);
  assert.is(pacing.reserve("7", 1, 10), 2000);
});

test("an entry of several messages holds its chat for as many seconds", () => {
  const pacing = new SendPacing({ globalPerSecond: 30, perChatPerSecond: 1 });
  assert.is(pacing.reserve("7", 4, 0), 0);
  assert.is(pacing.reserve("7", 1, 0), 4000);
});

test("across chats the overall rate holds: thirty a second", () => {
  const pacing = new SendPacing({ globalPerSecond: 30, perChatPerSecond: 1 });
  const slots = Array.from({ length: 61 }, (_, chat) => pacing.reserve(String(chat), 1, 0));
  assert.is(slots[0], 0);
  assert.ok(Math.abs(slots[30]! - 1000) < 1e-6);
  assert.ok(Math.abs(slots[60]! - 2000) < 1e-6);
});

test("a chat's next entry, seconds ahead, does not hold other chats behind it", () => {
  const pacing = new SendPacing({ globalPerSecond: 30, perChatPerSecond: 1 });
  assert.is(pacing.reserve("7", 4, 0), 0, "a user's first serverChanged notice");
  assert.is(pacing.reserve("7", 4, 2000), 4000, "their second, scheduled once within reach");
  const turnMs = 2000 + (4 * 1000) / 30;
  assert.ok(
    Math.abs(pacing.reserve("8", 4, 2000) - turnMs) < 1e-6,
    "another user's notice follows the four messages counted in its turn, not the ones at 4000",
  );
});

test("time that passed is not owed: a quiet chat is served at once", () => {
  const pacing = new SendPacing({ globalPerSecond: 30, perChatPerSecond: 1 });
  pacing.reserve("7", 1, 0);
  assert.is(pacing.reserve("7", 1, 5000), 5000);
  assert.is(pacing.nextFor("8", 5000), 5000 + 1000 / 30);
});

test("a delivery that starts early is held until a chat gap after the chat's last one really went out", () => {
  const pacing = new SendPacing({ globalPerSecond: 30, perChatPerSecond: 1 });
  // Scheduled at 0 and 1000, but the first job was picked up 150 ms late.
  assert.is(pacing.startSend("7", 1, 150), 150);
  assert.is(pacing.startSend("7", 1, 1000), 1150);
  assert.is(pacing.startSend("8", 1, 1000), 1000);
});

test("a delivery of several messages holds its chat's next one for as many seconds", () => {
  const pacing = new SendPacing({ globalPerSecond: 30, perChatPerSecond: 1 });
  pacing.startSend("7", 3, 0);
  assert.is(pacing.startSend("7", 1, 2500), 3000);
  assert.is(pacing.startSend("7", 1, 9000), 9000);
});

test.run();
