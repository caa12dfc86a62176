import { test } from "uvu";
import * as assert from "uvu/assert";
import { ProposalBatch } from "../../cluster/proposal-batch.ts";
import { sleep } from "../../shared/sleep.ts";

function recorder() {
  const batches: [string, number][][] = [];
  const propose = async (entries: [string, number][]) => {
    batches.push(entries);
  };
  return { batches, propose };
}

test("with no window, the entries of one synchronous run share a command, and it leaves at once", async () => {
  const { batches, propose } = recorder();
  const batch = new ProposalBatch<string, number>(propose, 0, 100);
  const first = batch.add([["a", 1]]);
  const second = batch.add([["b", 2]]);
  assert.is(first, second, "one batch");
  await first;
  assert.equal(batches, [
    [
      ["a", 1],
      ["b", 2],
    ],
  ]);
  await batch.add([["c", 3]]);
  assert.equal(batches.length, 2, "a later entry goes in a command of its own");
});

test("with a window, entries added within it join; a key added again keeps its last value", async () => {
  const { batches, propose } = recorder();
  const batch = new ProposalBatch<string, number>(propose, 30, 100);
  const done = batch.add([["a", 1]]);
  await sleep(5);
  void batch.add([
    ["b", 2],
    ["a", 3],
  ]);
  await done;
  assert.equal(batches, [
    [
      ["a", 3],
      ["b", 2],
    ],
  ]);
});

test("a batch larger than one command may carry goes out as several", async () => {
  const { batches, propose } = recorder();
  const batch = new ProposalBatch<string, number>(propose, 0, 2);
  await batch.add([
    ["a", 1],
    ["b", 2],
    ["c", 3],
  ]);
  assert.equal(
    batches.map((entries) => entries.length),
    [2, 1],
  );
});

test.run();
