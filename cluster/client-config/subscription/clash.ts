/**
 * A Clash Meta (mihomo) profile: one proxy per entry (`ss`, and `wireguard`
 * with `amnezia-wg-option` for AmneziaWG servers, which mihomo speaks), one
 * selector group over them, and every connection through it. With no entry
 * the group holds REJECT only, so nothing leaves around the tunnel. Written
 * with the `yaml` package, never by hand.
 */
import { stringify } from "yaml";
import {
  type RenderedSubscription,
  type SubscriptionEntry,
  shadowsocksEntries,
  type WireGuardEntry,
} from "./entries.ts";

/** The name of the group every rule ends in. */
export const CLASH_PROXY_GROUP = "PROXY";

function wireGuardProxy(entry: WireGuardEntry) {
  return {
    name: entry.name,
    type: "wireguard",
    server: entry.host,
    port: entry.port,
    ...(entry.clientAddress.includes(":")
      ? { ipv6: entry.clientAddress }
      : { ip: entry.clientAddress }),
    "private-key": entry.clientPrivateKey,
    "public-key": entry.serverPublicKey,
    "pre-shared-key": entry.presharedKey,
    ...(entry.mtu !== null ? { mtu: entry.mtu } : {}),
    udp: true,
    "remote-dns-resolve": true,
    dns: [...entry.dns],
    ...(entry.amnezia ? { "amnezia-wg-option": { ...entry.amnezia } } : {}),
  };
}

export function renderClash(entries: readonly SubscriptionEntry[]): RenderedSubscription {
  const proxies = [
    ...shadowsocksEntries(entries).map((entry) => ({
      name: entry.name,
      type: "ss",
      server: entry.host,
      port: entry.port,
      cipher: entry.method,
      password: entry.password,
      udp: true,
    })),
    ...entries
      .filter((entry): entry is WireGuardEntry => entry.kind === "wireguard")
      .map(wireGuardProxy),
  ];
  const names = proxies.map((proxy) => proxy.name);
  const profile = {
    "mixed-port": 7890,
    "allow-lan": false,
    mode: "rule",
    "log-level": "warning",
    proxies,
    "proxy-groups": [
      { name: CLASH_PROXY_GROUP, type: "select", proxies: names.length > 0 ? names : ["REJECT"] },
    ],
    rules: [`MATCH,${CLASH_PROXY_GROUP}`],
  };
  return { body: stringify(profile), contentType: "text/yaml; charset=utf-8" };
}
