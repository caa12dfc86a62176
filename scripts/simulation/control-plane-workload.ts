/**
 * The commands a simulated cluster is asked to commit: a seeded stream of
 * random control-plane commands (servers registered, drained and banned with
 * their users re-homed, users, configs issued and revoked, settings, ...),
 * proposed at the leader, and the reports followers forward about their own
 * servers.
 */
import fc from "fast-check";
import { commandArbitrary } from "./command-arbitrary.ts";
import { T0 } from "./commands/domains.ts";

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

/**
 * A report a node makes about its own server at `tick`, alternating its
 * endpoint and its load: what a follower forwards to the leader.
 */
export function ownServerReport(serverId: string, tick: number): string {
  const at = T0 + tick * 1_000;
  return JSON.stringify(
    tick % 2 === 0
      ? { type: "setServerEndpoint", serverId, endpointHost: `${serverId}.example`, at }
      : {
          type: "reportServerLoad",
          serverId,
          activePeers: tick % 7,
          rxBytes: tick,
          txBytes: tick,
          at,
        },
  );
}
