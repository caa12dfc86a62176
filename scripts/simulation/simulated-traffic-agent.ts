/**
 * A server's traffic reporter, the node's own (cluster/agent/traffic-reporter.ts),
 * reading the simulated interfaces: the peers on them are those its node's
 * state says the server must have, so a suspended user's peers carry no
 * traffic and a peer back after a re-key or a lift counts from zero.
 */
import { TrafficReporter, trafficReportState } from "../../cluster/agent/traffic-reporter.ts";
import type { ControlPlaneState } from "../../cluster/fsm/control-plane.ts";
import { shadowsocksTrafficPeer } from "../../cluster/fsm/traffic-ledger.ts";
import { ok } from "../../shared/result.ts";
import { silentLogger } from "../../shared/silent-logger.ts";
import type { SimulatedInterfaces } from "./simulated-interfaces.ts";

export interface SimulatedTrafficAgentOptions {
  serverId: string;
  interfaces: SimulatedInterfaces;
  /** The node's applied state; undefined while the node is down. */
  state: () => ControlPlaneState | undefined;
  now: () => number;
  /** Proposes the report at the node, which forwards it when it follows. */
  propose: (command: string) => Promise<void>;
}

/** The peers `serverId`'s interfaces hold once its agent synced them to `state`. */
export function peersOnInterfaces(
  state: Pick<ControlPlaneState, "desiredPeers" | "desiredShadowsocksPorts">,
  serverId: string,
): string[] {
  return [
    ...state.desiredPeers(serverId).map((peer) => peer.publicKey),
    ...state.desiredShadowsocksPorts(serverId).map((port) => shadowsocksTrafficPeer(port.port)),
  ];
}

/** The reporter of `serverId`'s node; `reportIfDue()` proposes a report when one is due. */
export function simulatedTrafficReporter(options: SimulatedTrafficAgentOptions): TrafficReporter {
  const { serverId, interfaces, state, propose } = options;
  return new TrafficReporter({
    sources: [
      {
        name: "simulated interfaces",
        read: async () => {
          const current = state();
          return ok(current ? interfaces.read(serverId, peersOnInterfaces(current, serverId)) : []);
        },
      },
    ],
    readState: () => {
      const current = state();
      return current ? trafficReportState(current, serverId) : null;
    },
    propose: (counters, at) =>
      propose(JSON.stringify({ type: "reportTraffic", serverId, counters, at })),
    logger: silentLogger,
    now: options.now,
  });
}
