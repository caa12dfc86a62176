/**
 * What a round's protocol verdicts do to a server that offers two
 * protocols (bot/jobs/protocol-verdicts.ts): the same hysteresis as bans,
 * per protocol.
 *
 * - `filtered` counts towards closing the protocol, `ok` towards reopening
 *   it, `inconclusive` changes neither; each breaks the other's run.
 * - After `banAfter` consecutive `filtered` rounds the protocol is closed on
 *   this server (`blockedProtocols`): placement offers it elsewhere only,
 *   and every live config of it here moves to the same protocol on a server
 *   where it is open; when there is none, the user gets a config of a
 *   protocol that works (the server's other one, wherever placement finds
 *   room), with the new key, through the outbox; else `noCapacity`. Admins
 *   are told which protocol is blocked at which ISPs, and the tally.
 * - After `banAfter` consecutive `ok` rounds a closed protocol reopens for
 *   new configs (users already moved stay where they are), and admins are told.
 * - The last open protocol of a server is never closed this way: every
 *   protocol failing is the server filtered, which bans it (check-verdicts.ts).
 *
 * The configs moved take the replacement keys by their position among the
 * server's live configs, as a ban does (rehome.ts); a config without a key
 * is revoked (`rehome_pending`) and its user asked to get a new one.
 */
import type { ApplyContext } from "./apply-context.ts";
import type { VerdictThresholds } from "./check-verdicts.ts";
import type { CommandOf, ReplacementKey } from "./commands.ts";
import { retireAndTellOwner } from "./config-commands.ts";
import type { ControlPlaneData } from "./control-plane-data.ts";
import { chooseServer } from "./placement.ts";
import {
  type ConfigProtocol,
  OFFERED_PROTOCOLS,
  type OfferedProtocol,
  type ProtocolRun,
  type Server,
} from "./records.ts";
import { replacementConfig } from "./rehome.ts";

/** What closing one protocol on one server did. */
export interface ProtocolBlockSummary {
  serverId: string;
  protocol: OfferedProtocol;
  /** `closed` with its configs moved, or `reopened`. */
  change: "closed" | "reopened";
  /** Moved to the same protocol on another server. */
  moved: Array<{ from: string; to: string; serverId: string }>;
  /** Given a config of another protocol, because no server had this one open with room. */
  switched: Array<{ from: string; to: string; serverId: string; protocol: ConfigProtocol }>;
  /** Revoked: no server had room for any protocol that works. */
  withoutCapacity: string[];
  /** Revoked: no replacement key was supplied for them. */
  pending: string[];
}

type ProtocolVerdicts = NonNullable<CommandOf<"recordVerdict">["protocolVerdicts"]>;

function runOf(server: Server, protocol: OfferedProtocol): ProtocolRun {
  let run = server.checks.protocols.find((candidate) => candidate.protocol === protocol);
  if (!run) {
    run = { protocol, consecutiveFiltered: 0, consecutiveOk: 0 };
    server.checks.protocols = [...server.checks.protocols, run].sort(
      (a, b) => OFFERED_PROTOCOLS.indexOf(a.protocol) - OFFERED_PROTOCOLS.indexOf(b.protocol),
    );
  }
  return run;
}

function isBlocked(server: Server, protocol: ConfigProtocol): boolean {
  return server.blockedProtocols.some((blocked) => blocked.protocol === protocol);
}

/**
 * Applies one round's protocol verdicts to `server` (not banned or removed):
 * counters first, then closing and reopening, in OFFERED_PROTOCOLS order.
 */
