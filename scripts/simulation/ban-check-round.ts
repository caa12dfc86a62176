/**
 * A ban-check round as the leader's checker proposes it
 * (bot/jobs/server-checker.ts): a verdict for every server it checks (active,
 * draining or down, with an endpoint), each protocol's own for a server that
 * offers two, and fresh keys for every live config on the server when a
 * filtered verdict may move them. The probes' answers are drawn at random:
 * mostly reachable, now and then filtered or down, so bans and protocol
 * closures happen a few times a run and reopen soon after.
 */
import type { CommandInputOf } from "../../cluster/fsm/commands.ts";
import type { ControlPlaneState } from "../../cluster/fsm/control-plane.ts";
import { OFFERED_PROTOCOLS, type ServerStatus } from "../../cluster/fsm/records.ts";
import type { RandomSource } from "../../cluster/raft/types.ts";
import { wgKey } from "./commands/domains.ts";
import { drawn } from "./random-choice.ts";

const CHECKED_STATUSES: ReadonlySet<ServerStatus> = new Set(["active", "draining", "down"]);
const BAN_AFTER = 2;
const DOWN_AFTER = 2;

/** The round's `recordVerdict` for each server checked, as JSON, at `now` (also the round). */
export function banCheckRound(
  state: ControlPlaneState,
  now: number,
  random: RandomSource,
): string[] {
  const commands: string[] = [];
  const minute = now / 60_000;
  state.servers().forEach((server, serverIndex) => {
    if (!CHECKED_STATUSES.has(server.status) || server.endpointHost === null) return;
    const verdict = drawn(random, [
      ["ok", 80],
      ["filtered", 8],
      ["down", 7],
      ["inconclusive", 5],
    ] as const);
    const offered = OFFERED_PROTOCOLS.filter((protocol) => server.protocols.includes(protocol));
    const protocolVerdicts =
      offered.length < 2
        ? []
        : offered.map((protocol) => {
            const each = drawn(random, [
              ["ok", 75],
              ["filtered", 20],
              ["inconclusive", 5],
            ] as const);
            return { protocol, verdict: each, filteredIsps: each === "filtered" ? ["MCI"] : [] };
          });
    const mayMoveConfigs =
      verdict === "filtered" || protocolVerdicts.some((each) => each.verdict === "filtered");
    // Fresh for this round: no other round, server or position draws the same id or key.
    const replacementKeys = mayMoveConfigs
      ? state.replacementKeysNeeded(server.id).map((_, position) => ({
          configId: `b${minute}-${server.id}-${position}`,
          clientPublicKey: wgKey(minute * 2 ** 20 + serverIndex * 2 ** 10 + position, 7),
          deliveryKeysSealed: "sealed-b",
        }))
      : [];
    const command: CommandInputOf<"recordVerdict"> = {
      type: "recordVerdict",
      serverId: server.id,
      round: now,
      verdict,
      evidence: `${verdict} from the vantages`,
      at: now,
      banAfter: BAN_AFTER,
      downAfter: DOWN_AFTER,
      ...(protocolVerdicts.length > 0 ? { protocolVerdicts } : {}),
      replacementKeys,
    };
    commands.push(JSON.stringify(command));
  });
  return commands;
}
