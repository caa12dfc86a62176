/**
 * Where a server's per-peer byte counters come from: WireGuard's `wg show
 * dump` (through the VPN driver) today, Shadowsocks' ss-manager beside it.
 * Each source gives raw counters, cumulative since the peer was added; the
 * replicated state turns them into usage (fsm/traffic-commands.ts).
 */
import { shadowsocksTrafficPeer } from "../fsm/traffic-ledger.ts";
import type { ShadowsocksAgent } from "./shadowsocks-agent.ts";
import type { VpnDriver, VpnDriverError } from "./vpn-driver.ts";

/** One peer's raw counters, by the peer id the state knows it under (fsm/traffic-ledger.ts). */
export interface PeerTrafficCounter {
  peer: string;
  /** Bytes the server received from the peer. */
  rxBytes: number;
  /** Bytes the server sent to the peer. */
  txBytes: number;
}

/** A source of raw counters; reads never throw. */
export interface TrafficSource {
  /** For logs: which software could not be read. */
  readonly name: string;
  read(): Promise<{ ok: true; value: PeerTrafficCounter[] } | { ok: false; error: VpnDriverError }>;
}

/** The WireGuard interface's peers, keyed by their public keys. */
export function wireGuardTrafficSource(driver: Pick<VpnDriver, "readPeers">): TrafficSource {
  return {
    name: "wireguard",
    async read() {
      const peers = await driver.readPeers();
      if (!peers.ok) return peers;
      return {
        ok: true,
        value: peers.value.map((peer) => ({
          peer: peer.publicKey,
          rxBytes: peer.receivedBytes,
          txBytes: peer.sentBytes,
        })),
      };
    },
  };
}

/**
 * The Shadowsocks ports' counters as the Shadowsocks agent last read them
 * from ss-manager, by port. ss-manager counts both directions together: they
 * count as the user's download.
 */
export function shadowsocksTrafficSource(agent: Pick<ShadowsocksAgent, "status">): TrafficSource {
  return {
    name: "shadowsocks",
    async read() {
      return {
        ok: true,
        value: agent.status().traffic.map((counter) => ({
          peer: shadowsocksTrafficPeer(counter.port),
          rxBytes: 0,
          txBytes: counter.bytes,
        })),
      };
    },
  };
}
