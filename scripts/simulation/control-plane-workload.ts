/**
 * The commands a simulated cluster is asked to commit: a seeded stream of
 * random control-plane commands (servers registered, drained and banned with
 * their users re-homed, users, configs issued and revoked, settings, ...).
 */
import fc from "fast-check";
import { commandArbitrary } from "./command-arbitrary.ts";

export interface ControlPlaneWorkload {
  /** The next command, as the JSON a node proposes. */
  next(): string;
}

const BATCH = 256;

export function controlPlaneWorkload(seed: number): ControlPlaneWorkload {
  let batch: string[] = [];
  let batchNumber = 0;
  return {
    next() {
      if (batch.length === 0) {
        batch = fc
          .sample(commandArbitrary, { seed: seed * 7919 + batchNumber++, numRuns: BATCH })
          .map((command) => JSON.stringify(command))
          .reverse();
      }
      return batch.pop()!;
    },
  };
}
