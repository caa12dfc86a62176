import { test } from "uvu";
import * as assert from "uvu/assert";
import { isFilteredPosition, serverCapacity } from "../../../scripts/bench/ban-check-fleet.ts";

function filteredAmong(servers: number, percent: number): number[] {
  return Array.from({ length: servers }, (_, position) => position).filter((position) =>
    isFilteredPosition(position, percent),
  );
}

test("5 % of 1 000 servers are filtered: exactly 50, one in every 20", () => {
  const filtered = filteredAmong(1000, 5);
  assert.is(filtered.length, 50);
  assert.ok(filtered.every((position, i) => i === 0 || position - filtered[i - 1]! === 20));
});

test("0 % filters no server and 100 % filters every one", () => {
  assert.equal(filteredAmong(100, 0), []);
  assert.is(filteredAmong(100, 100).length, 100);
});

test("a fractional share is spread over the fleet: 2.5 % of 200 servers is 5", () => {
  assert.is(filteredAmong(200, 2.5).length, 5);
});

test("servers have room for twice their fair share of configs, and at least 4", () => {
  assert.is(serverCapacity({ servers: 1000, configs: 10_000 }), 20);
  assert.is(serverCapacity({ servers: 3, configs: 10 }), 8);
  assert.is(serverCapacity({ servers: 100, configs: 1 }), 4);
});

test.run();
