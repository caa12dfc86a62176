import { suite } from "uvu";
import * as assert from "uvu/assert";
import { type DeliberateBug, runSimulation, type SimulationResult } from "./simulator.ts";

const SEEDS = 500;
const STEPS = 2000;

function failuresOf(results: SimulationResult[]): string {
  return results
    .filter((result) => !result.ok)
    .map((result) => `seed ${result.seed}: ${result.violation}\n  replay: ${result.replayCommand}`)
    .join("\n");
}

const campaign = suite("simulated clusters under faults");

campaign(
  `${SEEDS} seeds of ${STEPS} steps (3 and 5 nodes) keep every safety property and recover once faults heal`,
  () => {
    const results: SimulationResult[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) {
      results.push(runSimulation({ seed, nodeCount: seed % 2 === 0 ? 5 : 3, steps: STEPS }));
    }
    const failed = failuresOf(results);
    assert.is(failed, "", failed);
    // The faults really happened: a campaign without them would prove nothing.
    const total = (pick: (result: SimulationResult) => number) =>
      results.reduce((sum, result) => sum + pick(result), 0);
    assert.ok(total((r) => r.stats.crashes) > SEEDS, "crashes were injected");
    assert.ok(total((r) => r.stats.messagesDropped) > SEEDS * 100, "messages were dropped");
    assert.ok(total((r) => r.stats.membershipChanges) > SEEDS, "membership changed");
    assert.ok(total((r) => r.stats.transfers) > SEEDS, "leadership was transferred");
    assert.ok(total((r) => r.stats.snapshotsSent) > SEEDS, "snapshots were installed");
    assert.ok(
      total((r) => r.stats.proposalsAcknowledged) > SEEDS * 100,
      "proposals were acknowledged",
    );
    assert.ok(total((r) => r.stats.readsServed) > SEEDS * 20, "linearizable reads were served");
  },
);

campaign("a run is fully determined by its seed", () => {
  const first = runSimulation({ seed: 77, nodeCount: 5, steps: 800 });
  const second = runSimulation({ seed: 77, nodeCount: 5, steps: 800 });
  assert.equal(first, second);
  const other = runSimulation({ seed: 78, nodeCount: 5, steps: 800 });
  assert.not.equal(first.stats, other.stats);
});

campaign.run();

const teeth = suite("the simulator catches a deliberately broken core");

/** Runs seeds until the bug is caught; returns the failing result, or undefined. */
function hunt(bug: DeliberateBug, maxSeeds: number): SimulationResult | undefined {
  for (let seed = 1; seed <= maxSeeds; seed++) {
    const result = runSimulation({ seed, nodeCount: seed % 2 === 0 ? 5 : 3, steps: STEPS, bug });
    if (!result.ok) return result;
  }
  return undefined;
}

teeth("skipping the vote when persisting lets two leaders win one term", () => {
  const caught = hunt("skip-persisting-vote", 400);
  assert.ok(caught, "not caught within 400 seeds");
  assert.match(
    caught.violation ?? "",
    /two leaders in term|state machine safety|leader completeness/,
  );
});

teeth("answering before the write is durable loses acknowledged state", () => {
  const caught = hunt("answer-before-persist", 200);
  assert.ok(caught, "not caught within 200 seeds");
});

teeth("granting votes to stale logs elects leaders without committed entries", () => {
  const caught = hunt("grant-vote-to-stale-log", 200);
  assert.ok(caught, "not caught within 200 seeds");
  assert.match(
    caught.violation ?? "",
    /leader completeness|state machine safety|conflicts with committed/,
  );
});

teeth("a failing seed names the command that replays it", () => {
  const caught = hunt("grant-vote-to-stale-log", 200);
  assert.ok(caught);
  assert.match(
    caught.replayCommand,
    /^npm run sim -- --seed \d+ --nodes [35] --steps 2000 --bug grant-vote-to-stale-log$/,
  );
  const replayed = runSimulation({
    seed: caught.seed,
    nodeCount: caught.seed % 2 === 0 ? 5 : 3,
    steps: STEPS,
    bug: "grant-vote-to-stale-log",
  });
  assert.is(replayed.violation, caught.violation);
});

teeth.run();
