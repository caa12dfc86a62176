import { test } from "uvu";
import * as assert from "uvu/assert";
import { ReadOnlyQueue } from "../../../cluster/raft/read-only.ts";

test("acks are counted per request, each member once", () => {
  const queue = new ReadOnlyQueue();
  queue.add(5, "n1", "r1");
  assert.is(queue.recordAck("n1", "r1"), 1);
  assert.is(queue.recordAck("n2", "r1"), 2);
  assert.is(queue.recordAck("n2", "r1"), 2, "a duplicate ack counts once");
  assert.equal([...(queue.acksOf("r1") ?? [])].sort(), ["n1", "n2"]);
});

test("an ack for an unknown request counts nothing", () => {
  const queue = new ReadOnlyQueue();
  assert.is(queue.recordAck("n2", "nope"), 0);
  assert.is(queue.acksOf("nope"), undefined);
});

test("a request added twice keeps its first read index", () => {
  const queue = new ReadOnlyQueue();
  queue.add(5, "n1", "r1");
  queue.add(9, "n2", "r1");
  const [released] = queue.releaseThrough("r1");
  assert.is(released?.index, 5);
  assert.is(released?.from, "n1");
});

test("confirming a request releases it and every earlier one, in order", () => {
  const queue = new ReadOnlyQueue();
  queue.add(3, "n1", "a");
  queue.add(4, "n2", "b");
  queue.add(6, "n3", "c");
  assert.is(queue.lastContext(), "c");
  const released = queue.releaseThrough("b");
  assert.equal(
    released.map((read) => [read.context, read.index, read.from]),
    [
      ["a", 3, "n1"],
      ["b", 4, "n2"],
    ],
  );
  assert.is(queue.lastContext(), "c");
  assert.equal(queue.releaseThrough("a"), [], "released requests are gone");
  assert.equal(
    queue.releaseThrough("c").map((read) => read.context),
    ["c"],
  );
  assert.is(queue.lastContext(), undefined);
});

test("clear drops every pending request", () => {
  const queue = new ReadOnlyQueue();
  queue.add(1, "n1", "a");
  queue.add(2, "n1", "b");
  queue.clear();
  assert.is(queue.lastContext(), undefined);
  assert.equal(queue.releaseThrough("b"), []);
  assert.is(queue.recordAck("n2", "a"), 0);
});

test.run();
