/**
 * The default driver in development and tests: touches nothing on the
 * machine, keeps what a real interface would look like, and logs each change.
 */

import { generateKeyPair, type WireGuardKeyPair } from "../../shared/crypto/wireguard-keys.ts";
import type { Logger } from "../../shared/logger.ts";
import { clientSubnetOf } from "./egress-ruleset.ts";
import { renderInterfaceConfig } from "./interface-config.ts";
import { diffPeers } from "./peer-diff.ts";
import type {
  DesiredInterface,
  InterfacePeer,
  PeerStatus,
  VpnDriver,
  VpnDriverResult,
} from "./vpn-driver.ts";

/** How to set up a {@link DryRunDriver}; everything is optional. */
export interface DryRunDriverOptions {
  /** The server key pair to report; a fresh one per driver when absent. */
  keyPair?: WireGuardKeyPair;
  /** Only echoed in the recorded state, as a real interface would listen on it. */
  listenPort?: number;
  /** Only echoed in the recorded state, as a real interface would have it. */
  mtu?: number;
  /** Recorded with the egress rules the real driver would load. */
  allowClientToClient?: boolean;
  /** Recorded with the egress rules the real driver would load; default none. */
  blockedDestinations?: readonly string[];
  logger?: Logger;
}

/** The forwarding and NAT a real driver would set up for the clients. */
export interface DryRunEgress {
  /** The subnet masqueraded out of the default route's interface, e.g. `10.64.0.0/24`. */
  clientSubnet: string;
  allowClientToClient: boolean;
  /** Networks clients' packets would be dropped to. */
  blockedDestinations: readonly string[];
}

/** What the dry run's interface looks like now. */
export interface DryRunInterfaceState {
  up: boolean;
  address: string | null;
  listenPort: number;
  mtu: number;
  peers: readonly InterfacePeer[];
  /** Null before the first `apply` and after `release`. */
  egress: DryRunEgress | null;
  /** How many times `apply` succeeded. */
  applyCount: number;
}

const defaultListenPort = 51820;
const defaultMtu = 1280;

/** A {@link VpnDriver} that records the interface it would set up instead of setting it up. */
export class DryRunDriver implements VpnDriver {
  readonly kind = "dry-run";
  private readonly keyPair: WireGuardKeyPair;
  private current: DryRunInterfaceState;
  /** Bytes each peer moved since it was added, as a real interface counts them. */
  private readonly counters = new Map<string, { rxBytes: number; txBytes: number }>();

  constructor(private readonly options: DryRunDriverOptions = {}) {
    this.keyPair = options.keyPair ?? generateKeyPair();
    this.current = {
      up: false,
      address: null,
      listenPort: options.listenPort ?? defaultListenPort,
      mtu: options.mtu ?? defaultMtu,
      peers: [],
      egress: null,
      applyCount: 0,
    };
  }

  /** The interface as the last successful `apply` left it. */
  get state(): DryRunInterfaceState {
    return this.current;
  }

  async serverPublicKey(): Promise<VpnDriverResult<string>> {
    return { ok: true, value: this.keyPair.publicKey };
  }

  async apply(desired: DesiredInterface): Promise<VpnDriverResult<void>> {
    // The same checks as the real driver, so a bad peer fails in development too.
    const config = renderInterfaceConfig(
      this.keyPair.privateKey,
      this.current.listenPort,
      desired.peers,
    );
    if (!config.ok) return config;
    const clientSubnet = clientSubnetOf(desired.address);
    if (!clientSubnet.ok) return clientSubnet;
    const diff = diffPeers(desired.peers, this.current.peers);
    // A removed peer's counters go with it: added again, it counts from zero, like in wg.
    const kept = new Set(desired.peers.map((peer) => peer.publicKey));
    for (const publicKey of [...this.counters.keys()])
      if (!kept.has(publicKey)) this.counters.delete(publicKey);
    this.current = {
      ...this.current,
      up: true,
      address: desired.address,
      peers: desired.peers.map((peer) => ({ ...peer, allowedIps: [...peer.allowedIps] })),
      egress: {
        clientSubnet: clientSubnet.value,
        allowClientToClient: this.options.allowClientToClient ?? false,
        blockedDestinations: [...(this.options.blockedDestinations ?? [])],
      },
      applyCount: this.current.applyCount + 1,
    };
    this.options.logger?.debug(
      {
        address: desired.address,
        peers: desired.peers.length,
        added: diff.added.length,
        removed: diff.removed.length,
        changed: diff.changed.length,
      },
      "dry run: interface would be synced",
    );
    return { ok: true, value: undefined };
  }

  /** Forgets the egress rules, as the real driver removes them; the interface stays. */
  async release(): Promise<VpnDriverResult<void>> {
    this.current = { ...this.current, egress: null };
    this.options.logger?.debug("dry run: egress rules would be removed");
    return { ok: true, value: undefined };
  }

  async removeInterface(): Promise<VpnDriverResult<void>> {
    this.current = { ...this.current, up: false, address: null, peers: [], egress: null };
    this.counters.clear();
    this.options.logger?.info("dry run: the interface would be removed");
    return { ok: true, value: undefined };
  }

  /**
   * Counts traffic for a peer as if its client sent `rxBytes` and received
   * `txBytes` (tests and the local sandbox); false when the interface has no such peer.
   */
  addTraffic(publicKey: string, rxBytes: number, txBytes: number): boolean {
    if (!this.current.peers.some((peer) => peer.publicKey === publicKey)) return false;
    const counter = this.counters.get(publicKey) ?? { rxBytes: 0, txBytes: 0 };
    this.counters.set(publicKey, {
      rxBytes: counter.rxBytes + rxBytes,
      txBytes: counter.txBytes + txBytes,
    });
    return true;
  }

  /** Every peer's counters back to zero, as when the interface is recreated. */
  resetCounters(): void {
    this.counters.clear();
  }

  /** The recorded peers and their counted traffic, with no handshakes: nobody can connect to a dry run. */
  async readPeers(): Promise<VpnDriverResult<PeerStatus[]>> {
    return { ok: true, value: this.statuses() };
  }

  private statuses(): PeerStatus[] {
    return this.current.peers.map((peer) => ({
      publicKey: peer.publicKey,
      presharedKey: peer.presharedKey ?? null,
      endpoint: null,
      allowedIps: [...peer.allowedIps],
      latestHandshakeAtMs: null,
      receivedBytes: this.counters.get(peer.publicKey)?.rxBytes ?? 0,
      sentBytes: this.counters.get(peer.publicKey)?.txBytes ?? 0,
      persistentKeepaliveSeconds: null,
    }));
  }
}
