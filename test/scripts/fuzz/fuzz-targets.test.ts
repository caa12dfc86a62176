/**
 * A short fuzzing budget in every test run: each parser that meets
 * untrusted bytes takes a quarter of a second of generated and mutated input
 * without breaking. `npm run fuzz -- --seconds N` runs the same targets longer.
 */
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fuzzTargets } from "../../../scripts/fuzz/fuzz-targets.ts";
import { runFuzzTarget } from "../../../scripts/fuzz/run-fuzz-target.ts";

const BUDGET_MS = 250;

for (const target of fuzzTargets) {
  test(`${target.name} survives ${BUDGET_MS} ms of fuzzing`, async () => {
    const run = await runFuzzTarget(target, { milliseconds: BUDGET_MS, seed: 20261205 });
    assert.ok(run.executions >= 200, `only ${run.executions} inputs ran`);
    assert.equal(run.crashes, [], JSON.stringify(run.crashes[0]));
  });
}

test("the fuzzer finds and reports an input that breaks a target", async () => {
  const run = await runFuzzTarget(
    {
      name: "breaks on a colon",
      inputs: fc.string({ maxLength: 8 }),
      run: (text) => {
        if (String(text).includes(":")) throw new Error("colon");
      },
    },
    { milliseconds: BUDGET_MS, seed: 1 },
  );
  assert.ok(run.crashes.length > 0, "no crash found");
  assert.match(String(run.crashes[0]?.input), ":");
});

test.run();
