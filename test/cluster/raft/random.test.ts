import { test } from "uvu";
import * as assert from "uvu/assert";
import { seededRandom } from "../../../cluster/raft/random.ts";

function draw(seed: number, count: number, maxExclusive: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => random.nextInt(maxExclusive));
}

test("the same seed gives the same sequence", () => {
  assert.equal(draw(42, 100, 1000), draw(42, 100, 1000));
});

test("different seeds give different sequences", () => {
  assert.not.equal(draw(1, 20, 1_000_000), draw(2, 20, 1_000_000));
});

test("seeds are taken as 32-bit unsigned integers", () => {
  assert.equal(draw(-1, 10, 1000), draw(2 ** 32 - 1, 10, 1000));
});

test("every value lies in [0, n) and every value of a small range turns up", () => {
  const values = draw(7, 2000, 10);
  for (const value of values) {
    assert.ok(Number.isInteger(value) && value >= 0 && value < 10, `${value}`);
  }
  const counts = new Array<number>(10).fill(0);
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  for (const [value, count] of counts.entries()) {
    assert.ok(count > 120 && count < 280, `value ${value} drawn ${count} times of 2000`);
  }
});

test("a range of one always gives 0", () => {
  assert.equal(draw(3, 5, 1), [0, 0, 0, 0, 0]);
});

test.run();
