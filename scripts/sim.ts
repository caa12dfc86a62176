/**
 * Runs the deterministic simulation of real nodes over many seeds.
 *
 *   npm run sim -- --seeds 10000            a campaign over seeds 1..10000 (3 and 5 nodes alternate)
 *   npm run sim -- --seed 42 --nodes 5      replays one seed
 *   npm run sim -- --seeds 2000 --bug skip-persisting-vote
 *                                           proves the checks catch a deliberately broken core
 *
 * Options: --seeds N, --first-seed N, --seed N, --nodes 3|5, --steps N (default 2000),
 * --bug NAME, --workers N (default: the number of cores).
 */

import { fork } from "node:child_process";
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import {
  DELIBERATE_BUGS,
  type DeliberateBug,
  emptyStats,
  runSimulation,
  type SimulationOptions,
  type SimulationResult,
} from "./simulation/simulator.ts";

const { values } = parseArgs({
  options: {
    seeds: { type: "string" },
    "first-seed": { type: "string", default: "1" },
    seed: { type: "string" },
    nodes: { type: "string" },
    steps: { type: "string", default: "2000" },
    bug: { type: "string" },
    workers: { type: "string" },
    "stop-at-first": { type: "boolean", default: false },
  },
});

function positiveInteger(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`--${name} must be a positive integer, got "${raw}"`);
    process.exit(2);
  }
  return value;
}

const bug = values.bug as DeliberateBug | undefined;
if (bug !== undefined && !DELIBERATE_BUGS.includes(bug)) {
  console.error(`--bug must be one of ${DELIBERATE_BUGS.join(", ")}`);
  process.exit(2);
}
const steps = positiveInteger("steps", values.steps, 2000);
const fixedNodes =
  values.nodes === undefined ? undefined : positiveInteger("nodes", values.nodes, 3);

function optionsFor(seed: number): SimulationOptions {
  const nodeCount = fixedNodes ?? (seed % 2 === 0 ? 5 : 3);
  return bug ? { seed, nodeCount, steps, bug } : { seed, nodeCount, steps };
}

function report(result: SimulationResult): void {
  console.log(
    `seed ${result.seed}: FAILED\n  ${result.violation}\n  replay: ${result.replayCommand}`,
  );
}

if (values.seed !== undefined) {
  const seed = positiveInteger("seed", values.seed, 1);
  const started = performance.now();
  const result = await runSimulation(optionsFor(seed));
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  if (result.ok) console.log(`seed ${seed}: ok in ${seconds}s`, result.stats);
  else report(result);
  process.exit(result.ok ? 0 : 1);
}

const seedCount = positiveInteger("seeds", values.seeds, 100);
const firstSeed = positiveInteger("first-seed", values["first-seed"], 1);
const workerCount = Math.min(
  positiveInteger("workers", values.workers, availableParallelism()),
  seedCount,
);

const started = performance.now();
const seeds = Array.from({ length: seedCount }, (_, offset) => firstSeed + offset);
const failures: SimulationResult[] = [];
let finished = 0;
let firstFailureAt: number | undefined;
const totals = emptyStats();

await Promise.all(
  Array.from({ length: workerCount }, async () => {
    const worker = fork(new URL("./sim-worker.ts", import.meta.url), [], {
      execArgv: ["--import", "tsx"],
    });
    for (let seed = seeds.shift(); seed !== undefined; seed = seeds.shift()) {
      if (values["stop-at-first"] && failures.length > 0) break;
      const result: SimulationResult = await new Promise((resolve, reject) => {
        const onError = (error: Error) => reject(error);
        worker.once("error", onError);
        worker.once("message", (message) => {
          worker.off("error", onError);
          resolve(message as SimulationResult);
        });
        worker.send(optionsFor(seed));
      });
      finished++;
      for (const key of Object.keys(totals) as (keyof typeof totals)[])
        totals[key] += result.stats[key];
      if (!result.ok) {
        failures.push(result);
        firstFailureAt ??= finished;
        report(result);
      }
      if (finished % 500 === 0)
        console.log(`... ${finished}/${seedCount} seeds, ${failures.length} failed`);
    }
    worker.send("stop");
  }),
);

const seconds = (performance.now() - started) / 1000;
console.log(
  `${finished} seeds x ${steps} steps in ${seconds.toFixed(1)}s (${(finished / seconds).toFixed(1)} seeds/s, ${workerCount} workers)${bug ? `, bug ${bug}` : ""}`,
);
console.log(
  `  acknowledged proposals ${totals.proposalsAcknowledged} (${totals.commandsApplied} commands accepted, ${totals.configsRehomed} configs re-homed, ${totals.suspensions} users suspended for traffic, ${totals.protocolsClosed} protocols closed), reads ${totals.readsServed}, leaders ${totals.leadersElected}, crashes ${totals.crashes} (${totals.writesLostInCrashes} writes lost), Redis outages ${totals.storeOutages}, membership changes ${totals.membershipChanges} (joins ${totals.joins}, promotions ${totals.promotions}, demotions ${totals.demotions}, removals ${totals.removals}; autopilot steps ${totals.autopilotSteps}), transfers ${totals.transfers}, snapshots ${totals.snapshotsSent}`,
);
console.log(`${finished - failures.length} passed, ${failures.length} failed`);
if (firstFailureAt !== undefined) console.log(`first failure after ${firstFailureAt} seeds`);
process.exit(failures.length > 0 ? 1 : 0);
