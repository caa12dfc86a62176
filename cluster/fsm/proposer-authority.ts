/**
 * Who may propose what. The leader stamps every proposal a peer forwarded
 * with that peer's authenticated id (node.ts); proposals made in the leader's
 * own process (its admin API, its bot, its leader tasks, its own server's
 * reports) carry no stamp. A forwarded proposal is trusted only as far as the
 * forwarding node's own server goes: a node reports about its own server and
 * no other, and identity keys change only through the leader's own process.
 * So a seized server can no longer re-register, re-key or move another
 * server (and send that server's users through itself), nor pin, replace
 * or revoke anyone's identity key.
 */
import type { ControlPlaneCommand } from "./commands.ts";
import { type Refusal, refuse } from "./errors.ts";

/** What a node reports about its own server. */
const OWN_SERVER_REPORTS = new Set<ControlPlaneCommand["type"]>([
  "registerServer",
  "setServerEndpoint",
  "reportServerLoad",
  "setProbePeer",
]);

/** What only the leader's own process proposes. */
const LEADER_ONLY = new Set<ControlPlaneCommand["type"]>([
  "pinNodeKey",
  "replaceNodeKey",
  "revokeNodeKey",
]);

/** Why `command`, forwarded by `forwardedBy` (undefined: proposed by the leader itself), is refused. */
export function proposerProblem(
  command: ControlPlaneCommand,
  forwardedBy: string | undefined,
): Refusal | undefined {
  if (forwardedBy === undefined) return undefined;
  if (OWN_SERVER_REPORTS.has(command.type) && "serverId" in command) {
    if (command.serverId !== forwardedBy)
      return refuse(
        "NOT_OWN_SERVER",
        `${forwardedBy} proposed ${command.type} about server ${command.serverId}; a node reports only about its own server`,
      );
  }
  if (LEADER_ONLY.has(command.type))
    return refuse(
      "LEADER_ONLY_COMMAND",
      `${command.type} was forwarded by ${forwardedBy}; identity keys change only through the leader's own API`,
    );
  return undefined;
}
