/**
 * A small Internet with a censored network in it, built from network
 * namespaces (test/support/network-namespace.ts):
 *
 *   srvA, srvB, srvC, ctl ── inet ── cen ── van1, van2, usr
 *
 * `inet` routes between the VPN servers (srvA/B/C), the control vantage
 * outside (ctl) and the censor's uplink; `cen`, the censored network's
 * router, connects the vantage points (van1, van2) and a user (usr) inside.
 * Every link is a /30 of TEST-NET-3 (outside) or TEST-NET-2 (inside), used
 * only inside these namespaces. The censor drops traffic to a server with a
 * blackhole route, so only what passes through `cen` is affected.
 */
import type { TestNetwork } from "../../../support/network-namespace.ts";

export const SERVER_NAMES = ["A", "B", "C"] as const;
export type ServerName = (typeof SERVER_NAMES)[number];

/** A namespace on one end of a /30, routing everything through the router on the other end. */
interface Leaf {
  role: string;
  router: "inet" | "cen";
  routerAddress: string;
  address: string;
}

const SERVER_LEAVES: Record<ServerName, Leaf> = {
  A: { role: "srvA", router: "inet", routerAddress: "203.0.113.1", address: "203.0.113.2" },
  B: { role: "srvB", router: "inet", routerAddress: "203.0.113.5", address: "203.0.113.6" },
  C: { role: "srvC", router: "inet", routerAddress: "203.0.113.9", address: "203.0.113.10" },
};
const CONTROL_LEAF: Leaf = {
  role: "ctl",
  router: "inet",
  routerAddress: "203.0.113.13",
  address: "203.0.113.14",
};
const VANTAGE_LEAVES: readonly Leaf[] = [
  { role: "van1", router: "cen", routerAddress: "198.51.100.5", address: "198.51.100.6" },
  { role: "van2", router: "cen", routerAddress: "198.51.100.9", address: "198.51.100.10" },
];
const USER_LEAF: Leaf = {
  role: "usr",
  router: "cen",
  routerAddress: "198.51.100.13",
  address: "198.51.100.14",
};
/** The censor's uplink: inet holds .1, cen .2. */
const UPLINK = { inet: "198.51.100.1", cen: "198.51.100.2" };
/** Everything behind the censor, routed by inet through the uplink. */
const CENSORED_RANGE = "198.51.100.0/24";

export interface CensoredNetwork {
  /** Namespace and address of each VPN server. */
  servers: Record<ServerName, { namespace: string; address: string }>;
  /** The control vantage, outside the censored network. */
  control: string;
  /** Namespace and address of each vantage point inside the censored network. */
  vantages: Array<{ namespace: string; address: string }>;
  /** A user inside the censored network. */
  user: string;
  /** From now on, the censor drops everything to `address`. */
  censor(address: string): Promise<void>;
  /**
   * From now on, the censor drops WireGuard handshake initiations by their
   * shape: UDP payloads of 148 bytes whose first byte is 1, to `toAddress`
   * alone when given, else to any address.
   */
  dropWireGuardInitiations(toAddress?: string): Promise<void>;
}

async function addLeaf(
  network: TestNetwork,
  routers: Record<Leaf["router"], string>,
  leaf: Leaf,
): Promise<string> {
  const namespace = await network.addNamespace(leaf.role);
  await network.link(
    { namespace: routers[leaf.router], address: `${leaf.routerAddress}/30` },
    { namespace, address: `${leaf.address}/30` },
  );
  await network.must("ip", ["-n", namespace, "route", "add", "default", "via", leaf.routerAddress]);
  return namespace;
}

/** Builds the namespaces, links and routes of the censored network on `network`. */
export async function buildCensoredNetwork(network: TestNetwork): Promise<CensoredNetwork> {
  const routers = {
    inet: await network.addNamespace("inet"),
    cen: await network.addNamespace("cen"),
  };
  for (const router of Object.values(routers))
    await network.exec(router, "sysctl", ["-q", "-w", "net.ipv4.ip_forward=1"]);
  await network.link(
    { namespace: routers.inet, address: `${UPLINK.inet}/30` },
    { namespace: routers.cen, address: `${UPLINK.cen}/30` },
  );
  await network.must("ip", ["-n", routers.cen, "route", "add", "default", "via", UPLINK.inet]);
  await network.must("ip", ["-n", routers.inet, "route", "add", CENSORED_RANGE, "via", UPLINK.cen]);

  const servers = {} as CensoredNetwork["servers"];
  for (const name of SERVER_NAMES) {
    const leaf = SERVER_LEAVES[name];
    servers[name] = { namespace: await addLeaf(network, routers, leaf), address: leaf.address };
  }
  const control = await addLeaf(network, routers, CONTROL_LEAF);
  const vantages: CensoredNetwork["vantages"] = [];
  for (const leaf of VANTAGE_LEAVES)
    vantages.push({ namespace: await addLeaf(network, routers, leaf), address: leaf.address });
  const user = await addLeaf(network, routers, USER_LEAF);
  return {
    servers,
    control,
    vantages,
    user,
    async censor(address) {
      await network.must("ip", ["-n", routers.cen, "route", "add", "blackhole", `${address}/32`]);
    },
    async dropWireGuardInitiations(toAddress) {
      // The UDP length counts its 8-byte header; the payload's first byte is 64 bits into it.
      const nft = (args: string[]) => network.exec(routers.cen, "nft", args);
      await nft(["add", "table", "inet", "censor"]);
      await nft([
        "add",
        "chain",
        "inet",
        "censor",
        "forward",
        "{ type filter hook forward priority 0 ; }",
      ]);
      await nft([
        "add",
        "rule",
        "inet",
        "censor",
        "forward",
        ...(toAddress === undefined ? [] : ["ip", "daddr", toAddress]),
        "udp",
        "length",
        "156",
        "@th,64,8",
        "1",
        "drop",
      ]);
    },
  };
}
