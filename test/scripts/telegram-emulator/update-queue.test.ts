import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Message } from "../../../scripts/telegram-emulator/telegram-objects.ts";
import { UpdateQueue } from "../../../scripts/telegram-emulator/update-queue.ts";

function message(text: string): { message: Message } {
  const chat = { id: 1, type: "private" as const, first_name: "A" };
  return {
    message: {
      message_id: 1,
      from: { id: 1, is_bot: false, first_name: "A" },
      chat,
      date: 0,
      text,
    },
  };
}

function idsOf(queue: UpdateQueue): number[] {
  return queue.peek(100).map((update) => update.update_id);
}

test("ids start at the configured value and only grow", () => {
  const queue = new UpdateQueue(10);
  for (const text of ["a", "b", "c"]) queue.enqueue(message(text));
  assert.equal(idsOf(queue), [10, 11, 12]);
});

test("a positive offset forgets every update below it; 0 forgets nothing", () => {
  const queue = new UpdateQueue(1);
  for (const text of ["a", "b", "c"]) queue.enqueue(message(text));
  queue.confirm(0);
  assert.equal(idsOf(queue), [1, 2, 3]);
  queue.confirm(3);
  assert.equal(idsOf(queue), [3]);
  queue.confirm(100);
  assert.equal(idsOf(queue), []);
  assert.is(queue.enqueue(message("d")).update.update_id, 4, "confirming never resets ids");
});

test("a negative offset keeps only the last -offset updates", () => {
  const queue = new UpdateQueue(1);
  for (const text of ["a", "b", "c", "d"]) queue.enqueue(message(text));
  queue.confirm(-1);
  assert.equal(idsOf(queue), [4]);
});

test("updates of a type the bot did not allow are dropped but still use up an id", () => {
  const queue = new UpdateQueue(1);
  queue.allow(["callback_query"]);
  const dropped = queue.enqueue(message("a"));
  assert.is(dropped.queued, false);
  assert.is(queue.size, 0);
  queue.allow([]);
  assert.is(queue.enqueue(message("b")).update.update_id, 2);
  assert.is(queue.size, 1);
});

test.run();
