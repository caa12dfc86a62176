import { test } from "uvu";
import * as assert from "uvu/assert";
import { cell, formatTable, quantile, ratio, summarize } from "../../../scripts/bench/stats.ts";

test("quantiles use the nearest rank: p50 of 1..10 is 5, p90 is 9, p99 is 10", () => {
  const sorted = Array.from({ length: 10 }, (_, i) => i + 1);
  assert.is(quantile(sorted, 0.5), 5);
  assert.is(quantile(sorted, 0.9), 9);
  assert.is(quantile(sorted, 0.99), 10);
  assert.is(quantile(sorted, 0), 1);
  assert.ok(Number.isNaN(quantile([], 0.5)));
});

test("summarize sorts its input and reports count, extremes and quantiles", () => {
  assert.equal(summarize([30, 10, 20]), { count: 3, min: 10, p50: 20, p90: 30, p99: 30, max: 30 });
  const empty = summarize([]);
  assert.is(empty.count, 0);
  assert.ok(Number.isNaN(empty.p50));
});

test("cells and ratios show unknown values as a dash", () => {
  assert.is(cell(1.234), "1.2");
  assert.is(cell(Number.NaN), "-");
  assert.is(ratio(50, 100), "0.50x");
  assert.is(ratio(50, 0), "-");
});

test("a table pads text left-aligned and numbers right-aligned under a rule", () => {
  const table = formatTable(
    ["system", "ops/s"],
    [
      ["nexaloak", "950.0"],
      ["etcd", "12000.0"],
    ],
  );
  assert.is(
    table,
    ["system    ops/s", "--------  -------", "nexaloak    950.0", "etcd      12000.0"].join("\n"),
  );
});

test.run();
