/**
 * Reading an interface's state from `ip -j address show dev <interface>`
 * (iproute2's JSON output), and deciding which addresses to add or remove.
 */
import { err, ok, type Result } from "../../shared/result.ts";

/** What the driver needs to know about the interface's link. */
export interface LinkState {
  /** Administratively up (`ip link set ... up` was done). */
  up: boolean;
  /** Global-scope addresses as `address/prefix`; link-local ones are the kernel's business. */
  addresses: string[];
  mtu: number;
}

interface IpAddressInfo {
  local?: unknown;
  prefixlen?: unknown;
  scope?: unknown;
}

function unreadable(why: string): Result<never, "VPN_OUTPUT_UNREADABLE"> {
  return err("VPN_OUTPUT_UNREADABLE", `ip -j address show: ${why}`);
}

/** Parses the JSON that `ip -j address show dev <interface>` prints for one interface. */
export function parseIpAddressShow(json: string): Result<LinkState, "VPN_OUTPUT_UNREADABLE"> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return unreadable("the output is not JSON");
  }
  if (!Array.isArray(parsed) || parsed.length !== 1) {
    return unreadable("expected exactly one interface");
  }
  const link = parsed[0] as { flags?: unknown; addr_info?: unknown; mtu?: unknown };
  if (!Array.isArray(link.flags) || !Array.isArray(link.addr_info)) {
    return unreadable("the interface has no flags or addr_info");
  }
  if (typeof link.mtu !== "number") return unreadable("the interface has no mtu");
  const addresses: string[] = [];
  for (const info of link.addr_info as IpAddressInfo[]) {
    if (typeof info.local !== "string" || typeof info.prefixlen !== "number") {
      return unreadable("an address has no local or prefixlen");
    }
    if (info.scope === "global") addresses.push(`${info.local}/${info.prefixlen}`);
  }
  return ok({ up: link.flags.includes("UP"), addresses, mtu: link.mtu });
}

/** The `ip address` changes that leave exactly `desired` among the global addresses. */
export function addressChanges(
  current: readonly string[],
  desired: string,
): { add: string[]; remove: string[] } {
  const wanted = desired.toLowerCase();
  return {
    add: current.some((address) => address.toLowerCase() === wanted) ? [] : [desired],
    remove: current.filter((address) => address.toLowerCase() !== wanted),
  };
}
