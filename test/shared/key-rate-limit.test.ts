import { test } from "uvu";
import * as assert from "uvu/assert";
import { KeyRateLimit } from "../../shared/key-rate-limit.ts";

test("a burst per key, then the refill rate; keys do not share buckets", () => {
  let now = 0;
  const limit = new KeyRateLimit({ burst: 2, perSecond: 1, maxKeys: 10, clock: () => now });
  assert.ok(limit.take("a"));
  assert.ok(limit.take("a"));
  assert.not.ok(limit.take("a"));
  assert.ok(limit.take("b"), "another key has its own bucket");
  now = 999;
  assert.not.ok(limit.take("a"));
  now = 2000;
  assert.ok(limit.take("a"));
});

test("at most maxKeys buckets are kept; the least recently used goes first", () => {
  const now = 0;
  const limit = new KeyRateLimit({ burst: 1, perSecond: 0, maxKeys: 2, clock: () => now });
  assert.ok(limit.take("a"));
  assert.ok(limit.take("b"));
  assert.not.ok(limit.take("a"), "a is empty and now the most recently used");
  assert.ok(limit.take("c"), "c pushes out b");
  assert.ok(limit.take("b"), "b was forgotten and starts full");
});

test.run();
