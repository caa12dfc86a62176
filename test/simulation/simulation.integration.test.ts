import { suite } from "uvu";
import * as assert from "uvu/assert";
import {
  type DeliberateBug,
  runSimulation,
  type SimulationResult,
} from "../../scripts/simulation/simulator.ts";

/** Real nodes on simulated time: about a third of a second per seed on one core. */
const SEEDS = 120;
const STEPS = 2000;
/** 3- and 5-node clusters alternate, as in a campaign. */
const alternating = (seed: number) => (seed % 2 === 0 ? 5 : 3);

function failuresOf(results: SimulationResult[]): string {
  return results
    .filter((result) => !result.ok)
    .map((result) => `seed ${result.seed}: ${result.violation}\n  replay: ${result.replayCommand}`)
    .join("\n");
}

const campaign = suite("simulated clusters of real nodes under faults");

campaign(
  `${SEEDS} seeds of ${STEPS} steps (3 and 5 nodes) keep every safety property and the control plane's invariants, and recover once faults heal`,
  async () => {
    const results: SimulationResult[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) {
      results.push(await runSimulation({ seed, nodeCount: alternating(seed), steps: STEPS }));
    }
    const failed = failuresOf(results);
    assert.is(failed, "", failed);
    // The faults really happened: a campaign without them would prove nothing.
    const total = (pick: (result: SimulationResult) => number) =>
      results.reduce((sum, result) => sum + pick(result), 0);
    assert.ok(total((r) => r.stats.crashes) > SEEDS, "crashes were injected");
    assert.ok(total((r) => r.stats.writesLostInCrashes) > SEEDS / 2, "crashes lost writes");
    assert.ok(total((r) => r.stats.storeOutages) > SEEDS, "Redis went down");
    assert.ok(total((r) => r.stats.configsRehomed) > 0, "bans re-homed configs");
    assert.ok(total((r) => r.stats.suspensions) > 0, "users were suspended for their traffic");
    assert.ok(total((r) => r.stats.protocolsClosed) > 0, "ban checks closed protocols");
    assert.ok(total((r) => r.stats.commandsApplied) > SEEDS * 50, "commands were accepted");
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

campaign(
  "a short campaign joins, promotes, demotes and removes members, by hand and by the autopilot's plan, with every property kept",
  async () => {
    const results: SimulationResult[] = [];
    for (let seed = 1001; seed <= 1012; seed++) {
      results.push(await runSimulation({ seed, nodeCount: alternating(seed), steps: STEPS }));
    }
    const failed = failuresOf(results);
    assert.is(failed, "", failed);
    const total = (pick: (result: SimulationResult) => number) =>
      results.reduce((sum, result) => sum + pick(result), 0);
    assert.ok(total((r) => r.stats.joins) > 0, "spares joined as learners");
    assert.ok(total((r) => r.stats.promotions) > 0, "learners were promoted");
    assert.ok(total((r) => r.stats.demotions) > 0, "voters were demoted");
    assert.ok(total((r) => r.stats.removals) > 0, "members were removed");
    assert.ok(total((r) => r.stats.autopilotSteps) > 0, "the autopilot's plan changed membership");
  },
);

campaign(
  "a leader crashed and restarted by the leader check itself is judged by its new incarnation's commit index",
  async () => {
    // These seeds once reported a commit index going down: the check kept the
    // crashed leader's index under the restarted node's incarnation.
    const results: SimulationResult[] = [];
    for (const seed of [2911, 3317, 3393, 3409])
      results.push(await runSimulation({ seed, nodeCount: 3, steps: 2000 }));
    const failed = failuresOf(results);
    assert.is(failed, "", failed);
  },
);

campaign("a run is fully determined by its seed", async () => {
  const first = await runSimulation({ seed: 77, nodeCount: 5, steps: 800 });
  const second = await runSimulation({ seed: 77, nodeCount: 5, steps: 800 });
  assert.equal(first, second);
  const other = await runSimulation({ seed: 78, nodeCount: 5, steps: 800 });
  assert.not.equal(first.stats, other.stats);
});

campaign.run();

const teeth = suite("the simulator catches a deliberately broken core or node");

/** Runs seeds until the bug is caught; returns the failing result, or undefined. */
async function hunt(
  bug: DeliberateBug,
  maxSeeds: number,
  nodeCountOf: (seed: number) => number = alternating,
): Promise<SimulationResult | undefined> {
  for (let seed = 1; seed <= maxSeeds; seed++) {
    const result = await runSimulation({
      seed,
      nodeCount: nodeCountOf(seed),
      steps: STEPS,
      bug,
    });
    if (!result.ok) return result;
  }
  return undefined;
}

teeth(
  "skipping the vote when persisting is caught: a vote granted before Redis holds it",
  async () => {
    const caught = await hunt("skip-persisting-vote", 20);
    assert.ok(caught, "not caught within 20 seeds");
    assert.match(caught.violation ?? "", /granted its vote .* before Redis held it/);
  },
);

teeth("answering before the write is durable is caught as the answer leaves", async () => {
  const caught = await hunt("answer-before-persist", 20);
  assert.ok(caught, "not caught within 20 seeds");
  assert.match(caught.violation ?? "", /before Redis held/);
});

teeth("granting votes to stale logs elects leaders without committed entries", async () => {
  const caught = await hunt("grant-vote-to-stale-log", 20);
  assert.ok(caught, "not caught within 20 seeds");
  assert.match(
    caught.violation ?? "",
    /leader completeness|state machine safety|conflicts with committed/,
  );
});

teeth(
  "a leader counting its own entries before they are durable loses a committed entry in a crash",
  async () => {
    // Needs a crash that loses the leader's write right after such a commit, and then the crashed
    // leader's vote for the follower that lacks the entry. Three nodes need no other fault for that:
    // about one 3-node seed in nine catches it, seed 42 first (alternating with 5-node ones, seed 20).
    const caught = await hunt("count-own-entries-before-durable", 60, () => 3);
    assert.ok(caught, "not caught within 60 seeds");
    assert.match(caught.violation ?? "", /leader completeness|state machine safety/);
  },
);

teeth("a follower applying entries before they are committed is caught", async () => {
  const caught = await hunt("apply-before-commit", 20);
  assert.ok(caught, "not caught within 20 seeds");
});

teeth("a failing seed names the command that replays it", async () => {
  const caught = await hunt("grant-vote-to-stale-log", 20);
  assert.ok(caught);
  assert.match(
    caught.replayCommand,
    /^npm run sim -- --seed \d+ --nodes [35] --steps 2000 --bug grant-vote-to-stale-log$/,
  );
  const replayed = await runSimulation({
    seed: caught.seed,
    nodeCount: alternating(caught.seed),
    steps: STEPS,
    bug: "grant-vote-to-stale-log",
  });
  assert.is(replayed.violation, caught.violation);
});

teeth.run();
