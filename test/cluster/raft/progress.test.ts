import { test } from "uvu";
import * as assert from "uvu/assert";
import { Progress } from "../../../cluster/raft/progress.ts";

function progressAt(state: "probe" | "replicate" | "snapshot", match: number, next: number) {
  const progress = new Progress(next, 3, 0);
  progress.match = match;
  if (state === "replicate") {
    progress.becomeReplicate();
    progress.next = next;
  } else if (state === "snapshot") {
    progress.becomeSnapshot(next);
  }
  return progress;
}

test("a new progress probes from the given next index with nothing matched", () => {
  const progress = new Progress(6, 3, 0);
  assert.is(progress.state, "probe");
  assert.is(progress.match, 0);
  assert.is(progress.next, 6);
  assert.not.ok(progress.isPaused());
});

test("becomeReplicate continues right after the match", () => {
  const progress = progressAt("probe", 4, 9);
  progress.becomeReplicate();
  assert.is(progress.state, "replicate");
  assert.is(progress.next, 5);
});

test("becomeProbe from replicate restarts right after the match and empties the window", () => {
  const progress = progressAt("replicate", 4, 9);
  progress.sentEntries(2, 10, 20);
  progress.becomeProbe();
  assert.is(progress.state, "probe");
  assert.is(progress.next, 5);
  assert.is(progress.inflights.count, 0);
});

test("becomeProbe after a snapshot starts after the snapshot when it is ahead of the match", () => {
  const progress = progressAt("snapshot", 3, 11);
  assert.is(progress.pendingSnapshot, 11);
  progress.becomeProbe();
  assert.is(progress.state, "probe");
  assert.is(progress.next, 12);
  assert.is(progress.pendingSnapshot, 0);
});

test("becomeProbe after a snapshot starts after the match when it is past the snapshot", () => {
  const progress = progressAt("snapshot", 15, 11);
  progress.becomeProbe();
  assert.is(progress.next, 16);
});

test("a probe is sent one at a time: paused until answered", () => {
  const progress = progressAt("probe", 0, 3);
  progress.sentEntries(1, 3, 10);
  assert.ok(progress.isPaused());
  assert.is(progress.next, 3, "probing does not move next optimistically");
  assert.ok(progress.maybeUpdate(3));
  assert.not.ok(progress.isPaused(), "an acknowledgement unpauses the probe");
});

test("in replicate, sends move next optimistically and fill the window", () => {
  const progress = progressAt("replicate", 2, 3);
  progress.sentEntries(2, 4, 10);
  progress.sentEntries(1, 5, 10);
  assert.is(progress.next, 6);
  assert.not.ok(progress.isPaused());
  progress.sentEntries(1, 6, 10);
  assert.ok(progress.isPaused(), "three messages in flight is the limit");
});

test("an empty append in replicate takes no window slot", () => {
  const progress = progressAt("replicate", 2, 3);
  progress.sentEntries(0, 2, 0);
  assert.is(progress.inflights.count, 0);
  assert.is(progress.next, 3);
});

test("a snapshot in flight pauses all appends", () => {
  assert.ok(progressAt("snapshot", 0, 10).isPaused());
});

test("maybeUpdate never moves match backwards", () => {
  const progress = progressAt("replicate", 7, 10);
  assert.not.ok(progress.maybeUpdate(5));
  assert.is(progress.match, 7);
  assert.is(progress.next, 10);
  assert.ok(progress.maybeUpdate(12));
  assert.is(progress.match, 12);
  assert.is(progress.next, 13);
});

test("in replicate, a rejection at or below match is stale and ignored", () => {
  const progress = progressAt("replicate", 7, 10);
  assert.not.ok(progress.maybeDecreaseTo(6, 0));
  assert.not.ok(progress.maybeDecreaseTo(7, 0));
  assert.is(progress.next, 10);
});

test("in replicate, a fresh rejection falls back to just after the match", () => {
  const progress = progressAt("replicate", 7, 10);
  assert.ok(progress.maybeDecreaseTo(9, 8));
  assert.is(progress.next, 8);
});

test("in probe, only the rejection of the latest probe counts", () => {
  const progress = progressAt("probe", 0, 10);
  assert.not.ok(progress.maybeDecreaseTo(5, 2), "a rejection of an older probe");
  assert.is(progress.next, 10);
  progress.sentEntries(1, 10, 1);
  assert.ok(progress.maybeDecreaseTo(9, 4));
  assert.is(progress.next, 5, "the hint says index 4 may match: probe after it");
  assert.not.ok(progress.isPaused(), "the rejection answers the probe");
});

test("in probe, the follower's hint never moves next below match + 1 or above the rejected index", () => {
  const progress = progressAt("probe", 3, 10);
  assert.ok(progress.maybeDecreaseTo(9, 0));
  assert.is(progress.next, 4, "not below match + 1");
  const other = progressAt("probe", 0, 10);
  assert.ok(other.maybeDecreaseTo(9, 50));
  assert.is(other.next, 9, "a hint beyond the rejected index is capped");
});

test.run();
