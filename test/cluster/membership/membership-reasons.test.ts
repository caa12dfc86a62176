/**
 * Why the cluster changed its own membership is recorded as text and reads
 * back as what it is, so the bot can say it in an admin's language.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  type MembershipReason,
  membershipReasonOf,
  membershipReasonText,
} from "../../../cluster/membership/membership-reasons.ts";

const REASONS: MembershipReason[] = [
  { kind: "joined", peerUrl: "wss://203.0.113.7:7000" },
  { kind: "replacesRemoved", nodeId: "de-3f9a0c" },
  { kind: "replacesSilent", nodeId: "n2" },
  { kind: "adminRemovedIt" },
  { kind: "neverConnectsAgain" },
  { kind: "silentFor", seconds: 30 },
  { kind: "keepsVoters", voters: 5 },
  { kind: "notVoterCandidate" },
  { kind: "replacesNonCandidate", nodeId: "fi-01a2b3" },
  { kind: "takesOverFromNonCandidate", nodeId: "ir-0c1d2e" },
];

test("every reason reads back from the text it is recorded as", () => {
  for (const reason of REASONS)
    assert.equal(
      membershipReasonOf(membershipReasonText(reason)),
      reason,
      membershipReasonText(reason),
    );
});

test("words an admin gave are no recorded reason", () => {
  for (const text of ["moving to a new provider", "removed by an admin", "silent for over s", ""])
    assert.is(membershipReasonOf(text), undefined, text);
});

test.run();
