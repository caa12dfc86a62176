import {
  type DeliberateBug,
  ScenarioSetupError,
  type Simulation,
  type SimulationResult,
} from "../../../scripts/simulation/simulator.ts";
import { runScriptedScenario } from "./scripted-run.ts";

/**
 * The Raft paper's Figure 8, scripted through the simulator: an entry of an
 * earlier term reaches a majority under a new leader, that leader crashes, and
 * a node holding a conflicting entry of a later term campaigns.
 *
 * With the current-term commit rule the entry is never counted as committed,
 * so nothing committed is overwritten. With `commit-old-term-by-counting` the
 * leader commits (and applies) it, and the simulator's safety checks must fail.
 */
export async function runFigure8Scenario(bug?: DeliberateBug): Promise<SimulationResult> {
  // One entry per append message, so an old entry can be acknowledged apart
  // from the new leader's no-op.
  const base = { seed: 3, nodeCount: 5, steps: 0, maxEntriesBytesPerMessage: 1, fastDisk: true };
  const options = bug ? { ...base, bug } : base;
  return runScriptedScenario(options, playFigure8);
}

function expectLeader(simulation: Simulation, id: string, step: string): void {
  const core = simulation.raftOf(id);
  if (core?.role !== "leader") {
    throw new ScenarioSetupError(`${step}: expected ${id} to lead, it is ${core?.role ?? "down"}`);
  }
}

/**
 * Campaigns until `id` leads, as its election timer would: a first pre-vote
 * may only teach it a term it missed. Returns whether it won.
 */
async function campaignUntilLeader(
  simulation: Simulation,
  id: string,
  attempts: number,
): Promise<boolean> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    await simulation.campaign(id);
    await simulation.advance(3);
    if (simulation.raftOf(id)?.role === "leader") return true;
    if (!simulation.raftOf(id)) return false;
  }
  return false;
}

/** Restarts nodes so they forget the leader they heard from (and its lease). */
async function bounce(simulation: Simulation, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    simulation.crash(id);
    await simulation.restart(id);
  }
}

async function playFigure8(simulation: Simulation): Promise<void> {
  // (a) n1 leads and replicates three entries to n2 only. (The first tick
  // applies the bootstrap membership; until then no one may campaign.)
  await simulation.advance(1);
  await simulation.campaign("n1");
  await simulation.advance(4);
  expectLeader(simulation, "n1", "(a)");
  const sharedIndex = simulation.raftOf("n1")!.log.lastIndex();
  simulation.partitionInto([
    ["n1", "n2"],
    ["n3", "n4", "n5"],
  ]);
  // Three at once: a leader holds later proposals until its batch in flight commits, and this
  // one never will (n1 and n2 are a minority).
  if (!(await simulation.proposeAt("n1", 3)))
    throw new ScenarioSetupError("(a): n1 refused a proposal");
  await simulation.advance(2);
  const oldEntryIndex = sharedIndex + 1;
  if (simulation.raftOf("n2")!.log.lastIndex() < sharedIndex + 3) {
    throw new ScenarioSetupError("(a): n2 did not receive n1's entries");
  }

  // (b) n1 crashes; n5 wins a later term with n3 and n4 but its appends are lost,
  // so its no-op at the same index stays on n5 alone.
  simulation.crash("n1");
  simulation.partitionInto([["n3", "n4", "n5"], ["n2"]]);
  await bounce(simulation, ["n3", "n4"]);
  simulation.mute("n5", ["app", "heartbeat", "snap"]);
  await simulation.campaign("n5");
  await simulation.advance(2);
  expectLeader(simulation, "n5", "(b)");
  const n5Log = simulation.raftOf("n5")!.log;
  if (n5Log.lastIndex() !== oldEntryIndex) {
    throw new ScenarioSetupError(
      `(b): n5's no-op is at ${n5Log.lastIndex()}, expected ${oldEntryIndex}`,
    );
  }

  // (c) n5 crashes; n1 returns and leads a still later term. n2 has its old
  // entries; n3 and n4 get only the first of them, never the ones after it
  // (nor the new no-op). n1 crashes the moment its commit index covers that
  // entry, which only counting old-term entries can make happen.
  simulation.crash("n5");
  simulation.healNetwork();
  // Appends that n3 or n4 could accept and that carry anything after the old
  // entry are lost; probes beyond their logs still arrive, so they reject and
  // n1 backs off to the old entry.
  const lastOldIndex = sharedIndex + 3;
  simulation.dropWhere(
    (message) =>
      message.from === "n1" &&
      message.to !== "n2" &&
      message.type === "app" &&
      (message.index ?? 0) < lastOldIndex &&
      (message.entries ?? []).some((entry) => entry.index > oldEntryIndex),
  );
  await simulation.restart("n1");
  await bounce(simulation, ["n2", "n3", "n4"]);
  simulation.crashWhenCommitReaches("n1", oldEntryIndex);
  // Under the counting bug n1 crashes inside the campaign, right after it wins.
  await campaignUntilLeader(simulation, "n1", 3);
  if (simulation.raftOf("n1") && simulation.raftOf("n1")?.role !== "leader") {
    throw new ScenarioSetupError(`(c): n1 did not win; ${simulation.describeNodes()}`);
  }
  await simulation.advance(10);
  if (simulation.raftOf("n1")) simulation.crash("n1");
  simulation.healNetwork();

  // (d) n5 returns and campaigns with its later-term no-op.
  await bounce(simulation, ["n2", "n3", "n4"]);
  // It can win only if an entry counted as committed is missing from its log.
  await simulation.restart("n5");
  await campaignUntilLeader(simulation, "n5", 3);
  await simulation.finish();
}
