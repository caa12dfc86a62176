/**
 * The resolvers this host's programs ask, from /etc/resolv.conf: the ones
 * ss-server asks for its clients' names (through c-ares, which reads the
 * same file), and so the only port-53 destinations the Shadowsocks UDP
 * guard leaves open on blocked networks.
 */
import { readFile } from "node:fs/promises";
import { isIP } from "node:net";

export const RESOLV_CONF = "/etc/resolv.conf";

/** The `nameserver` addresses of a resolv.conf text, in order; a zone index (`%eth0`) is dropped. */
export function parseResolvConf(text: string): string[] {
  const addresses: string[] = [];
  for (const line of text.split("\n")) {
    const match = /^\s*nameserver\s+(\S+)/.exec(line);
    const address = match?.[1]?.split("%")[0] ?? "";
    if (isIP(address) !== 0 && !addresses.includes(address)) addresses.push(address);
  }
  return addresses;
}

/** This host's resolvers, or undefined when the file cannot be read. */
export async function readSystemResolvers(path = RESOLV_CONF): Promise<string[] | undefined> {
  try {
    return parseResolvConf(await readFile(path, "utf8"));
  } catch {
    return undefined;
  }
}
