import type { Network } from "../../shared/network-list.ts";

/** The nftables match for packets to `network`: `ip daddr a.b.c.d/n` or `ip6 daddr x::y/n`. */
export function nftDaddr({ family, address, prefixLength }: Network): string {
  return `${family === "ipv6" ? "ip6" : "ip"} daddr ${address}/${prefixLength}`;
}
