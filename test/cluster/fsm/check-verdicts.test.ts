import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  applyVerdict,
  emptyChecks,
  RECENT_VERDICTS_KEPT,
} from "../../../cluster/fsm/check-verdicts.ts";
import type { ServerChecks, ServerStatus, Verdict } from "../../../cluster/fsm/records.ts";

const thresholds = { banAfter: 3, downAfter: 2 };

function run(verdicts: Verdict[], status: ServerStatus = "active") {
  let checks: ServerChecks = emptyChecks();
  const transitions: string[] = [];
  verdicts.forEach((verdict, round) => {
    const outcome = applyVerdict(
      checks,
      status,
      { round, verdict, evidence: "", at: round },
      thresholds,
    );
    checks = outcome.checks;
    transitions.push(outcome.transition);
  });
  return { checks, transitions };
}

test("N consecutive filtered verdicts call for a ban, not before", () => {
  const { transitions, checks } = run(["filtered", "filtered", "filtered"]);
  assert.equal(transitions, ["none", "none", "ban"]);
  assert.is(checks.consecutiveFiltered, 3);
});

test("ok or down between filtered verdicts restarts the count", () => {
  assert.equal(run(["filtered", "filtered", "ok", "filtered", "filtered"]).transitions, [
    "none",
    "none",
    "none",
    "none",
    "none",
  ]);
  assert.is(run(["filtered", "filtered", "down", "filtered"]).checks.consecutiveFiltered, 1);
});

test("inconclusive verdicts neither count nor reset", () => {
  const { transitions, checks } = run([
    "filtered",
    "inconclusive",
    "filtered",
    "inconclusive",
    "filtered",
  ]);
  assert.equal(transitions.at(-1), "ban");
  assert.is(checks.consecutiveFiltered, 3);
  assert.is(run(["down", "inconclusive", "down"]).transitions.at(-1), "markDown");
});

test("an active server that stops answering is marked down, and recovers on ok", () => {
  assert.equal(run(["down", "down"]).transitions, ["none", "markDown"]);
  assert.equal(run(["ok"], "down").transitions, ["recover"]);
  assert.equal(run(["filtered"], "down").transitions, ["none"]);
});

test("a draining server is never marked down; a banned one never changes", () => {
  assert.equal(run(["down", "down", "down"], "draining").transitions, ["none", "none", "none"]);
  assert.equal(run(["filtered", "filtered", "filtered", "ok"], "banned").transitions, [
    "none",
    "none",
    "none",
    "none",
  ]);
  assert.is(run(["filtered", "filtered", "filtered"], "draining").transitions.at(-1), "ban");
});

test("only the last ten verdicts are kept, newest last, with the last round", () => {
  const verdicts: Verdict[] = Array.from({ length: 15 }, (_, i) => (i % 2 ? "ok" : "inconclusive"));
  const { checks } = run(verdicts);
  assert.is(checks.recent.length, RECENT_VERDICTS_KEPT);
  assert.is(checks.recent[0]!.round, 5);
  assert.is(checks.recent.at(-1)!.round, 14);
  assert.is(checks.lastRound, 14);
});

test("the input checks are not modified", () => {
  const checks = emptyChecks();
  applyVerdict(
    checks,
    "active",
    { round: 1, verdict: "filtered", evidence: "", at: 1 },
    thresholds,
  );
  assert.equal(checks, emptyChecks());
});

test.run();
