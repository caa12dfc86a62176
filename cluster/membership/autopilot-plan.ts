/**
 * The autopilot's decision, pure: given the membership, the leader's view of
 * each member and the settings, the one change to make next (or none). One
 * change at a time, each keeping the cluster safe:
 *
 * 1. finish removals an admin asked for (a voter's replacement is promoted
 *    first when the voters would fall below the minimum), then revoke the
 *    removed member's key;
 * 2. replace a voter silent for `deadVoterAfterSeconds`: promote a healthy
 *    learner first, then demote the dead voter, so the cluster never has
 *    fewer live voters than before;
 * 3. keep voting to the members an admin named (`voterCandidates`, when
 *    set): a leader that is not one hands leadership to a live, caught-up
 *    voter that is; any other voter that is not one is replaced (a
 *    candidate learner promoted first) and demoted, never below the
 *    minimum of voters or a live majority; only candidates are promoted;
 * 4. bring the voters to the `voters` setting: promote healthy, caught-up
 *    learners, preferring regions the voters do not cover yet; demote the
 *    surplus, the least healthy first and never the leader.
 *
 * A member whose node holds no DATA_KEYS, or no BOT_TOKEN while the cluster
 * runs the bot, is never promoted or handed leadership: as leader it could
 * not open the sealed state, or would turn the bot off.
 *
 * The candidate list is the admin's, not the servers' own word: a seized
 * server can say it is anywhere (its region is self-reported), but it
 * cannot put itself on the list.
 */
import type { MemberHealth } from "../node.ts";
import { membershipReasonText } from "./membership-reasons.ts";

/** How far behind the leader's log a learner may be and still count as caught up. */
export const CAUGHT_UP_LAG = 64;
/** A learner heard from less long ago than this is healthy enough to promote. */
export const RECENTLY_HEARD_MS = 5_000;

export interface AutopilotInput {
  leaderId: string;
  voters: readonly string[];
  learners: readonly string[];
  health: readonly MemberHealth[];
  /** The `voters` setting. */
  targetVoters: number;
  minVoters: number;
  deadAfterMs: number;
  /** Members an admin removed (the replicated record), still to be finished. */
  removals: readonly string[];
  /** Removed members whose identity key is still pinned. */
  unrevokedRemovals: readonly string[];
  /** Each member's server region, where it registered one. */
  regionOf: (nodeId: string) => string | undefined;
  /** The members that may vote (the `voterCandidates` setting); undefined: any member. */
  voterCandidates: ReadonlySet<string> | undefined;
  /**
   * Whether a member could not lead as this cluster needs: its node says it
   * holds no DATA_KEYS, or no BOT_TOKEN while the leader runs the bot (it
   * joined as no candidate of the admin's). Such a member is neither
   * promoted nor handed leadership.
   */
  lacksLeaderCredentials: (nodeId: string) => boolean;
}

/** What a member's node reported at registration (fsm/records.ts Server). */
type CredentialsReport = { holdsBotToken: boolean | null; holdsDataKeys: boolean | null };

/**
 * Whether `member` (its server as registered) lacks what a leader of this
 * cluster needs: DATA_KEYS always, BOT_TOKEN when the leader runs the bot.
 * A node from before these were reported (null) counts as holding them.
 */
export function lacksLeaderCredentials(
  member: CredentialsReport | undefined,
  leader: CredentialsReport | undefined,
): boolean {
  const botRuns = leader?.holdsBotToken === true;
  return member?.holdsDataKeys === false || (botRuns && member?.holdsBotToken === false);
}

export type AutopilotStep =
  | { kind: "promote"; nodeId: string; reason: string }
  | { kind: "demote"; nodeId: string; reason: string }
  | { kind: "remove"; nodeId: string; reason: string }
  | { kind: "revokeKey"; nodeId: string; reason: string }
  /** The leader hands leadership to `nodeId`. */
  | { kind: "handOver"; nodeId: string; reason: string };

