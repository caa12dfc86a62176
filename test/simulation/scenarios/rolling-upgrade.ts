import {
  ScenarioSetupError,
  type Simulation,
  type SimulationResult,
  Violation,
} from "../../../scripts/simulation/simulator.ts";
import { runScriptedScenario } from "./scripted-run.ts";

/**
 * An upgrade one member at a time, scripted through the simulator with its
 * workload running and every safety check on: each member in turn is
 * stopped and started on a release of state version 2 (which applies the
 * same commands alike, as a release must). While any member of version 1
 * runs, a member of version 1 leads; none ever stops at an entry it cannot
 * apply (the simulator fails the run if one does); the cluster converges.
 */
export async function runRollingUpgradeScenario(
  order: "leader-last" | "leader-first",
  seed: number,
): Promise<SimulationResult> {
  return runScriptedScenario(
    { seed, nodeCount: 3, steps: 0, fastDisk: true },
    async (simulation) => {
      await upgradeEveryMember(simulation, order);
      await simulation.finish();
    },
  );
}

const IDS = ["n1", "n2", "n3"];
/** Ticks between upgrades: several election timeouts, so leadership settles. */
const TICKS_BETWEEN = 90;

async function upgradeEveryMember(
  simulation: Simulation,
  order: "leader-last" | "leader-first",
): Promise<void> {
  const versionOf = new Map(IDS.map((id) => [id, 1]));
  await runWorkload(simulation, versionOf);
  for (let upgraded = 0; upgraded < IDS.length; upgraded++) {
    const leader = await leaderWithin(simulation, 200);
    if (!leader) throw new ScenarioSetupError(`no leader before upgrade ${upgraded + 1}`);
    const waiting = IDS.filter((id) => versionOf.get(id) === 1);
    const followers = waiting.filter((id) => id !== leader);
    const next =
      order === "leader-first" && waiting.includes(leader) ? leader : (followers[0] ?? leader);
    await simulation.upgrade(next, 2);
    versionOf.set(next, 2);
    await runWorkload(simulation, versionOf);
  }
}

async function leaderWithin(simulation: Simulation, ticks: number): Promise<string | undefined> {
  for (let tick = 0; tick < ticks && !simulation.leaderId(); tick++) await simulation.advance(1);
  return simulation.leaderId();
}

/**
 * Proposes at the leader every few ticks, checking who leads; three times,
 * the leader's process restarts (on the same release), so that members of both
 * releases stand in the election that follows.
 */
async function runWorkload(simulation: Simulation, versionOf: Map<string, number>): Promise<void> {
  for (let tick = 0; tick < TICKS_BETWEEN; tick += 3) {
    await simulation.advance(3);
    const leader = simulation.leaderId();
    if (!leader) continue;
    const earlierRunning = IDS.some((id) => versionOf.get(id) === 1 && simulation.raftOf(id));
    if (earlierRunning && versionOf.get(leader) !== 1)
      throw new Violation(`${leader}, upgraded, leads while a member of the earlier release runs`);
    if (tick % 30 === 15) {
      simulation.crash(leader);
      await simulation.restart(leader);
      continue;
    }
    await simulation.proposeAt(leader, 2);
  }
}
