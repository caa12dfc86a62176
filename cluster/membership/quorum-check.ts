/**
 * Whether removing one member keeps the cluster safe: at least the minimum
 * number of voters (counting a healthy learner the autopilot can promote in
 * its place), and enough voters heard from recently to form a majority
 * without it. Pure: it reads the leader's view of its members.
 */
import { err, ok, type Result } from "../../shared/result.ts";
import type { MemberHealth } from "../node.ts";

export interface QuorumRules {
  minVoters: number;
  /** A member silent this long counts as gone. */
  deadAfterMs: number;
}

/** Silence beyond this makes a voter unreliable for a quorum, even if not yet "dead". */
const QUORUM_SILENCE_MS = 10_000;

export function quorumAfterRemoval(
  members: readonly MemberHealth[],
  nodeId: string,
  rules: QuorumRules,
): Result<void, "TOO_FEW_VOTERS" | "QUORUM_AT_RISK"> {
  const target = members.find((member) => member.id === nodeId);
  if (!target?.voter) return ok(undefined);
  const others = members.filter((member) => member.id !== nodeId);
  const voters = others.filter((member) => member.voter);
  const spareLearners = others.filter(
    (member) => !member.voter && member.silentForMs < rules.deadAfterMs,
  );
  if (voters.length + Math.min(spareLearners.length, 1) < rules.minVoters)
    return err(
      "TOO_FEW_VOTERS",
      `removing ${nodeId} would leave ${voters.length} voters and no healthy learner to promote; the cluster keeps at least ${rules.minVoters}. Add a server first (/addserver).`,
    );
  const reachable = voters.filter(
    (member) => member.silentForMs < Math.min(rules.deadAfterMs, QUORUM_SILENCE_MS),
  );
  const majority = Math.floor(voters.length / 2) + 1;
  if (reachable.length < majority)
    return err(
      "QUORUM_AT_RISK",
      `without ${nodeId} only ${reachable.length} of ${voters.length} voters answer, fewer than the ${majority} a majority needs; bring the others back first`,
    );
  return ok(undefined);
}
