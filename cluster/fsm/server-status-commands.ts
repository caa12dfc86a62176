/**
 * Applying changes of a server's status: an admin's ban, unban, drain or
 * activate, and the verdicts of ban-check rounds that ban a filtered server,
 * mark a dead one down and bring it back.
 */
import { actorLabel } from "./actors.ts";
import type { ApplyContext } from "./apply-context.ts";
import { applied, repeated } from "./apply-result.ts";
import { applyVerdict } from "./check-verdicts.ts";
import type { CommandOf } from "./commands.ts";
import type { ControlPlaneData } from "./control-plane-data.ts";
import { refuse, unknownServer } from "./errors.ts";
import { recordVerdicts } from "./hourly-history.ts";
import { applyProtocolVerdicts } from "./protocol-blocks.ts";
import type { Server, ServerStatus } from "./records.ts";
import { banServer, type RehomeSummary, replacementKeysProblem } from "./rehome.ts";
import { statusReasonText } from "./status-reasons.ts";
import { copyCheckResult, copyServer } from "./views.ts";

/** The actor recorded for status changes the ban checks make. */
export const BAN_CHECK_ACTOR = "ban-check";

/**
 * Sets a server's status. Banning re-homes its users (see rehome.ts);
 * activating clears the check counters, so a lifted ban needs a fresh run of
 * `filtered` verdicts before it can happen again.
 */
export function setServerStatus(
  data: ControlPlaneData,
  context: ApplyContext,
  command: CommandOf<"setServerStatus">,
) {
  const server = data.servers.get(command.serverId);
  if (!server) return unknownServer(command.serverId);
  if (server.status === "removed")
    return refuse("MEMBER_REMOVED", `server ${server.id} was removed from the cluster for good`);
  const actor = actorLabel(command.actor);
  let rehome: RehomeSummary | null = null;
  if (command.status === "banned" && server.status !== "banned") {
    const problem = replacementKeysProblem(data, command.replacementKeys);
    if (problem) return problem;
    rehome = banServer(data, context, server, {
      reason: command.reason,
      actor,
      at: command.at,
      replacementKeys: command.replacementKeys,
    });
  } else {
    setStatus(server, command.status, command.reason, actor, command.at);
    if (command.status === "active") {
      server.checks.consecutiveFiltered = 0;
      server.checks.consecutiveDown = 0;
    }
  }
  return applied({ server: copyServer(server, data.liveConfigCountOfServer(server.id)), rehome });
}

/**
 * Records one round's verdict for one server. A second verdict for a round
 * already recorded is ignored (answered as a duplicate), and one for an older
 * round is refused: a round is counted at most once, in order, even when a
 * leader change leaves two nodes probing.
 */
export function recordVerdict(
  data: ControlPlaneData,
  context: ApplyContext,
  command: CommandOf<"recordVerdict">,
) {
  const server = data.servers.get(command.serverId);
  if (!server) return unknownServer(command.serverId);
  const lastRound = server.checks.lastRound;
  if (lastRound !== null && command.round <= lastRound) {
    const earlier = server.checks.recent.find((result) => result.round === command.round);
    if (earlier)
      return repeated({
        serverId: server.id,
        ...copyCheckResult(earlier),
        transition: "none",
        rehome: null,
        protocolChanges: [],
      });
    return refuse(
      "STALE_ROUND",
      `server ${server.id} already has a verdict for round ${lastRound}; round ${command.round} is older`,
    );
  }
  const problem = replacementKeysProblem(data, command.replacementKeys);
  if (problem) return problem;

  const result = {
    round: command.round,
    verdict: command.verdict,
    evidence: command.evidence,
    at: command.at,
  };
  const outcome = applyVerdict(server.checks, server.status, result, command);
  server.checks = outcome.checks;
  recordVerdicts(server, command.at, [
    { group: "", verdict: command.verdict },
    ...(command.ispVerdicts ?? []).map(({ isp, verdict }) => ({ group: isp, verdict })),
  ]);
  let rehome: RehomeSummary | null = null;
  switch (outcome.transition) {
    case "ban":
      rehome = banServer(data, context, server, {
        reason:
          command.evidence ||
          statusReasonText({ kind: "filteredInARow", checks: command.banAfter }),
        actor: BAN_CHECK_ACTOR,
        at: command.at,
        replacementKeys: command.replacementKeys,
      });
      break;
    case "markDown": {
      const reason = command.evidence || statusReasonText({ kind: "notAnswering" });
      setStatus(server, "down", reason, BAN_CHECK_ACTOR, command.at);
      for (const adminId of data.activeAdminIds()) {
        context.notify(
          adminId,
          "adminAlert",
          { event: "serverDown", serverId: server.id, reason: server.statusReason },
          command.at,
        );
      }
      break;
    }
    case "recover":
      setStatus(server, "active", "checks pass again", BAN_CHECK_ACTOR, command.at);
      break;
    case "none":
      break;
  }
  const protocolChanges =
    server.status === "banned" || server.status === "removed"
      ? []
      : applyProtocolVerdicts(data, context, server, command.protocolVerdicts ?? [], {
          banAfter: command.banAfter,
          downAfter: command.downAfter,
          at: command.at,
          evidence: command.evidence,
          replacementKeys: command.replacementKeys,
        });
  return applied({
    serverId: server.id,
    ...result,
    transition: outcome.transition,
    rehome,
    protocolChanges,
  });
}

function setStatus(
  server: Server,
  status: ServerStatus,
  reason: string,
  actor: string,
  at: number,
): void {
  server.status = status;
  server.statusReason = reason;
  server.statusActor = actor;
  server.statusAt = at;
}
