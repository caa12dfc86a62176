import { test } from "uvu";
import * as assert from "uvu/assert";
import { quorumAfterRemoval } from "../../../cluster/membership/quorum-check.ts";
import type { MemberHealth } from "../../../cluster/node.ts";

const RULES = { minVoters: 3, deadAfterMs: 300_000 };

function member(id: string, voter: boolean, silentForMs = 100): MemberHealth {
  return { id, voter, lag: 0, silentForMs, heard: true };
}

test("removing a learner is always safe", () => {
  const fleet = [member("n1", true), member("n2", true), member("n3", true), member("n4", false)];
  assert.ok(quorumAfterRemoval(fleet, "n4", RULES).ok);
});

test("removing one of three voters is refused unless a healthy learner can take its place", () => {
  const three = [member("n1", true), member("n2", true), member("n3", true)];
  const refused = quorumAfterRemoval(three, "n3", RULES);
  assert.is(refused.ok ? "ok" : refused.error.code, "TOO_FEW_VOTERS");
  assert.ok(quorumAfterRemoval([...three, member("n4", false)], "n3", RULES).ok);
});

test("a removal that leaves fewer answering voters than a majority is refused", () => {
  const fleet = [
    member("n1", true),
    member("n2", true),
    member("n3", true, 60_000),
    member("n4", true, 60_000),
    member("n5", true),
  ];
  const refused = quorumAfterRemoval(fleet, "n5", RULES);
  assert.is(refused.ok ? "ok" : refused.error.code, "QUORUM_AT_RISK");
  assert.ok(quorumAfterRemoval(fleet, "n4", RULES).ok, "removing a silent voter helps");
});

test.run();
