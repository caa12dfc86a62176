import { test } from "uvu";
import * as assert from "uvu/assert";
import { UpdateProgress } from "../../bot/update-progress.ts";

/** Whether `promise` has settled after the current microtasks and one timer turn. */
async function isSettled(promise: Promise<void>): Promise<boolean> {
  let settled = false;
  void promise.then(() => {
    settled = true;
  });
  await new Promise((resolve) => setTimeout(resolve, 5));
  return settled;
}

test("with nothing received the next poll may start at once", async () => {
  assert.ok(await isSettled(new UpdateProgress().settled(10_000)));
});

test("the next poll waits until every received update has committed and been answered", async () => {
  const progress = new UpdateProgress();
  progress.receive([5, 6]);
  const settled = progress.settled(10_000);
  progress.committed(5);
  progress.committed(6);
  assert.not.ok(await isSettled(settled), "committed but not answered");
  progress.answered(5);
  assert.not.ok(await isSettled(settled), "one answer outstanding");
  progress.answered(6);
  assert.ok(await isSettled(settled));
});

test("an answer held up longer than the grace no longer holds the poll once everything committed", async () => {
  const progress = new UpdateProgress();
  progress.receive([7]);
  const settled = progress.settled(30);
  assert.not.ok(await isSettled(settled), "not committed: the grace has not even started");
  progress.committed(7);
  await new Promise((resolve) => setTimeout(resolve, 40));
  assert.ok(await isSettled(settled));
});

test("an uncommitted update holds the poll however long it takes", async () => {
  const progress = new UpdateProgress();
  progress.receive([8]);
  const settled = progress.settled(1);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.not.ok(await isSettled(settled));
  progress.answered(8);
  assert.ok(await isSettled(settled), "an answered update is committed too");
});

test.run();
