/**
 * The nftables table that keeps ss-server's UDP relay off the blocked
 * destinations. ss-server checks its ACL (shadowsocks-acl.ts) only for TCP:
 * its UDP relay sends a client's datagrams wherever the client names, the
 * server's loopback and private networks included. The kernel stops them
 * instead: a new UDP flow opened by the user the ss-servers run as (the
 * node's own) to a blocked network is dropped. Only the host's resolvers
 * stay open on port 53, since ss-server resolves the names its clients give
 * through them, and they are often on loopback or the provider's network;
 * where they are not known, port 53 stays open on every blocked network.
 * Replies to flows others opened are not touched. The rule holds for every process of that user, so never for
 * root, whose processes include the host's own (a DHCP client renewing its
 * lease from a private address, say). Pure text, so what the node loads can
 * be read and tested without a kernel.
 */
import { isIP } from "node:net";
import { parseNetworks } from "../../shared/network-list.ts";
import { err, ok, type Result } from "../../shared/result.ts";
import { nftDaddr } from "./nft-daddr.ts";

/** The node's own table, apart from the host's firewall and the egress tables. */
export const SHADOWSOCKS_UDP_GUARD_TABLE = "nexaloak_shadowsocks_udp";

/** The resolvers' port, the one left open to them. */
const DNS_PORT = 53;

export interface ShadowsocksUdpGuard {
  /** The user the ss-servers run as (the node's own); never 0. */
  ownerUid: number;
  /** Networks no UDP datagram of that user may open a flow to (`address/prefix`). */
  blockedDestinations: readonly string[];
  /** The host's resolvers (IP addresses), open on port 53; undefined: port 53 open everywhere. */
  resolvers: readonly string[] | undefined;
}

/**
 * Declares the table (creating it if missing) and deletes it, in the same
 * `nft -f -` transaction as what follows: replaced whole, never doubled.
 */
function replaceTable(): string[] {
  return [
    `table inet ${SHADOWSOCKS_UDP_GUARD_TABLE}`,
    `delete table inet ${SHADOWSOCKS_UDP_GUARD_TABLE}`,
  ];
}

/** The text for `nft -f -` that makes the table exactly this guard. Every value is checked first. */
export function renderShadowsocksUdpGuard(
  guard: ShadowsocksUdpGuard,
): Result<string, "SS_UDP_GUARD_INVALID"> {
  if (!Number.isSafeInteger(guard.ownerUid) || guard.ownerUid <= 0)
    return err(
      "SS_UDP_GUARD_INVALID",
      `the guard's user must be a uid above 0, not ${guard.ownerUid}: for root it would hold every process of the host`,
    );
  const parsed = parseNetworks(guard.blockedDestinations);
  if (!parsed.ok)
    return err("SS_UDP_GUARD_INVALID", `a blocked destination: ${parsed.error.message}`);
  const blocked = parsed.value;
  const resolvers = guard.resolvers ?? [];
  const badResolver = resolvers.find((address) => isIP(address) === 0);
  if (badResolver !== undefined)
    return err(
      "SS_UDP_GUARD_INVALID",
      `the resolver ${JSON.stringify(badResolver)} is not an IP address`,
    );
  const owner = `meta skuid ${guard.ownerUid}`;
  // Without known resolvers, every blocked network keeps port 53: names must still resolve.
  const udp = guard.resolvers === undefined ? `udp dport != ${DNS_PORT}` : "meta l4proto udp";
  const rules = [
    ...resolvers.map(
      (address) =>
        `\t\t${owner} ${isIP(address) === 6 ? "ip6" : "ip"} daddr ${address} udp dport ${DNS_PORT} accept`,
    ),
    ...blocked.map((network) => `\t\t${owner} ct state new ${nftDaddr(network)} ${udp} drop`),
  ];
  const lines = [
    ...replaceTable(),
    `table inet ${SHADOWSOCKS_UDP_GUARD_TABLE} {`,
    "\tchain output {",
    "\t\ttype filter hook output priority filter; policy accept;",
    ...rules,
    "\t}",
    "}",
  ];
  return ok(`${lines.join("\n")}\n`);
}

/** The text for `nft -f -` that removes the table, whether or not it exists. */
export function renderShadowsocksUdpGuardRemoval(): string {
  return `${replaceTable().join("\n")}\n`;
}
