/**
 * The networks whose requests get a node's details without a token:
 * `/metrics`, the reason a node is not ready, and error answers that say what
 * went wrong. Everyone else gets bland answers that do not name the product,
 * so a censor scanning the internet cannot tell a NexaLoak node from any
 * other web server. Default: loopback only.
 */
import { BlockList, isIP } from "node:net";
import { normalizeAddress } from "./ip-address.ts";
import { err, ok, type Result } from "./result.ts";

export const DEFAULT_TRUSTED_NETWORKS = "127.0.0.0/8,::1/128";

export type TrustedNetworks = (address: string | undefined) => boolean;

/** Parses `a.b.c.d/n,x::y/n,...`; `none` trusts no network. */
export function parseTrustedNetworks(text: string): Result<TrustedNetworks, "INVALID_NETWORKS"> {
  const list = new BlockList();
  const parts = text.trim() === "none" ? [] : text.split(",").map((item) => item.trim());
  for (const part of parts) {
    const [address, prefixText, extra] = part.split("/");
    const family = isIP(address ?? "");
    const prefix = Number(prefixText);
    const maxPrefix = family === 6 ? 128 : 32;
    if (
      extra !== undefined ||
      family === 0 ||
      !/^\d{1,3}$/.test(prefixText ?? "") ||
      prefix > maxPrefix
    ) {
      return err("INVALID_NETWORKS", `${part} is not a network like 10.0.0.0/8 or fd00::/8`);
    }
    list.addSubnet(address!, prefix, family === 6 ? "ipv6" : "ipv4");
  }
  return ok((raw) => {
    const address = raw === undefined ? null : normalizeAddress(raw);
    if (address === null) return false;
    return list.check(address, isIP(address) === 6 ? "ipv6" : "ipv4");
  });
}
