/**
 * A sing-box profile (sing-box 1.12 or later: WireGuard as an endpoint, DNS
 * servers by type): a TUN inbound that takes the device's traffic, one
 * outbound per Shadowsocks entry and one WireGuard endpoint per WireGuard
 * entry, a selector over all of them, DNS asked through the selected proxy.
 * AmneziaWG entries are left out: sing-box does not speak it. With no entry
 * at all the profile rejects traffic rather than send it around the tunnel.
 */
import {
  hostPrefix,
  plainWireGuardEntries,
  type RenderedSubscription,
  type SubscriptionEntry,
  shadowsocksEntries,
} from "./entries.ts";

/** The tag of the selector every connection goes through. */
export const SING_BOX_PROXY_TAG = "proxy";
const FALLBACK_DNS = "1.1.1.1";

export function renderSingBox(entries: readonly SubscriptionEntry[]): RenderedSubscription {
  const shadowsocks = shadowsocksEntries(entries).map((entry) => ({
    type: "shadowsocks",
    tag: entry.name,
    server: entry.host,
    server_port: entry.port,
    method: entry.method,
    password: entry.password,
  }));
  const wireGuard = plainWireGuardEntries(entries);
  const endpoints = wireGuard.map((entry) => ({
    type: "wireguard",
    tag: entry.name,
    address: [hostPrefix(entry.clientAddress)],
    private_key: entry.clientPrivateKey,
    ...(entry.mtu !== null ? { mtu: entry.mtu } : {}),
    peers: [
      {
        address: entry.host,
        port: entry.port,
        public_key: entry.serverPublicKey,
        pre_shared_key: entry.presharedKey,
        allowed_ips: ["0.0.0.0/0", "::/0"],
        persistent_keepalive_interval: 25,
      },
    ],
  }));
  const tags = [...shadowsocks.map((outbound) => outbound.tag), ...wireGuard.map((e) => e.name)];
  const resolver = wireGuard[0]?.dns[0] ?? FALLBACK_DNS;
  const profile = {
    log: { level: "warn" },
    dns: {
      servers: [
        { type: "udp", tag: "remote", server: resolver, detour: SING_BOX_PROXY_TAG },
        { type: "local", tag: "local" },
      ],
      final: "remote",
    },
    inbounds: [
      {
        type: "tun",
        tag: "tun-in",
        address: ["172.19.0.1/30", "fdfe:dcba:9876::1/126"],
        auto_route: true,
        strict_route: true,
      },
    ],
    endpoints,
    outbounds: [
      ...(tags.length > 0
        ? [{ type: "selector", tag: SING_BOX_PROXY_TAG, outbounds: tags, default: tags[0] }]
        : []),
      ...shadowsocks,
      { type: "direct", tag: "direct" },
    ],
    route: {
      rules: [
        { action: "sniff" },
        { protocol: "dns", action: "hijack-dns" },
        ...(tags.length > 0 ? [] : [{ inbound: ["tun-in"], action: "reject" }]),
      ],
      ...(tags.length > 0 ? { final: SING_BOX_PROXY_TAG } : {}),
      auto_detect_interface: true,
      default_domain_resolver: "local",
    },
  };
  return { body: JSON.stringify(profile), contentType: "application/json; charset=utf-8" };
}
