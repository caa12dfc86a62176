import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Backoff, backoffDelayMs } from "../../shared/backoff.ts";

const options = { minDelayMs: 100, maxDelayMs: 5000 };

test("the first retry waits the minimum delay", () => {
  assert.is(
    backoffDelayMs(0, options, () => 0),
    100,
  );
  assert.is(
    backoffDelayMs(0, options, () => 0.999),
    100,
  );
});

test("the ceiling doubles per attempt and the delay stays in its upper half", () => {
  assert.is(
    backoffDelayMs(3, options, () => 0),
    400,
  );
  assert.is(
    backoffDelayMs(3, options, () => 0.5),
    600,
  );
  assert.is(
    backoffDelayMs(3, options, () => 0.999_999),
    800,
  );
});

test("the delay never exceeds the maximum, however many attempts failed", () => {
  assert.is(
    backoffDelayMs(10, options, () => 0.999_999),
    5000,
  );
  assert.is(
    backoffDelayMs(10_000, options, () => 0),
    2500,
  );
  assert.ok(Number.isFinite(backoffDelayMs(Number.MAX_SAFE_INTEGER, options, () => 0.5)));
});

test("every delay lies between the minimum and the maximum", () => {
  fc.assert(
    fc.property(
      fc.nat({ max: 100 }),
      fc.integer({ min: 1, max: 1000 }),
      fc.integer({ min: 0, max: 100_000 }),
      fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      (attempt, minDelayMs, extraMs, random) => {
        const maxDelayMs = minDelayMs + extraMs;
        const delayMs = backoffDelayMs(attempt, { minDelayMs, maxDelayMs }, () => random);
        return delayMs >= minDelayMs && delayMs <= maxDelayMs;
      },
    ),
    { numRuns: 500 },
  );
});

test("jitter spreads simultaneous dialers apart", () => {
  const delays = new Set([0, 0.25, 0.5, 0.75].map((r) => backoffDelayMs(4, options, () => r)));
  assert.is(delays.size, 4);
});

test("without jitter the delays double from the minimum to the maximum; reset starts over", () => {
  const backoff = new Backoff({ minDelayMs: 100, maxDelayMs: 1000 });
  assert.equal(
    Array.from({ length: 6 }, () => backoff.next()),
    [100, 200, 400, 800, 1000, 1000],
  );
  backoff.reset();
  assert.is(backoff.next(), 100);
});

test.run();
