/**
 * Who may propose what. The leader stamps every proposal a peer forwarded
 * with that peer's authenticated id (node.ts); proposals made in the leader's
 * own process (its admin API, its bot, its leader tasks, its own server's
 * reports) carry no stamp and are not limited here.
 *
 * A node forwards only what it says about its own server: its registration,
 * its endpoint, its load, its traffic, its probe peer and its Shadowsocks
 * probe port. Everything else (bans, configs,
 * users, settings, probes, broadcasts, identity keys, ...) is proposed by the
 * leader's own process: a follower's admin API points the client at the
 * leader instead of forwarding (api/not-leader.ts), and the bot and leader
 * tasks run on the leader only. So apply refuses any other forwarded command
 * and any report about a server but the forwarder's own: a seized server can
 * neither act as the admin nor re-register, re-key or move another server
 * (and send that server's users through itself).
 */
import type { ControlPlaneCommand } from "./commands.ts";
import { type Refusal, refuse } from "./errors.ts";

/** What a node reports about its own server: all it may forward. */
const OWN_SERVER_REPORTS = new Set<ControlPlaneCommand["type"]>([
  "registerServer",
  "setServerEndpoint",
  "reportServerLoad",
  "setProbePeer",
  "reportTraffic",
  "setShadowsocksProbe",
]);

/** Why `command`, forwarded by `forwardedBy` (undefined: proposed by the leader itself), is refused. */
export function proposerProblem(
  command: ControlPlaneCommand,
  forwardedBy: string | undefined,
): Refusal | undefined {
  if (forwardedBy === undefined) return undefined;
  if (!OWN_SERVER_REPORTS.has(command.type) || !("serverId" in command))
    return refuse(
      "FORWARDED_COMMAND_REFUSED",
      `${command.type} was forwarded by ${forwardedBy}; a node forwards only reports about its own server, everything else goes to the leader's own API`,
    );
  if (command.serverId !== forwardedBy)
    return refuse(
      "NOT_OWN_SERVER",
      `${forwardedBy} proposed ${command.type} about server ${command.serverId}; a node reports only about its own server`,
    );
  return undefined;
}
