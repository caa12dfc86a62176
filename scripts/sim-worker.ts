/** A child process of `npm run sim`: runs the seeds it is sent and reports each result. */
import { runSimulation, type SimulationOptions } from "../test/simulation/simulator.ts";

process.on("message", (options: SimulationOptions | "stop") => {
  if (options === "stop") {
    process.disconnect();
    return;
  }
  process.send?.(runSimulation(options));
});
