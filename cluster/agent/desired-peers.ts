/**
 * Turning this server's peers from the replicated state into what its
 * interface should have. A peer that cannot be set up is skipped with a
 * reason instead of blocking every other user's access.
 */
import { isIP } from "node:net";
import type { Result } from "../../shared/result.ts";
import { peerProblem } from "./interface-config.ts";
import type { InterfacePeer } from "./vpn-driver.ts";

/**
 * One peer this server must have (a user's config, or the ban-check probe),
 * as the replicated state holds it. Extra fields are ignored, so the state
 * machine's own peer records fit as they are.
 */
export interface ReplicatedPeer {
  /** The client's public key, base64; also how logs name the peer (it is not secret). */
  publicKey: string;
  /** The preshared key sealed to this server's WireGuard key, or null when the peer has none. */
  presharedKeySealed: string | null;
  /**
   * The client's tunnel address without a prefix, e.g. `10.64.0.2`; null for
   * a peer that only handshakes (a vantage probe) and is routed nothing.
   */
  address: string | null;
}

/**
 * Opens a preshared key sealed to this server for the peer with public key
 * `peerPublicKey` (see shared/crypto/wireguard-sealed-box.ts).
 */
export type OpenPresharedKey = (sealed: string, peerPublicKey: string) => Result<string, string>;

/** A peer left out of the interface, and why. */
export interface SkippedPeer {
  publicKey: string;
  reason: string;
}

/**
 * The peers for `replicated`, in order. A peer is skipped if its key or
 * address is malformed, its preshared key does not open, or an earlier peer
 * already has its key or address: WireGuard would give the address to
 * whichever peer came last, silently cutting the other one off.
 */
export function desiredPeersFrom(
  replicated: readonly ReplicatedPeer[],
  openPresharedKey: OpenPresharedKey,
): { peers: InterfacePeer[]; skipped: SkippedPeer[] } {
  const peers: InterfacePeer[] = [];
  const skipped: SkippedPeer[] = [];
  const usedKeys = new Set<string>();
  const usedAddresses = new Set<string>();
  for (const source of replicated) {
    const skip = (reason: string) => skipped.push({ publicKey: source.publicKey, reason });
    const family = source.address === null ? null : isIP(source.address);
    if (family === 0) {
      skip("its address is not an IP address");
      continue;
    }
    let presharedKey: string | undefined;
    if (source.presharedKeySealed !== null) {
      const opened = openPresharedKey(source.presharedKeySealed, source.publicKey);
      if (!opened.ok) {
        skip(`its preshared key cannot be opened: ${opened.error.message}`);
        continue;
      }
      presharedKey = opened.value;
    }
    const peer: InterfacePeer = {
      publicKey: source.publicKey,
      ...(presharedKey === undefined ? {} : { presharedKey }),
      allowedIps: source.address === null ? [] : [`${source.address}/${family === 4 ? 32 : 128}`],
    };
    const problem = peerProblem(peer);
    if (problem) {
      skip(problem);
      continue;
    }
    const address = source.address?.toLowerCase() ?? null;
    if (usedKeys.has(peer.publicKey) || (address !== null && usedAddresses.has(address))) {
      skip("another peer on this server already has its public key or address");
      continue;
    }
    usedKeys.add(peer.publicKey);
    if (address !== null) usedAddresses.add(address);
    peers.push(peer);
  }
  return { peers, skipped };
}
