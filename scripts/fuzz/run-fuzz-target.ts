/** Runs one fuzz target for a while: how many inputs it took, and the ones that broke it. */
import fc from "fast-check";
import type { FuzzTarget } from "./fuzz-targets.ts";

export interface FuzzRun {
  name: string;
  executions: number;
  seconds: number;
  crashes: Array<{ input: unknown; error: string }>;
}

const BATCH = 200;
const MAX_CRASHES_KEPT = 5;

export async function runFuzzTarget(
  target: FuzzTarget,
  options: { milliseconds: number; seed: number },
): Promise<FuzzRun> {
  const startedAt = performance.now();
  const run: FuzzRun = { name: target.name, executions: 0, seconds: 0, crashes: [] };
  let batchSeed = options.seed;
  while (performance.now() - startedAt < options.milliseconds) {
    const inputs = fc.sample(target.inputs, { numRuns: BATCH, seed: batchSeed++ });
    for (const input of inputs) {
      try {
        await target.run(input);
      } catch (error) {
        if (run.crashes.length < MAX_CRASHES_KEPT)
          run.crashes.push({
            input,
            error: error instanceof Error ? (error.stack ?? error.message) : String(error),
          });
      }
      run.executions++;
    }
  }
  run.seconds = (performance.now() - startedAt) / 1000;
  return run;
}
