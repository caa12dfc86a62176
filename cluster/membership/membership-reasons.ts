/**
 * Why the cluster changed its own membership (the autopilot, a join): the
 * reason recorded with the change and told to admins. Recorded in English,
 * as the admin API shows it; the bot reads it back (membershipReasonOf) to
 * say it in an admin's language.
 */

export type MembershipReason =
  /** A new server redeemed its join token and was added as a learner. */
  | { kind: "joined"; peerUrl: string }
  /** Promoted to take the place of a voter an admin is removing. */
  | { kind: "replacesRemoved"; nodeId: string }
  /** Promoted to take the place of a voter that stopped answering. */
  | { kind: "replacesSilent"; nodeId: string }
  /** Taken out of the cluster because an admin removed it. */
  | { kind: "adminRemovedIt" }
  /** Its key revoked once it left: it can never connect again. */
  | { kind: "neverConnectsAgain" }
  /** Demoted after answering nothing for this long. */
  | { kind: "silentFor"; seconds: number }
  /** Promoted or demoted so the cluster keeps this many voters. */
  | { kind: "keepsVoters"; voters: number }
  /** Demoted (or, leading, handed leadership over): not among the members an admin lets vote. */
  | { kind: "notVoterCandidate" }
  /** Promoted to take the place of a voter that is not among the voter candidates. */
  | { kind: "replacesNonCandidate"; nodeId: string }
  /** Handed leadership by a leader that is not among the voter candidates. */
  | { kind: "takesOverFromNonCandidate"; nodeId: string };

/** The text `reason` is recorded as. */
export function membershipReasonText(reason: MembershipReason): string {
  switch (reason.kind) {
    case "joined":
      return `joined as a learner from ${reason.peerUrl}`;
    case "replacesRemoved":
      return `replaces ${reason.nodeId}, which is being removed`;
    case "replacesSilent":
      return `replaces ${reason.nodeId}, silent too long`;
    case "adminRemovedIt":
      return "an admin removed it";
    case "neverConnectsAgain":
      return "removed: it can never connect again";
    case "silentFor":
      return `silent for over ${reason.seconds} s`;
    case "keepsVoters":
      return `the cluster keeps ${reason.voters} voters`;
    case "notVoterCandidate":
      return "not among the voter candidates";
    case "replacesNonCandidate":
      return `replaces ${reason.nodeId}, not among the voter candidates`;
    case "takesOverFromNonCandidate":
      return `takes over from ${reason.nodeId}, not among the voter candidates`;
  }
}

const FIXED: readonly MembershipReason[] = [
  { kind: "adminRemovedIt" },
  { kind: "neverConnectsAgain" },
  { kind: "notVoterCandidate" },
];

/** The reason a recorded text is, or undefined for any other text (an admin's words). */
export function membershipReasonOf(text: string): MembershipReason | undefined {
  let match = /^joined as a learner from (\S+)$/.exec(text);
  if (match) return { kind: "joined", peerUrl: match[1]! };
  match = /^replaces (\S+), which is being removed$/.exec(text);
  if (match) return { kind: "replacesRemoved", nodeId: match[1]! };
  match = /^replaces (\S+), silent too long$/.exec(text);
  if (match) return { kind: "replacesSilent", nodeId: match[1]! };
  match = /^silent for over ([0-9]+) s$/.exec(text);
  if (match) return { kind: "silentFor", seconds: Number(match[1]) };
  match = /^replaces (\S+), not among the voter candidates$/.exec(text);
  if (match) return { kind: "replacesNonCandidate", nodeId: match[1]! };
  match = /^takes over from (\S+), not among the voter candidates$/.exec(text);
  if (match) return { kind: "takesOverFromNonCandidate", nodeId: match[1]! };
  match = /^the cluster keeps ([0-9]+) voters$/.exec(text);
  if (match) return { kind: "keepsVoters", voters: Number(match[1]) };
  return FIXED.find((reason) => membershipReasonText(reason) === text);
}
