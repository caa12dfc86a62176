/** A child process of `npm run sim`: runs the seeds it is sent and reports each result. */
import { runSimulation, type SimulationOptions } from "./simulation/simulator.ts";

process.on("message", (options: SimulationOptions | "stop") => {
  if (options === "stop") {
    process.disconnect();
    return;
  }
  void runSimulation(options).then((result) => process.send?.(result));
});
