/**
 * This server's load as reported to the cluster, computed from what the
 * interface says about its peers.
 */
import type { PeerStatus } from "./vpn-driver.ts";

/** A server's load at one moment; the node proposes it so placement sees it. */
export interface MeasuredLoad {
  /** Peers the interface knows: one per live config on this server. */
  configuredPeers: number;
  /** Peers with a handshake within {@link activeHandshakeWindowMs}: users connected now. */
  activePeers: number;
  /** Bytes received from all peers since the interface came up. */
  receivedBytes: number;
  /** Bytes sent to all peers since the interface came up. */
  sentBytes: number;
}

/**
 * WireGuard renews a session's keys every 2 minutes while traffic flows and
 * drops keys older than 3 minutes, so a peer with no handshake for 3 minutes
 * has no session left: it is not connected.
 */
export const activeHandshakeWindowMs = 180_000;

/** Sums the peers' counters and counts those that are connected at `nowMs`. */
export function aggregateLoad(peers: readonly PeerStatus[], nowMs: number): MeasuredLoad {
  let activePeers = 0;
  let receivedBytes = 0;
  let sentBytes = 0;
  for (const peer of peers) {
    const handshakeAtMs = peer.latestHandshakeAtMs;
    if (handshakeAtMs !== null && nowMs - handshakeAtMs <= activeHandshakeWindowMs) {
      activePeers += 1;
    }
    receivedBytes += peer.receivedBytes;
    sentBytes += peer.sentBytes;
  }
  return { configuredPeers: peers.length, activePeers, receivedBytes, sentBytes };
}

/** Whether two loads are the same, so an idle server does not fill the log with identical reports. */
export function sameLoad(left: MeasuredLoad, right: MeasuredLoad): boolean {
  return (
    left.configuredPeers === right.configuredPeers &&
    left.activePeers === right.activePeers &&
    left.receivedBytes === right.receivedBytes &&
    left.sentBytes === right.sentBytes
  );
}