export function applyProtocolVerdicts(
  data: ControlPlaneData,
  context: ApplyContext,
  server: Server,
  verdicts: ProtocolVerdicts,
  request: VerdictThresholds & {
    at: number;
    evidence: string;
    replacementKeys: readonly ReplacementKey[];
  },
): ProtocolBlockSummary[] {
  const summaries: ProtocolBlockSummary[] = [];
  const ordered = [...verdicts].sort(
    (a, b) => OFFERED_PROTOCOLS.indexOf(a.protocol) - OFFERED_PROTOCOLS.indexOf(b.protocol),
  );
  for (const { protocol, verdict } of ordered) {
    const run = runOf(server, protocol);
    if (verdict === "filtered") {
      run.consecutiveFiltered++;
      run.consecutiveOk = 0;
    } else if (verdict === "ok") {
      run.consecutiveOk++;
      run.consecutiveFiltered = 0;
    }
  }
  for (const { protocol, verdict, filteredIsps } of ordered) {
    const run = runOf(server, protocol);
    const blocked = isBlocked(server, protocol);
    const othersOpen = server.protocols.some(
      (other) => other !== protocol && other !== "amneziawg" && !isBlocked(server, other),
    );
    if (
      !blocked &&
      verdict === "filtered" &&
      run.consecutiveFiltered >= request.banAfter &&
      othersOpen
    ) {
      server.blockedProtocols = [
        ...server.blockedProtocols,
        { protocol, isps: [...filteredIsps].sort(), since: request.at, evidence: request.evidence },
      ].sort(
        (a, b) => OFFERED_PROTOCOLS.indexOf(a.protocol) - OFFERED_PROTOCOLS.indexOf(b.protocol),
      );
      const summary = moveConfigs(data, context, server, protocol, request);
      tellAdmins(data, context, summary, filteredIsps, request.at);
      summaries.push(summary);
    } else if (blocked && verdict === "ok" && run.consecutiveOk >= request.banAfter) {
      server.blockedProtocols = server.blockedProtocols.filter(
        (entry) => entry.protocol !== protocol,
      );
      const summary: ProtocolBlockSummary = {
        serverId: server.id,
        protocol,
        change: "reopened",
        moved: [],
        switched: [],
        withoutCapacity: [],
        pending: [],
      };
      tellAdmins(data, context, summary, [], request.at);
      summaries.push(summary);
    }
  }
  return summaries;
}

/** Moves every live config of `protocol` off `server`, which has just closed it. */
function moveConfigs(
  data: ControlPlaneData,
  context: ApplyContext,
  server: Server,
  protocol: OfferedProtocol,
  request: { at: number; replacementKeys: readonly ReplacementKey[] },
): ProtocolBlockSummary {
  const summary: ProtocolBlockSummary = {
    serverId: server.id,
    protocol,
    change: "closed",
    moved: [],
    switched: [],
    withoutCapacity: [],
    pending: [],
  };
  // The keys follow the positions of all the server's live configs, as the proposer listed them.
  const liveIds = data.liveConfigIdsOfServer(server.id);
  const working = server.protocols.filter(
    (other) => other !== protocol && other !== "amneziawg" && !isBlocked(server, other),
  );
  liveIds.forEach((configId, position) => {
    const old = data.configs.get(configId)!;
    if (old.protocol !== protocol) return;
    const key = request.replacementKeys[position];
    if (!key) {
      retireAndTellOwner(data, context, old, request.at, "rehome_pending");
      summary.pending.push(configId);
      return;
    }
    let placed = chooseServer(data.placementCandidates(), { protocol });
    let target: ConfigProtocol = protocol;
    for (const other of working) {
      if (placed.ok) break;
      placed = chooseServer(data.placementCandidates(), { protocol: other });
      target = other;
    }
    if (!placed.ok) {
      data.retireConfig(old, request.at, "no_capacity");
      context.notify(old.userId, "noCapacity", { configId, serverId: server.id }, request.at);
      summary.withoutCapacity.push(configId);
      return;
    }
    const replacement = replacementConfig(data, old, key, placed.value, request.at, target);
    data.retireConfig(old, request.at, "protocol_blocked", replacement.id);
    data.insertConfig(replacement);
    context.notify(
      old.userId,
      "serverChanged",
      {
        configId: replacement.id,
        previousConfigId: configId,
        serverId: replacement.serverId,
        protocol: target,
        previousProtocol: protocol,
      },
      request.at,
    );
    const entry = { from: configId, to: replacement.id, serverId: replacement.serverId };
    if (target === protocol) summary.moved.push(entry);
    else summary.switched.push({ ...entry, protocol: target });
  });
  return summary;
}

function tellAdmins(
  data: ControlPlaneData,
  context: ApplyContext,
  summary: ProtocolBlockSummary,
  isps: readonly string[],
  at: number,
): void {
  for (const adminId of data.activeAdminIds()) {
    context.notify(
      adminId,
      "adminAlert",
      {
        event: summary.change === "closed" ? "protocolBlocked" : "protocolReopened",
        serverId: summary.serverId,
        protocol: summary.protocol,
        isps: [...isps].sort().join(", "),
        moved: summary.moved.length,
        switched: summary.switched.length,
        withoutCapacity: summary.withoutCapacity.length,
        pending: summary.pending.length,
      },
      at,
    );
  }
}
