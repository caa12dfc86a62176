/**
 * Lists of networks in CIDR form (`10.0.0.0/8,fd00::/8`), as environment
 * variables give them: who is trusted, where VPN clients may not go.
 */
import { isIP } from "node:net";
import { err, ok, type Result } from "./result.ts";

export interface Network {
  /** The address as written: IPv4 dotted or IPv6. */
  address: string;
  prefixLength: number;
  family: "ipv4" | "ipv6";
}

/** Parses `a.b.c.d/n,x::y/n,...`; `none` is the empty list. */
export function parseNetworkList(text: string): Result<Network[], "INVALID_NETWORKS"> {
  if (text.trim() === "none") return ok([]);
  return parseNetworks(text.split(",").map((part) => part.trim()));
}

/** Parses each of `texts` as a network; the first that is not one is the error. */
export function parseNetworks(texts: readonly string[]): Result<Network[], "INVALID_NETWORKS"> {
  const networks: Network[] = [];
  for (const text of texts) {
    const network = parseNetwork(text);
    if (!network.ok) return network;
    networks.push(network.value);
  }
  return ok(networks);
}

/** Parses one `a.b.c.d/n` or `x::y/n`. */
export function parseNetwork(text: string): Result<Network, "INVALID_NETWORKS"> {
  const [address = "", prefixText = "", extra] = text.split("/");
  const family = isIP(address);
  const prefixLength = Number(prefixText);
  if (
    extra !== undefined ||
    family === 0 ||
    !/^\d{1,3}$/.test(prefixText) ||
    prefixLength > (family === 6 ? 128 : 32)
  ) {
    return err("INVALID_NETWORKS", `${text} is not a network like 10.0.0.0/8 or fd00::/8`);
  }
  return ok({ address, prefixLength, family: family === 6 ? "ipv6" : "ipv4" });
}

export function formatNetwork(network: Network): string {
  return `${network.address}/${network.prefixLength}`;
}
