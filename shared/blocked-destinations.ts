/**
 * Where a VPN user's traffic may not go through a server: the server itself
 * and the networks behind it. Shadowsocks runs on the server and connects
 * wherever its client asks, as the server; WireGuard forwards clients'
 * packets to any network the server reaches. Without this list a user (and a
 * censor can be a user) could reach the server's Redis on 127.0.0.1 and
 * rewrite its Raft log, or the provider's metadata service, which may hold
 * the secrets the server was provisioned with.
 */
import { BlockList, isIP } from "node:net";
import { formatNetwork, parseNetwork, parseNetworkList } from "./network-list.ts";
import { ok, type Result } from "./result.ts";

/**
 * The default: every range that is not the public internet and that a
 * server could reach.
 * - IPv4: "this network" (0.0.0.0 reaches the server itself), private,
 *   shared (carrier NAT), loopback, link-local (cloud metadata at
 *   169.254.169.254), IETF protocol assignments, benchmarking, multicast and
 *   reserved.
 * - IPv6: the first /96 (unspecified, loopback and IPv4-compatible), IPv4-mapped
 *   (::ffff:127.0.0.1 is loopback too), local-use NAT64, unique local,
 *   link-local and multicast.
 */
export const DEFAULT_BLOCKED_DESTINATIONS: readonly string[] = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.168.0.0/16",
  "198.18.0.0/15",
  "224.0.0.0/4",
  "240.0.0.0/4",
  "::/96",
  "::ffff:0:0/96",
  "64:ff9b:1::/48",
  "fc00::/7",
  "fe80::/10",
  "ff00::/8",
];

/** Parses a comma-separated list of networks into `address/prefix` strings; `none` blocks nothing. */
export function parseBlockedDestinations(
  text: string,
): Result<readonly string[], "INVALID_NETWORKS"> {
  const networks = parseNetworkList(text);
  if (!networks.ok) return networks;
  return ok(networks.value.map(formatNetwork));
}

/**
 * Whether `address` (an IP address; a name is never) lies in one of the
 * `blocked` networks of its own family, as ss-server and nftables match them:
 * an IPv4 address is not matched against IPv6 rules.
 */
export function isBlockedAddress(blocked: readonly string[], address: string): boolean {
  const family = isIP(address) === 6 ? "ipv6" : isIP(address) === 4 ? "ipv4" : undefined;
  if (!family) return false;
  // One family per BlockList: Node's would also match IPv4 addresses against IPv6 rules.
  const list = new BlockList();
  for (const text of blocked) {
    const network = parseNetwork(text);
    if (network.ok && network.value.family === family)
      list.addSubnet(network.value.address, network.value.prefixLength, family);
  }
  return list.check(address, family);
}

/** What the node itself needs to reach that `blocked` would cut off, as the operator should hear it at start. */
export function blockedOwnAddressWarnings(settings: {
  blocked: readonly string[];
  publicHost: string | undefined;
  clientDns: readonly string[];
  servesShadowsocks: boolean;
}): string[] {
  const warnings: string[] = [];
  const { blocked, publicHost } = settings;
  if (settings.servesShadowsocks && publicHost && isBlockedAddress(blocked, publicHost))
    warnings.push(
      `PUBLIC_HOST ${publicHost} is in BLOCKED_DESTINATIONS: the Shadowsocks ban check asks this server to reach its own address through Shadowsocks and will fail; leave the fleet's addresses out of the list`,
    );
  for (const resolver of settings.clientDns.filter((address) => isBlockedAddress(blocked, address)))
    warnings.push(
      `CLIENT_DNS ${resolver} is in BLOCKED_DESTINATIONS: clients cannot reach it through this server unless it is the server's own tunnel address; leave it out of the list or name another resolver`,
    );
  return warnings;
}
