import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  mergeSlices,
  roundOrders,
  roundRatioRange,
} from "../../../scripts/bench/interleaved-rounds.ts";

test("every system runs once per round, and each takes every position in turn", () => {
  const orders = roundOrders(3, 3);
  assert.equal(orders, [
    [0, 1, 2],
    [1, 2, 0],
    [2, 0, 1],
  ]);
  for (const order of orders) assert.equal([...order].sort(), [0, 1, 2]);
});

test("more rounds than systems keep rotating", () => {
  assert.equal(roundOrders(2, 3), [
    [0, 1],
    [1, 0],
    [0, 1],
  ]);
});

test("merged slices give throughput over the summed time and latency over every write", () => {
  const merged = mergeSlices([
    { acknowledged: 100, errors: 0, elapsedMs: 1000, samplesMs: [1, 2, 3] },
    { acknowledged: 300, errors: 2, elapsedMs: 1000, samplesMs: [4, 5] },
  ]);
  assert.is(merged.acknowledged, 400);
  assert.is(merged.opsPerSecond, 200);
  assert.is(merged.errors, 2);
  assert.is(merged.latencyMs.count, 5);
  assert.is(merged.latencyMs.p50, 3);
  assert.is(merged.latencyMs.max, 5);
  assert.equal(merged.opsPerSecondByRound, [100, 300]);
});

test("no slices: throughput unknown rather than zero", () => {
  assert.ok(Number.isNaN(mergeSlices([]).opsPerSecond));
});

test("the round ratio range shows how far the comparison moved", () => {
  assert.is(roundRatioRange([200, 300, 150], [100, 200, 100]), "1.50-2.00x");
  assert.is(roundRatioRange([], []), "-");
  assert.is(roundRatioRange([100], [0]), "-");
});

test.run();
