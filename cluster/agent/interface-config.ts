/**
 * The server-side config that `wg syncconf` applies: the interface's key and
 * port and its peers, nothing that only `wg-quick` understands.
 */
import { isWireGuardKey } from "../../shared/crypto/wireguard-keys.ts";
import { err, ok, type Result } from "../../shared/result.ts";
import { isCidr } from "./cidr.ts";
import type { InterfacePeer } from "./vpn-driver.ts";

/** What is wrong with a peer, or null if `wg` will accept it. */
export function peerProblem(peer: InterfacePeer): string | null {
  if (!isWireGuardKey(peer.publicKey)) return "its public key is not a WireGuard key";
  if (peer.presharedKey !== undefined && !isWireGuardKey(peer.presharedKey)) {
    return "its preshared key is not a WireGuard key";
  }
  // No allowed IPs is valid: such a peer (a vantage probe) handshakes and is routed nothing.
  if (!peer.allowedIps.every(isCidr)) return "its allowed IPs must be address/prefix values";
  return null;
}

/**
 * Renders the config for `wg syncconf`. Every peer is checked first: the text
 * is handed to `wg` as is, and a malformed value could otherwise add lines.
 */
export function renderInterfaceConfig(
  privateKey: string,
  listenPort: number,
  peers: readonly InterfacePeer[],
): Result<string, "VPN_PEER_INVALID"> {
  const lines = ["[Interface]", `PrivateKey = ${privateKey}`, `ListenPort = ${listenPort}`];
  const seen = new Set<string>();
  for (const peer of peers) {
    const problem = peerProblem(peer);
    if (problem) return err("VPN_PEER_INVALID", `peer ${peer.publicKey}: ${problem}`);
    // wg merges repeated peers silently, which would hide a bug upstream.
    if (seen.has(peer.publicKey)) {
      return err("VPN_PEER_INVALID", `peer ${peer.publicKey}: listed twice`);
    }
    seen.add(peer.publicKey);
    lines.push("", "[Peer]", `PublicKey = ${peer.publicKey}`);
    if (peer.presharedKey !== undefined) lines.push(`PresharedKey = ${peer.presharedKey}`);
    if (peer.allowedIps.length > 0) lines.push(`AllowedIPs = ${peer.allowedIps.join(", ")}`);
  }
  return ok(`${lines.join("\n")}\n`);
}