export function planAutopilotStep(input: AutopilotInput): AutopilotStep | undefined {
  const health = new Map(input.health.map((member) => [member.id, member]));
  const removing = new Set(input.removals);
  const voters = input.voters.filter((id) => !removing.has(id));
  const isDead = (id: string) =>
    id !== input.leaderId && (health.get(id)?.silentForMs ?? Infinity) >= input.deadAfterMs;
  const mayVote = (id: string) => input.voterCandidates?.has(id) ?? true;
  // Heard from, not merely not silent yet: a member never heard from (say, a
  // joiner whose port is not open yet) could hold a vote it never casts.
  const isLiveAndCaughtUp = (id: string) => {
    const member = health.get(id);
    return (
      member?.heard === true &&
      member.silentForMs < Math.min(RECENTLY_HEARD_MS, input.deadAfterMs) &&
      member.lag <= CAUGHT_UP_LAG
    );
  };
  const mayLead = (id: string) => mayVote(id) && !input.lacksLeaderCredentials(id);
  const candidates = input.learners
    .filter((id) => !removing.has(id) && mayLead(id))
    .filter(isLiveAndCaughtUp);
  const promoteBest = (reason: string): AutopilotStep | undefined => {
    const best = bestLearner(candidates, voters, health, input.regionOf);
    return best === undefined ? undefined : { kind: "promote", nodeId: best, reason };
  };

  // 1. Removals an admin asked for. The leader's own is its process's to do
  // (it hands leadership over and stops), so the next leader finishes it.
  for (const nodeId of input.removals) {
    if (nodeId === input.leaderId) continue;
    const inConf = input.voters.includes(nodeId) || input.learners.includes(nodeId);
    if (!inConf) continue;
    if (input.voters.includes(nodeId) && voters.length < input.minVoters) {
      const promotion = promoteBest(membershipReasonText({ kind: "replacesRemoved", nodeId }));
      if (promotion) return promotion;
    }
    return { kind: "remove", nodeId, reason: membershipReasonText({ kind: "adminRemovedIt" }) };
  }
  for (const nodeId of input.unrevokedRemovals) {
    const inConf = input.voters.includes(nodeId) || input.learners.includes(nodeId);
    if (!inConf)
      return {
        kind: "revokeKey",
        nodeId,
        reason: membershipReasonText({ kind: "neverConnectsAgain" }),
      };
  }

  // 2. A dead voter: its replacement first, then the demotion.
  const dead = voters.filter(isDead);
  if (dead.length > 0) {
    const live = voters.length - dead.length;
    if (voters.length <= input.targetVoters) {
      const promotion = promoteBest(
        membershipReasonText({ kind: "replacesSilent", nodeId: dead[0]! }),
      );
      if (promotion) return promotion;
    }
    const after = voters.length - 1;
    if (after >= input.minVoters && live >= Math.floor(after / 2) + 1)
      return {
        kind: "demote",
        nodeId: dead[0]!,
        reason: membershipReasonText({
          kind: "silentFor",
          seconds: Math.round(input.deadAfterMs / 1000),
        }),
      };
  }

  // 3. Voting kept to the candidates an admin named.
  const barred = voters.filter((id) => !mayVote(id));
  if (barred.includes(input.leaderId)) {
    const successor = voters
      .filter((id) => id !== input.leaderId && mayLead(id) && isLiveAndCaughtUp(id))
      .sort((a, b) => (health.get(a)?.lag ?? 0) - (health.get(b)?.lag ?? 0) || (a < b ? -1 : 1))[0];
    if (successor !== undefined)
      return {
        kind: "handOver",
        nodeId: successor,
        reason: membershipReasonText({
          kind: "takesOverFromNonCandidate",
          nodeId: input.leaderId,
        }),
      };
    // None fit to lead yet: a candidate learner becomes one.
    const promotion = promoteBest(
      membershipReasonText({ kind: "replacesNonCandidate", nodeId: input.leaderId }),
    );
    if (promotion) return promotion;
  }
  const barredFollower = barred.find((id) => id !== input.leaderId);
  if (barredFollower !== undefined) {
    if (voters.length <= input.targetVoters) {
      const promotion = promoteBest(
        membershipReasonText({ kind: "replacesNonCandidate", nodeId: barredFollower }),
      );
      if (promotion) return promotion;
    }
    const after = voters.length - 1;
    const liveAfter = voters.filter((id) => id !== barredFollower && !isDead(id)).length;
    if (after >= input.minVoters && liveAfter >= Math.floor(after / 2) + 1)
      return {
        kind: "demote",
        nodeId: barredFollower,
        reason: membershipReasonText({ kind: "notVoterCandidate" }),
      };
  }

  // 4. The number of voters.
  const keepsVoters = membershipReasonText({ kind: "keepsVoters", voters: input.targetVoters });
  if (voters.length < input.targetVoters) {
    const promotion = promoteBest(keepsVoters);
    if (promotion) return promotion;
  }
  if (voters.length > input.targetVoters) {
    const surplus = voters
      .filter((id) => id !== input.leaderId)
      .sort(
        (a, b) =>
          (health.get(b)?.silentForMs ?? Infinity) - (health.get(a)?.silentForMs ?? Infinity) ||
          regionCount(voters, input.regionOf, b) - regionCount(voters, input.regionOf, a) ||
          (a < b ? 1 : -1),
      );
    const nodeId = surplus[0];
    const after = voters.length - 1;
    const liveAfter = voters.filter((id) => id !== nodeId && !isDead(id)).length;
    if (nodeId !== undefined && liveAfter >= Math.floor(after / 2) + 1)
      return { kind: "demote", nodeId, reason: keepsVoters };
  }
  return undefined;
}

/** The learner whose region the voters cover least, then the most caught up, then by id. */
function bestLearner(
  learners: readonly string[],
  voters: readonly string[],
  health: ReadonlyMap<string, MemberHealth>,
  regionOf: (nodeId: string) => string | undefined,
): string | undefined {
  return [...learners].sort(
    (a, b) =>
      regionCount(voters, regionOf, a) - regionCount(voters, regionOf, b) ||
      (health.get(a)?.lag ?? 0) - (health.get(b)?.lag ?? 0) ||
      (a < b ? -1 : 1),
  )[0];
}

/** How many voters share `nodeId`'s region (unknown regions count as their own). */
function regionCount(
  voters: readonly string[],
  regionOf: (nodeId: string) => string | undefined,
  nodeId: string,
): number {
  const region = regionOf(nodeId);
  if (region === undefined) return 0;
  return voters.filter((voter) => voter !== nodeId && regionOf(voter) === region).length;
}
