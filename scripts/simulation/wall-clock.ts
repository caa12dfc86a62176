/**
 * The wall clock of the proposals a run makes from the state (the servers'
 * traffic reports, the leader's tasks). It starts after every random
 * command's time, so a random report never makes the agents' reports look
 * too soon, and moves an hour a tick: a server's next report is due a tick
 * after its last, and a run of 2 000 ticks crosses the ends of three months,
 * where traffic periods start.
 */
import { DAY_MS, T0 } from "./commands/domains.ts";

const START = T0 + 45 * DAY_MS;
const MS_PER_TICK = 3_600_000;

/** The wall-clock time at `tick`, epoch ms. */
export function wallClockAt(tick: number): number {
  return START + tick * MS_PER_TICK;
}
