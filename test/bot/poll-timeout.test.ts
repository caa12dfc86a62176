import { test } from "uvu";
import * as assert from "uvu/assert";
import { pollTimeoutSecondsFor } from "../../bot/poll-timeout.ts";

test("a poll ends, with a margin, before a new leader's first poll", () => {
  assert.is(pollTimeoutSecondsFor(300), 0, "the tests' 300 ms election timeout: short polls");
  assert.is(pollTimeoutSecondsFor(1000), 0, "the default 1 s: short polls");
  assert.is(pollTimeoutSecondsFor(1200), 1);
  assert.is(pollTimeoutSecondsFor(5000), 4);
  for (const waitMs of [100, 999, 1199, 1200, 2500, 10_000])
    assert.ok(pollTimeoutSecondsFor(waitMs) * 1000 < waitMs, `${waitMs} ms`);
});

test("the timeout never exceeds the bound it is given", () => {
  assert.is(pollTimeoutSecondsFor(60_000), 25);
  assert.is(pollTimeoutSecondsFor(60_000, 5), 5);
  assert.is(pollTimeoutSecondsFor(0), 0);
});

test.run();
