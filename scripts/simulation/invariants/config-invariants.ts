/**
 * What must hold of servers and their live configs: each live config on a
 * server that serves it, with its own address and, for Shadowsocks, its own
 * port of the server's range; no live config of a protocol its server closed.
 */
import type { Config } from "../../../cluster/fsm/records.ts";
import type { ServerView } from "../../../cluster/fsm/views.ts";

/**
 * The first broken invariant of the servers and live configs, or undefined.
 * Every live config holds its own address (a Shadowsocks config too: it
 * takes one of its server's subnet though nothing routes to it, see
 * records.ts); a live Shadowsocks config holds its own port of its server's
 * range, which the ban checks' probe port shares with no config.
 */
export function configViolation(
  servers: readonly ServerView[],
  configs: readonly Config[],
): string | undefined {
  const serverById = new Map(servers.map((server) => [server.id, server]));
  const holders = new Map<string, string>();
  const portHolders = new Map<string, string>();
  for (const server of servers) {
    const probePort = server.shadowsocksProbe?.port;
    if (probePort === undefined) continue;
    const range = server.shadowsocks;
    if (!range || probePort < range.firstPort || probePort > range.lastPort)
      return `server ${server.id}'s Shadowsocks probe port ${probePort} is outside its Shadowsocks ports`;
    portHolders.set(`${server.id}:${probePort}`, "the Shadowsocks probe");
  }
  for (const config of configs) {
    const server = serverById.get(config.serverId);
    if (!server) return `live config ${config.id} is on unknown server ${config.serverId}`;
    if (server.status === "banned" || server.status === "removed")
      return `live config ${config.id} is on ${server.status} server ${config.serverId}`;
    if (server.blockedProtocols.some((blocked) => blocked.protocol === config.protocol))
      return `live config ${config.id} is ${config.protocol} on server ${server.id}, which closed ${config.protocol}`;
    const holder = holders.get(config.address);
    if (holder !== undefined)
      return `address ${config.address} is held by live configs ${holder} and ${config.id}`;
    holders.set(config.address, config.id);
    if ((config.protocol === "shadowsocks") !== (config.shadowsocks !== null))
      return `live config ${config.id} (${config.protocol}) has shadowsocks ${JSON.stringify(config.shadowsocks)}`;
    if (!config.shadowsocks) continue;
    const { port } = config.shadowsocks;
    const range = server.shadowsocks;
    if (!range || port < range.firstPort || port > range.lastPort)
      return `live config ${config.id} has port ${port} outside server ${server.id}'s Shadowsocks ports`;
    const portKey = `${server.id}:${port}`;
    const portHolder = portHolders.get(portKey);
    if (portHolder !== undefined)
      return `port ${portKey} is held by ${portHolder} and live config ${config.id}`;
    portHolders.set(portKey, `live config ${config.id}`);
  }
  return undefined;
}
