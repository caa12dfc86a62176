/**
 * How the interface's peers differ from the replicated state: used to notice
 * drift (a restarted wireguard-go, a peer removed by hand) and to log what a
 * sync changed.
 */
import type { InterfacePeer } from "./vpn-driver.ts";

/** The parts of a peer that a sync sets: a {@link InterfacePeer} or a `PeerStatus` read back. */
export interface ComparablePeer {
  publicKey: string;
  presharedKey?: string | null;
  allowedIps: readonly string[];
}

/** Public keys of peers to add, remove, or update (other preshared key or allowed IPs). */
export interface PeerDiff {
  added: string[];
  removed: string[];
  changed: string[];
}

function sameAllowedIps(desired: readonly string[], actual: readonly string[]): boolean {
  const normalize = (list: readonly string[]) =>
    [...new Set(list.map((cidr) => cidr.toLowerCase()))].sort();
  const [left, right] = [normalize(desired), normalize(actual)];
  return left.length === right.length && left.every((cidr, index) => cidr === right[index]);
}

/** Compares peers by public key; each list comes out sorted, so logs and tests are stable. */
export function diffPeers(
  desired: readonly InterfacePeer[],
  actual: readonly ComparablePeer[],
): PeerDiff {
  const actualByKey = new Map(actual.map((peer) => [peer.publicKey, peer]));
  const desiredKeys = new Set(desired.map((peer) => peer.publicKey));
  const added: string[] = [];
  const changed: string[] = [];
  for (const peer of desired) {
    const current = actualByKey.get(peer.publicKey);
    if (!current) {
      added.push(peer.publicKey);
    } else if (
      (peer.presharedKey ?? null) !== (current.presharedKey ?? null) ||
      !sameAllowedIps(peer.allowedIps, current.allowedIps)
    ) {
      changed.push(peer.publicKey);
    }
  }
  const removed = actual.map((peer) => peer.publicKey).filter((key) => !desiredKeys.has(key));
  return { added: added.sort(), removed: removed.sort(), changed: changed.sort() };
}

/** Whether a diff asks for no change at all. */
export function isEmptyDiff(diff: PeerDiff): boolean {
  return diff.added.length === 0 && diff.removed.length === 0 && diff.changed.length === 0;
}
