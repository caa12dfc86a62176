import { test } from "uvu";
import * as assert from "uvu/assert";
import { UpdateProgress } from "../../bot/update-progress.ts";
import { sleep } from "../../shared/sleep.ts";

function progressAt(graceMs: number) {
  const clock = { nowMs: 1000 };
  return { progress: new UpdateProgress(graceMs, () => clock.nowMs), clock };
}

test("before anything arrives there is no offset: Telegram answers from its own position", () => {
  const { progress } = progressAt(3000);
  assert.is(progress.pollPosition().offset, undefined);
  assert.not.ok(progress.pollPosition().unsettled);
});

test("the offset stays at the oldest update until it has committed and been answered", () => {
  const { progress } = progressAt(3000);
  assert.equal(progress.receive([5, 6]), [5, 6]);
  assert.is(progress.pollPosition().offset, 5);
  progress.committed(5);
  progress.committed(6);
  assert.is(progress.pollPosition().offset, 5, "committed but not answered");
  progress.answered(6);
  assert.is(progress.pollPosition().offset, 5, "a later answer does not confirm an earlier update");
  progress.answered(5);
  assert.is(progress.pollPosition().offset, 7);
  assert.not.ok(progress.pollPosition().unsettled);
});

test("updates already being handled that come back with new ones are not handed out twice", () => {
  const { progress } = progressAt(3000);
  progress.receive([5, 6]);
  assert.equal(progress.receive([5, 6, 7, 8]), [7, 8]);
  progress.answered(5);
  assert.is(progress.pollPosition().offset, 6);
  assert.ok(progress.pollPosition().unsettled);
});

test("an answer held up longer than the grace no longer holds the offset once its effect committed", () => {
  const { progress, clock } = progressAt(30);
  progress.receive([7]);
  clock.nowMs += 100;
  assert.is(progress.pollPosition().offset, 7, "not committed: the grace has not even started");
  progress.committed(7);
  clock.nowMs += 29;
  assert.is(progress.pollPosition().offset, 7);
  clock.nowMs += 1;
  assert.is(progress.pollPosition().offset, 8);
});

test("time an answer waits behind other chats' messages in the session's pacing does not count towards the grace", () => {
  const { progress, clock } = progressAt(30);
  progress.receive([7, 8]);
  progress.committed(7);
  progress.committed(8);
  progress.pacedUntil(7, clock.nowMs + 10_000);
  progress.pacedUntil(7, clock.nowMs + 5000);
  clock.nowMs += 10_029;
  assert.is(progress.pollPosition().offset, 7, "its last slot was 29 ms ago");
  clock.nowMs += 1;
  assert.is(progress.pollPosition().offset, 9, "stuck for the grace after its slot");
});

test("an uncommitted update holds the offset however long it takes", () => {
  const { progress, clock } = progressAt(1);
  progress.receive([8, 9]);
  progress.answered(9);
  clock.nowMs += 60_000;
  assert.is(progress.pollPosition().offset, 8);
  progress.answered(8);
  assert.is(progress.pollPosition().offset, 10, "an answered update is committed too");
});

test("nextChange resolves at the next commit or answer, or after its wait", async () => {
  const { progress } = progressAt(3000);
  progress.receive([1]);
  let changed = false;
  const waiting = progress.nextChange(10_000).then(() => {
    changed = true;
  });
  await sleep(5);
  assert.not.ok(changed);
  progress.committed(1);
  await waiting;
  assert.ok(changed);
  const startedAt = Date.now();
  await progress.nextChange(20);
  assert.ok(Date.now() - startedAt >= 15, "nothing changed: it waited");
});

test("an update is confirmed once a poll asking past it was answered, not before", async () => {
  const { progress } = progressAt(3000);
  progress.receive([4, 5]);
  const session = new AbortController();
  const waiting = progress.untilConfirmed(5, 10_000, session.signal);
  assert.ok(progress.confirmationWanted(), "the next poll should not linger");
  progress.polled(5);
  let confirmed: boolean | undefined;
  void waiting.then((value) => {
    confirmed = value;
  });
  await sleep(5);
  assert.is(confirmed, undefined, "a poll from 5 confirms 4, not 5");
  progress.polled(6);
  assert.is(await waiting, true);
  assert.not.ok(progress.confirmationWanted());
  assert.is(await progress.untilConfirmed(5, 10_000, session.signal), true, "already confirmed");
});

test("waiting for a confirmation ends false after its bound or when the session ends", async () => {
  const { progress } = progressAt(3000);
  const session = new AbortController();
  assert.is(await progress.untilConfirmed(9, 20, session.signal), false, "no poll in time");
  const waiting = progress.untilConfirmed(9, 10_000, session.signal);
  session.abort();
  assert.is(await waiting, false);
  assert.not.ok(progress.confirmationWanted(), "a waiter that gave up wants nothing");
});

test.run();
