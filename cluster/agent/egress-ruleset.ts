/**
 * The nftables ruleset that lets this server's clients reach the internet:
 * their subnet masqueraded out of the interface of the default route, no
 * traffic to the blocked destinations (the networks behind the server, and
 * the server's own addresses on them) and, unless allowed, none from one
 * client to another. Pure text, so what
 * the node loads into the kernel can be read and tested without a kernel.
 */
import { parseNetworks } from "../../shared/network-list.ts";
import { err, ok, type Result } from "../../shared/result.ts";
import { blockSize, formatCidr, parseIpv4 } from "../fsm/ipv4.ts";
import { isInterfaceName } from "./interface-name.ts";
import { nftDaddr } from "./nft-daddr.ts";

/** What the egress ruleset is built from. */
export interface EgressRules {
  /** The WireGuard interface the clients come in on, e.g. `wg0`. */
  wireguardInterface: string;
  /** The clients' subnet as a network block, e.g. `10.64.0.0/24`. */
  clientSubnet: string;
  /** Where the default route leaves the server, e.g. `eth0`. */
  egressInterface: string;
  /** Whether clients may reach each other through the server. */
  allowClientToClient: boolean;
  /**
   * Networks clients may not reach through the server (`address/prefix`):
   * its provider's private network, the metadata service. Traffic between
   * clients is ruled by `allowClientToClient` alone.
   */
  blockedDestinations: readonly string[];
}

/**
 * The node's own table for one WireGuard interface, so that rules of the
 * host's firewall and of other interfaces are never touched. nft names take
 * neither `=` nor `+`, which interface names may hold: those are spelled out.
 */
export function egressTableName(wireguardInterface: string): string {
  const spelled = wireguardInterface.replaceAll("=", "_3d").replaceAll("+", "_2b");
  return `nexaloak_${spelled}`;
}

/**
 * The network block of the server's tunnel address with its prefix, e.g.
 * `10.64.0.0/24` for `10.64.0.1/24`: the subnet its clients' addresses are in.
 */
export function clientSubnetOf(interfaceAddress: string): Result<string, "VPN_EGRESS_INVALID"> {
  const [address = "", prefixText = "", extra] = interfaceAddress.split("/");
  const value = parseIpv4(address);
  const prefixLength = /^\d{1,2}$/.test(prefixText) ? Number(prefixText) : 33;
  if (value === undefined || prefixLength > 32 || extra !== undefined)
    return err(
      "VPN_EGRESS_INVALID",
      `the interface address ${JSON.stringify(interfaceAddress)} is not an IPv4 address/prefix, e.g. 10.64.0.1/24`,
    );
  const size = blockSize(prefixLength);
  return ok(formatCidr({ network: value - (value % size), prefixLength }));
}

/**
 * Declares the table empty (creating it if it is missing) and deletes it, in
 * the same transaction as whatever follows: `nft -f -` applies the whole text
 * atomically, so the table is replaced, never doubled and never half there.
 */
function replaceTable(table: string): string[] {
  return [`table inet ${table}`, `delete table inet ${table}`];
}

/**
 * The text for `nft -f -` that makes the table exactly these rules, however
 * it looked before. Every value is checked first: the text goes to nft as is,
 * and an interface name with a quote or a newline could otherwise add rules.
 */
export function renderEgressRuleset(rules: EgressRules): Result<string, "VPN_EGRESS_INVALID"> {
  for (const [what, name] of [
    ["WireGuard interface", rules.wireguardInterface],
    ["egress interface", rules.egressInterface],
  ] as const) {
    if (!isInterfaceName(name))
      return err("VPN_EGRESS_INVALID", `the ${what} ${JSON.stringify(name)} is not a valid name`);
  }
  const subnet = clientSubnetOf(rules.clientSubnet);
  if (!subnet.ok || subnet.value !== rules.clientSubnet)
    return err(
      "VPN_EGRESS_INVALID",
      `the client subnet ${JSON.stringify(rules.clientSubnet)} is not an IPv4 network block, e.g. 10.64.0.0/24`,
    );
  const parsed = parseNetworks(rules.blockedDestinations);
  if (!parsed.ok)
    return err("VPN_EGRESS_INVALID", `a blocked destination: ${parsed.error.message}`);
  const blocked = parsed.value;
  const table = egressTableName(rules.wireguardInterface);
  const wireguard = JSON.stringify(rules.wireguardInterface);
  const forwardRules = [
    ...(rules.allowClientToClient ? [] : [`\t\tiifname ${wireguard} oifname ${wireguard} drop`]),
    ...blocked.map(
      (network) => `\t\tiifname ${wireguard} oifname != ${wireguard} ${nftDaddr(network)} drop`,
    ),
  ];
  const forward =
    forwardRules.length === 0
      ? []
      : [
          "\tchain forward {",
          "\t\ttype filter hook forward priority filter; policy accept;",
          ...forwardRules,
          "\t}",
        ];
  // Packets for the server's own addresses skip the forward chain: without
  // these, a client could reach a service bound to the server's address on a
  // blocked network (the provider's private network, a container bridge).
  // Its tunnel address stays open (a resolver in CLIENT_DNS may listen there).
  const input =
    blocked.length === 0
      ? []
      : [
          "\tchain input {",
          "\t\ttype filter hook input priority filter; policy accept;",
          `\t\tiifname ${wireguard} ip daddr ${subnet.value} accept`,
          ...blocked.map((network) => `\t\tiifname ${wireguard} ${nftDaddr(network)} drop`),
          "\t}",
        ];
  const lines = [
    ...replaceTable(table),
    `table inet ${table} {`,
    ...input,
    ...forward,
    "\tchain postrouting {",
    "\t\ttype nat hook postrouting priority srcnat; policy accept;",
    `\t\tip saddr ${subnet.value} oifname ${JSON.stringify(rules.egressInterface)} masquerade`,
    "\t}",
    "}",
  ];
  return ok(`${lines.join("\n")}\n`);
}

/** The text for `nft -f -` that removes the table, whether or not it exists. */
export function renderEgressRemoval(wireguardInterface: string): string {
  return `${replaceTable(egressTableName(wireguardInterface)).join("\n")}\n`;
}
