/**
 * What the control plane recorded in English, in an admin's language: a
 * server's status reason, a ban check's evidence, why the membership
 * changed. A text the control plane wrote itself is read back and said with
 * the catalog's phrases; anything else (an admin's own words, an older
 * node's wording) is shown as it was written.
 */
import type { StatusReason } from "../../cluster/fsm/status-reasons.ts";
import { statusReasonOf } from "../../cluster/fsm/status-reasons.ts";
import type { MembershipReason } from "../../cluster/membership/membership-reasons.ts";
import { membershipReasonOf } from "../../cluster/membership/membership-reasons.ts";
import { evidenceDetail } from "../jobs/ban-verdict.ts";
import { findingsOf, verdictOf } from "../jobs/check-findings.ts";
import { describeFindings, type FindingsPhrases } from "./findings-text.ts";

/** One phrase per kind of reason, given that reason. */
export type ReasonPhrases<Reason extends { kind: string }> = {
  [Kind in Reason["kind"]]: (reason: Extract<Reason, { kind: Kind }>) => string;
};

/** How one language says recorded texts. */
export interface RecordedTextPhrases {
  status: ReasonPhrases<StatusReason>;
  membership: ReasonPhrases<MembershipReason>;
  findings: FindingsPhrases;
  /** Words shown as they were recorded, set off from the sentence around them. */
  asWritten: (text: string) => string;
}

function say<Reason extends { kind: string }>(
  reason: Reason,
  phrases: ReasonPhrases<Reason>,
): string {
  const phrase = phrases[reason.kind as Reason["kind"]] as (reason: Reason) => string;
  return phrase(reason);
}

/** A server's status reason; a ban check's evidence there is said with its verdict. */
export function statusReasonIn(text: string, phrases: RecordedTextPhrases): string {
  const reason = statusReasonOf(text);
  if (reason) return say(reason, phrases.status);
  const findings = findingsOf(text);
  if (findings === undefined) return phrases.asWritten(text);
  const verdict = phrases.findings.verdict[verdictOf(findings)];
  return `${verdict}: ${describeFindings(findings, phrases.findings)}`;
}

/** Why the cluster's membership changed. */
export function membershipReasonIn(text: string, phrases: RecordedTextPhrases): string {
  const reason = membershipReasonOf(text);
  return reason ? say(reason, phrases.membership) : phrases.asWritten(text);
}

/** A check's evidence without the verdict it opens with, for a sentence that names the verdict. */
export function evidenceIn(
  verdict: string,
  evidence: string,
  phrases: RecordedTextPhrases,
): string {
  const findings = findingsOf(evidence);
  return findings
    ? describeFindings(findings, phrases.findings)
    : phrases.asWritten(evidenceDetail(verdict, evidence));
}
