import { test } from "uvu";
import * as assert from "uvu/assert";
import { sampleMemory } from "../../../scripts/bench/memory-sampler.ts";
import { sleep } from "../../../shared/sleep.ts";

test("the sampler samples at start, on its interval and at stop, and keeps the peaks", async () => {
  const sampler = sampleMemory(10);
  await sleep(100);
  const peaks = sampler.stop();
  assert.ok(peaks.samples >= 3, `${peaks.samples} samples`);
  assert.ok(peaks.rss >= peaks.heapUsed && peaks.heapUsed > 0);
});

test("a stopped sampler samples no more", async () => {
  const sampler = sampleMemory(5);
  const first = sampler.stop();
  await sleep(30);
  assert.is(sampler.stop().samples, first.samples + 1);
});

test.run();
