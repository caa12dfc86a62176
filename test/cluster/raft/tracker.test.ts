import { test } from "uvu";
import * as assert from "uvu/assert";
import { ProgressTracker } from "../../../cluster/raft/tracker.ts";

function trackerOf(voters: string[], learners: string[] = []): ProgressTracker {
  const tracker = new ProgressTracker(16, 0);
  tracker.setConfState({ voters, learners }, 1);
  return tracker;
}

test("the membership lists voters and learners, sorted", () => {
  const tracker = trackerOf(["n3", "n1", "n2"], ["n5", "n4"]);
  assert.equal(tracker.confState(), { voters: ["n1", "n2", "n3"], learners: ["n4", "n5"] });
  assert.ok(tracker.isMember("n4"));
  assert.not.ok(tracker.isMember("n9"));
});

test("a node listed as both voter and learner is a voter", () => {
  const tracker = trackerOf(["n1", "n2"], ["n2"]);
  assert.equal(tracker.confState(), { voters: ["n1", "n2"], learners: [] });
});

test("a membership change keeps the progress of members who stay and drops the others", () => {
  const tracker = trackerOf(["n1", "n2", "n3"]);
  const kept = tracker.progress.get("n2");
  if (kept) kept.match = 9;
  tracker.setConfState({ voters: ["n1", "n2"], learners: ["n4"] }, 20);
  assert.is(tracker.progress.get("n2"), kept);
  assert.is(tracker.progress.get("n2")?.match, 9);
  assert.not.ok(tracker.progress.has("n3"));
  assert.is(tracker.progress.get("n4")?.next, 20, "a new member starts at the given next index");
  assert.is(tracker.progress.get("n4")?.match, 0);
});

test("commit counts voters only", () => {
  const tracker = trackerOf(["n1", "n2", "n3"], ["n4", "n5"]);
  const matches: Record<string, number> = { n1: 5, n2: 1, n3: 1, n4: 5, n5: 5 };
  for (const [id, match] of Object.entries(matches)) {
    const progress = tracker.progress.get(id);
    if (progress) progress.match = match;
  }
  assert.is(tracker.committed(), 1, "learners at 5 do not make a majority");
  const n2 = tracker.progress.get("n2");
  if (n2) n2.match = 4;
  assert.is(tracker.committed(), 4);
});

test("only a voter's first answer in an election counts", () => {
  const tracker = trackerOf(["n1", "n2", "n3"]);
  tracker.recordVote("n1", true);
  tracker.recordVote("n2", false);
  tracker.recordVote("n2", true);
  assert.is(tracker.tallyVotes(), "pending", "n2's later grant does not replace its rejection");
  tracker.recordVote("n3", true);
  assert.is(tracker.tallyVotes(), "won");
});

test("votes from learners and strangers are not counted", () => {
  const tracker = trackerOf(["n1", "n2", "n3"], ["n4"]);
  tracker.recordVote("n1", true);
  tracker.recordVote("n4", true);
  tracker.recordVote("n9", true);
  assert.is(tracker.tallyVotes(), "pending");
  tracker.resetVotes();
  tracker.recordVote("n2", false);
  tracker.recordVote("n3", false);
  assert.is(tracker.tallyVotes(), "lost");
});

test("the quorum is active when a majority of voters, counting self, were heard from", () => {
  const tracker = trackerOf(["n1", "n2", "n3", "n4", "n5"], ["n6"]);
  const setActive = (id: string) => {
    const progress = tracker.progress.get(id);
    if (progress) progress.recentActive = true;
  };
  setActive("n6");
  setActive("n2");
  assert.not.ok(tracker.quorumActive("n1"), "self and n2 are 2 of 5; the learner does not count");
  setActive("n3");
  assert.ok(tracker.quorumActive("n1"));
});

test.run();
