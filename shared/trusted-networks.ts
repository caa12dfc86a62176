/**
 * The networks whose requests get a node's details without a token:
 * `/metrics`, the reason a node is not ready, and error answers that say what
 * went wrong. Everyone else gets bland answers that do not name the product,
 * so a censor scanning the internet cannot tell a NexaLoak node from any
 * other web server. Default: loopback only.
 */
import { BlockList, isIP } from "node:net";
import { normalizeAddress } from "./ip-address.ts";
import { parseNetworkList } from "./network-list.ts";
import { ok, type Result } from "./result.ts";

export const DEFAULT_TRUSTED_NETWORKS = "127.0.0.0/8,::1/128";

export type TrustedNetworks = (address: string | undefined) => boolean;

/** Parses `a.b.c.d/n,x::y/n,...`; `none` trusts no network. */
export function parseTrustedNetworks(text: string): Result<TrustedNetworks, "INVALID_NETWORKS"> {
  const networks = parseNetworkList(text);
  if (!networks.ok) return networks;
  const list = new BlockList();
  for (const { address, prefixLength, family } of networks.value)
    list.addSubnet(address, prefixLength, family);
  return ok((raw) => {
    const address = raw === undefined ? null : normalizeAddress(raw);
    if (address === null) return false;
    return list.check(address, isIP(address) === 6 ? "ipv6" : "ipv4");
  });
}
