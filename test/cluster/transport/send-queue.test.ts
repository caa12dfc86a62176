import { test } from "uvu";
import * as assert from "uvu/assert";
import { encodeMessage } from "../../../cluster/transport/frame.ts";
import { SendQueue } from "../../../cluster/transport/send-queue.ts";

const message = encodeMessage({ type: "heartbeat", from: "n1", to: "n2", term: 1 });

test("messages are queued while they fit and returned oldest first", () => {
  const queue = new SendQueue(message.bytes * 3);
  const second = encodeMessage({ type: "heartbeat", from: "n1", to: "n2", term: 2 });
  assert.ok(queue.offer(message, 0));
  assert.ok(queue.offer(second, 0));
  assert.is(queue.length, 2);
  assert.is(queue.bytes, message.bytes + second.bytes);
  assert.equal(queue.takeAll(), [message, second]);
  assert.is(queue.length, 0);
  assert.is(queue.bytes, 0);
});

test("a message that would push queue plus socket buffer past the limit is refused", () => {
  const queue = new SendQueue(message.bytes * 2);
  assert.ok(queue.offer(message, 0));
  assert.not.ok(queue.offer(message, 1), "one byte still unwritten by the socket tips it over");
  assert.ok(queue.offer(message, 0));
  assert.not.ok(queue.offer(message, 0), "the queue alone is full");
  assert.is(queue.length, 2);
});

test("a socket already holding the limit refuses everything", () => {
  const queue = new SendQueue(1024);
  assert.not.ok(queue.offer(message, 1024));
  assert.is(queue.length, 0);
});

test("a message larger than the limit alone goes only when nothing else waits: a snapshot of a large state", () => {
  const queue = new SendQueue(message.bytes - 1);
  assert.not.ok(queue.offer(message, 1), "the socket still writes");
  assert.ok(queue.offer(message, 0), "idle: it goes");
  assert.not.ok(queue.offer(message, 0), "nothing more behind it");
  assert.is(queue.length, 1);
});

test.run();
