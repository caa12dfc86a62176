import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RandomSource } from "../../../cluster/raft/types.ts";
import { drawn, pickOne } from "../../../scripts/simulation/random-choice.ts";

function rolling(value: number): RandomSource {
  return { nextInt: (maxExclusive) => Math.min(value, maxExclusive - 1) };
}

test("a weighted choice takes each choice for its share of the rolls, in order", () => {
  const choices = [
    ["a", 50],
    ["b", 30],
    ["c", 20],
  ] as const;
  assert.equal(
    [0, 49, 50, 79, 80, 99].map((roll) => drawn(rolling(roll), choices)),
    ["a", "a", "b", "b", "c", "c"],
  );
  assert.throws(() => drawn(rolling(99), [["a", 50]] as const), /add up to less than 100/);
});

test("picking one of no items gives nothing", () => {
  assert.is(pickOne(rolling(0), []), undefined);
  assert.is(pickOne(rolling(2), ["a", "b", "c"]), "c");
});

test.run();
