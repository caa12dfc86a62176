/**
 * A client config's name, as users see it in the chat and as the tunnel's
 * name in their VPN app (the WireGuard apps take it from the file name, so
 * it must be a valid interface name: 1-15 of `A-Za-z0-9_=+.-`). Two configs
 * of one user never share a name, or the second import would collide with
 * the first. Pure, so every config format (a `.conf` file, a link's label)
 * names a config the same way.
 */
import { toInterfaceName } from "../agent/interface-name.ts";

const BRAND = "nexaloak";
const MAX_LENGTH = 15;

/**
 * The name of a user's `ordinal`-th config (1 for their first, counting every
 * config they ever had, so a name never changes and is never reused): the
 * server and the number, `nexaloak-n1-2`, without the brand when that does
 * not fit, and with the server's id cut short when even that does not.
 */
export function configName(serverId: string, ordinal: number): string {
  const suffix = `-${Math.max(1, Math.trunc(ordinal))}`;
  const branded = `${BRAND}-${serverId}${suffix}`;
  if (branded.length <= MAX_LENGTH) return toInterfaceName(branded, `${BRAND}${suffix}`);
  const server = serverId.slice(0, MAX_LENGTH - suffix.length);
  return toInterfaceName(`${server}${suffix}`, `${BRAND}${suffix}`.slice(-MAX_LENGTH));
}

/** The names of every config one user ever had, given oldest first (as the state keeps them). */
export function configNames(configsOldestFirst: readonly { serverId: string }[]): string[] {
  return configsOldestFirst.map((config, index) => configName(config.serverId, index + 1));
}

/** The file a config is sent as: its name, and `.conf`. */
export function configFileName(name: string): string {
  return `${name}.conf`;
}
