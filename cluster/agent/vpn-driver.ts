/**
 * What the VPN agent needs from this server's WireGuard interface, whatever
 * drives it: the real tools (`wg`, `ip`, `wireguard-go`) or a dry run that
 * only records what it would do.
 */
import type { ErrorValue } from "../../shared/result.ts";

/** One client as this server's interface should know it. Keys are base64. */
export interface InterfacePeer {
  publicKey: string;
  presharedKey?: string;
  /** Tunnel addresses the client may use, e.g. `["10.64.0.2/32"]`. */
  allowedIps: readonly string[];
}

/** What this server's interface should look like after a sync. */
export interface DesiredInterface {
  /** The server's own tunnel address with its subnet's prefix length, e.g. `10.64.0.1/24`. */
  address: string;
  /** Exactly the peers the interface should have; any other peer is removed. */
  peers: readonly InterfacePeer[];
}

/** One peer as the interface reports it (`wg show <interface> dump`). */
export interface PeerStatus {
  publicKey: string;
  presharedKey: string | null;
  /** `host:port` the client last sent from, null before its first handshake. */
  endpoint: string | null;
  allowedIps: string[];
  /** Wall-clock time of the latest completed handshake, null if there never was one. */
  latestHandshakeAtMs: number | null;
  receivedBytes: number;
  sentBytes: number;
  /** null when keepalives are off. */
  persistentKeepaliveSeconds: number | null;
}

/** Why a driver could not do what it was asked. */
export type VpnDriverErrorCode =
  /** The stored server key cannot be read, written or parsed. */
  | "SERVER_KEY_UNUSABLE"
  /** The server key file can be read by other users; it must be mode 0600. */
  | "SERVER_KEY_INSECURE"
  /** A tool the driver needs (`wg`, `ip`, `wireguard-go`) is not installed. */
  | "VPN_TOOL_MISSING"
  /** A tool ran and failed; the message has the command and its stderr. */
  | "VPN_COMMAND_FAILED"
  /** A tool's output could not be understood. */
  | "VPN_OUTPUT_UNREADABLE"
  /** A desired peer has a malformed key or address; nothing was changed. */
  | "VPN_PEER_INVALID"
  /** The server has no default route, so there is nowhere to send its clients' traffic. */
  | "VPN_NO_DEFAULT_ROUTE"
  /** The egress rules cannot be built from the interface's address or names; none were loaded. */
  | "VPN_EGRESS_INVALID";

/** A driver failure, with the command and its stderr when a tool failed. */
export interface VpnDriverError extends ErrorValue<VpnDriverErrorCode> {
  command?: string;
  stderr?: string;
}

/** What every driver method resolves with: the value, or an error value; drivers never throw. */
export type VpnDriverResult<Value> =
  | { ok: true; value: Value }
  | { ok: false; error: VpnDriverError };

/**
 * This server's VPN interface. Every method is idempotent: `apply` makes the
 * interface match what it is given however it looks now, so the agent can
 * call it again after any failure or drift.
 */
export interface VpnDriver {
  /** `dry-run` or `wireguard`, as in VPN_DRIVER. */
  readonly kind: "dry-run" | "wireguard";
  /** The server's public key, to register in the replicated state; the key pair is made on first use. */
  serverPublicKey(): Promise<VpnDriverResult<string>>;
  /**
   * Makes the interface exist, be up, carry `desired.address` and have
   * exactly `desired.peers`, and lets its clients reach the internet
   * (forwarding and NAT for the subnet of `desired.address`).
   */
  apply(desired: DesiredInterface): Promise<VpnDriverResult<void>>;
  /**
   * Removes what only a running node should keep, the NAT and client
   * isolation rules; the interface and its peers stay, so a restart does not
   * cut the tunnel. Idempotent, like `apply`.
   */
  release(): Promise<VpnDriverResult<void>>;
  /**
   * Removes the interface itself, with every peer: the server no longer
   * serves anyone (its node was removed from the cluster). Idempotent.
   */
  removeInterface(): Promise<VpnDriverResult<void>>;
  /** The interface's peers with their traffic counters and latest handshakes. */
  readPeers(): Promise<VpnDriverResult<PeerStatus[]>>;
}
