import { test } from "uvu";
import * as assert from "uvu/assert";
import { nextResetAt, periodStartAt } from "../../../cluster/fsm/traffic-period.ts";

const at = (text: string) => Date.parse(text);

test("a period starts at 00:00 UTC on the reset day of this month once that day has come", () => {
  assert.is(periodStartAt(at("2026-03-15T12:00:00Z"), 1), at("2026-03-01T00:00:00Z"));
  assert.is(periodStartAt(at("2026-03-15T00:00:00Z"), 15), at("2026-03-15T00:00:00Z"));
  assert.is(nextResetAt(at("2026-03-15T00:00:00Z"), 15), at("2026-04-15T00:00:00Z"));
});

test("before the reset day the period started last month, across a year too", () => {
  assert.is(periodStartAt(at("2026-03-14T23:59:59Z"), 15), at("2026-02-15T00:00:00Z"));
  assert.is(periodStartAt(at("2026-01-10T08:00:00Z"), 28), at("2025-12-28T00:00:00Z"));
  assert.is(nextResetAt(at("2026-01-10T08:00:00Z"), 28), at("2026-01-28T00:00:00Z"));
  assert.is(nextResetAt(at("2026-12-31T23:00:00Z"), 1), at("2027-01-01T00:00:00Z"));
});

test("day 28 exists in February, so every month has its reset", () => {
  assert.is(periodStartAt(at("2026-02-28T00:00:00Z"), 28), at("2026-02-28T00:00:00Z"));
  assert.is(nextResetAt(at("2026-02-28T00:00:00Z"), 28), at("2026-03-28T00:00:00Z"));
});

test.run();
