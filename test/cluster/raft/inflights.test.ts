import { test } from "uvu";
import * as assert from "uvu/assert";
import { Inflights } from "../../../cluster/raft/inflights.ts";

test("the window is full at the message limit", () => {
  const inflights = new Inflights(3, 0);
  inflights.add(1, 10);
  inflights.add(2, 10);
  assert.not.ok(inflights.full());
  inflights.add(3, 10);
  assert.ok(inflights.full());
  assert.is(inflights.count, 3);
});

test("the window is full at the byte limit, whatever the count", () => {
  const inflights = new Inflights(100, 25);
  inflights.add(1, 10);
  inflights.add(2, 10);
  assert.not.ok(inflights.full());
  inflights.add(3, 5);
  assert.ok(inflights.full(), "25 of 25 bytes in flight");
});

test("a byte limit of 0 means no byte limit", () => {
  const inflights = new Inflights(2, 0);
  inflights.add(1, 1_000_000);
  assert.not.ok(inflights.full());
});

test("an acknowledgement frees every message up to its index, and only those", () => {
  const inflights = new Inflights(10, 100);
  for (const lastIndex of [3, 5, 9, 12]) inflights.add(lastIndex, 20);
  inflights.freeUpTo(6);
  assert.is(inflights.count, 2, "the messages ending at 3 and 5 are freed");
  inflights.freeUpTo(6);
  assert.is(inflights.count, 2, "freeing again changes nothing");
  inflights.freeUpTo(2);
  assert.is(inflights.count, 2, "a stale acknowledgement changes nothing");
  inflights.add(13, 50);
  assert.not.ok(inflights.full(), "the freed bytes are released: 20 + 20 + 50 of 100 in flight");
});

test("freed messages give their bytes back", () => {
  const inflights = new Inflights(10, 100);
  inflights.add(1, 60);
  inflights.add(2, 40);
  assert.ok(inflights.full());
  inflights.freeUpTo(1);
  assert.not.ok(inflights.full(), "60 bytes freed, 40 in flight");
  inflights.add(3, 59);
  assert.not.ok(inflights.full(), "99 of 100 bytes");
  inflights.add(4, 1);
  assert.ok(inflights.full());
});

test("freeFirst frees exactly the oldest message", () => {
  const inflights = new Inflights(3, 0);
  inflights.add(4, 1);
  inflights.add(7, 1);
  inflights.add(8, 1);
  inflights.freeFirst();
  assert.is(inflights.count, 2);
  inflights.freeUpTo(7);
  assert.is(inflights.count, 1, "the message ending at 7 was still in flight");
});

test("freeFirst on an empty window does nothing", () => {
  const inflights = new Inflights(3, 0);
  inflights.freeFirst();
  assert.is(inflights.count, 0);
  assert.not.ok(inflights.full());
});

test("reset empties the window and its bytes", () => {
  const inflights = new Inflights(2, 10);
  inflights.add(1, 10);
  inflights.add(2, 10);
  inflights.reset();
  assert.is(inflights.count, 0);
  inflights.add(3, 9);
  assert.not.ok(inflights.full());
});

test("a long-running window keeps its order and count across internal compaction", () => {
  const inflights = new Inflights(8, 0);
  let nextIndex = 1;
  for (let round = 0; round < 500; round++) {
    while (!inflights.full()) inflights.add(nextIndex++, 1);
    inflights.freeUpTo(nextIndex - 5);
    assert.is(inflights.count, 4, `round ${round}`);
  }
  inflights.freeUpTo(nextIndex - 2);
  assert.is(inflights.count, 1, "only the newest message is left");
});

test.run();
