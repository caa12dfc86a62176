import {
  ScenarioSetupError,
  Simulation,
  type SimulationOptions,
  type SimulationResult,
  Violation,
} from "../../../scripts/simulation/simulator.ts";

/**
 * Runs a scripted scenario on a calm simulation (no random faults): boots
 * the members, plays the script, and reports a violation of the
 * simulator's checks as a failed result. A script whose setup did not
 * unfold as written throws ScenarioSetupError instead: that is no verdict.
 */
export async function runScriptedScenario(
  options: SimulationOptions,
  play: (simulation: Simulation) => Promise<void>,
): Promise<SimulationResult> {
  const simulation = new Simulation(options);
  simulation.chaos = false;
  const replayCommand = "npm test -- test/simulation/scenarios";
  try {
    await simulation.boot();
    await play(simulation);
    return { seed: options.seed, ok: true, stats: simulation.stats, replayCommand };
  } catch (error) {
    if (error instanceof ScenarioSetupError) throw error;
    const violation =
      error instanceof Violation ? error.message : `crash: ${(error as Error).message}`;
    return { seed: options.seed, ok: false, violation, stats: simulation.stats, replayCommand };
  }
}
