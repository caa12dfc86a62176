import { test } from "uvu";
import * as assert from "uvu/assert";
import { runRollingUpgradeScenario } from "./rolling-upgrade.ts";

/** Seeds whose members are all voter candidates (every third seed names only some). */
const SEEDS = [1, 2, 4, 5, 7, 8, 10, 11];

test("upgrading the followers first and the leader last, through leader restarts: the earlier release leads while any of it runs, and nothing stops or diverges", async () => {
  for (const seed of SEEDS) {
    const result = await runRollingUpgradeScenario("leader-last", seed);
    assert.ok(result.ok, `seed ${seed}: ${result.violation}`);
    assert.ok(result.stats.proposalsAcknowledged > 20, String(result.stats.proposalsAcknowledged));
  }
});

test("upgrading the leader first: a member of the earlier release takes over, and the upgrade still ends converged", async () => {
  for (const seed of SEEDS) {
    const result = await runRollingUpgradeScenario("leader-first", seed);
    assert.ok(result.ok, `seed ${seed}: ${result.violation}`);
  }
});

test.run();
