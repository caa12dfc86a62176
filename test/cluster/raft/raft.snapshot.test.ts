/**
 * Snapshots: a follower that needs compacted entries gets the leader's
 * snapshot; a follower installs only a snapshot that brings something new;
 * the leader pauses appends while a snapshot is in flight.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Raft } from "../../../cluster/raft/raft.ts";
import type { ConfState, Snapshot } from "../../../cluster/raft/types.ts";
import { appliedData, Network } from "./support/network.ts";
import {
  electLeader,
  logOf,
  newTestRaft,
  plainProtocol,
  storageOf,
  takeOfType,
} from "./support/raft-fixture.ts";

const confState: ConfState = { voters: ["n1", "n2", "n3"], learners: [] };

function snapshotAt(index: number, term: number, membership: ConfState = confState): Snapshot {
  return { metadata: { index, term, confState: membership }, data: `state@${index}` };
}

test("a follower behind the compacted log gets the leader's snapshot and catches up", () => {
  const network = new Network({ voters: ["n1", "n2", "n3"] });
  network.campaign("n1");
  network.isolate("n3");
  for (let count = 0; count < 10; count++) network.propose("n1", `entry ${count}`);
  const leader = network.node("n1");
  const appliedIndex = leader.raw.core.log.applied;
  network.compact("n1", appliedIndex);
  network.recover();
  network.tick("n1");
  const snapshots = network.delivered.filter((m) => m.type === "snap" && m.to === "n3");
  assert.is(snapshots.length, 1);
  assert.is(snapshots[0]?.snapshot?.metadata.index, appliedIndex);
  const follower = network.node("n3");
  assert.is(follower.storage.snapshot().metadata.index, appliedIndex);
  assert.equal(appliedData(follower), appliedData(leader), "its state came with the snapshot");
  assert.is(leader.raw.core.tracker.progress.get("n3")?.state, "replicate");

  network.propose("n1", "after the snapshot");
  assert.equal(appliedData(follower), appliedData(leader));
  assert.equal(logOf(follower.raw.core), logOf(leader.raw.core));
  assert.is(
    network.delivered.filter((m) => m.type === "snap").length,
    1,
    "one snapshot, then plain appends",
  );
});

/** A follower of n2 in term 1 whose log is ten entries of term 1, committed up to `commit`. */
function followerWithTen(commit: number): Raft {
  const raft = newTestRaft({
    terms: Array<number>(10).fill(1),
    hardState: { term: 1, commit },
  });
  raft.becomeFollower(1, "n2");
  return raft;
}

test("a snapshot at or below the commit index is ignored", () => {
  for (const index of [3, 5]) {
    const raft = followerWithTen(5);
    raft.step({ type: "snap", from: "n2", to: "n1", term: 1, snapshot: snapshotAt(index, 1) });
    assert.is(raft.log.unstable.snapshot, undefined, `snapshot at ${index}`);
    assert.is(raft.log.lastIndex(), 10);
    assert.is(raft.log.committed, 5);
    assert.equal(raft.takeMessages(), [
      { type: "appResp", from: "n1", to: "n2", term: 1, index: 5 },
    ]);
  }
});

test("a delayed snapshot older than the follower's own compacted state is ignored", () => {
  const raft = followerWithTen(10);
  const storage = storageOf(raft);
  storage.createSnapshot(8, confState, "state@8");
  storage.compact(8);
  raft.step({ type: "snap", from: "n2", to: "n1", term: 1, snapshot: snapshotAt(5, 1) });
  assert.is(raft.log.unstable.snapshot, undefined);
  assert.is(raft.log.firstIndex(), 9, "the log did not go back to index 5");
  assert.is(raft.log.lastIndex(), 10);
  assert.equal(raft.takeMessages(), [
    { type: "appResp", from: "n1", to: "n2", term: 1, index: 10 },
  ]);
});

test("a snapshot whose last entry is in the log only moves the commit; the suffix stays", () => {
  const raft = followerWithTen(2);
  raft.step({ type: "snap", from: "n2", to: "n1", term: 1, snapshot: snapshotAt(5, 1) });
  assert.is(raft.log.committed, 5);
  assert.is(raft.log.lastIndex(), 10, "entries after the snapshot are still valid");
  assert.is(raft.log.unstable.snapshot, undefined, "nothing to install");
  assert.equal(raft.takeMessages(), [{ type: "appResp", from: "n1", to: "n2", term: 1, index: 5 }]);
});

test("a snapshot that does not match the log replaces the log and the membership", () => {
  const raft = followerWithTen(2);
  const membership = { voters: ["n1", "n2", "n3"], learners: ["n4"] };
  raft.step({
    type: "snap",
    from: "n2",
    to: "n1",
    term: 2,
    snapshot: snapshotAt(7, 2, membership),
  });
  assert.is(raft.log.committed, 7);
  assert.is(raft.log.firstIndex(), 8);
  assert.is(raft.log.lastIndex(), 7);
  assert.is(raft.log.unstable.snapshot?.metadata.index, 7, "to be persisted by the driver");
  assert.equal(raft.tracker.confState(), membership);
  assert.equal(raft.takeMessages(), [{ type: "appResp", from: "n1", to: "n2", term: 2, index: 7 }]);
});

/**
 * A leader of term 2 whose log (11 entries of term 1, then its no-op) is
 * compacted up to 11, with n2 rejecting everything: n2 is now being sent the
 * snapshot.
 */
function leaderSendingSnapshot(): Raft {
  const raft = newTestRaft({
    ...plainProtocol,
    terms: Array<number>(11).fill(1),
    hardState: { term: 1, commit: 11 },
  });
  electLeader(raft);
  const storage = storageOf(raft);
  storage.createSnapshot(11, confState, "state@11");
  storage.compact(11);
  raft.step({
    type: "appResp",
    from: "n2",
    to: "n1",
    term: 2,
    index: 11,
    reject: true,
    rejectHint: 0,
    logTerm: 0,
  });
  return raft;
}

test("a follower that needs compacted entries is sent the snapshot, and appends to it pause", () => {
  const raft = leaderSendingSnapshot();
  const [snap] = takeOfType(raft, "snap");
  assert.is(snap?.to, "n2");
  assert.is(snap?.snapshot?.metadata.index, 11);
  const progress = raft.tracker.progress.get("n2");
  assert.is(progress?.state, "snapshot");
  assert.is(progress?.pendingSnapshot, 11);
  raft.step({ type: "appResp", from: "n3", to: "n1", term: 2, index: 12 });
  raft.takeMessages();
  raft.propose("while the snapshot travels");
  assert.equal(
    takeOfType(raft, "app").map((m) => m.to),
    ["n3"],
    "n3 replicates, n2 gets no append",
  );
});

test("a snapshot goes only to a follower heard from recently", () => {
  const raft = leaderSendingSnapshot();
  raft.reportSnapshot("n2", false);
  raft.takeMessages();
  const progress = raft.tracker.progress.get("n2");
  if (!progress) throw new Error("no progress for n2");
  // As after a check-quorum window in which n2 said nothing.
  progress.recentActive = false;
  progress.probeSent = false;
  raft.propose("x");
  assert.equal(
    raft.takeMessages().filter((m) => m.to === "n2"),
    [],
    "an expensive snapshot is not sent into the void",
  );
  raft.step({ type: "heartbeatResp", from: "n2", to: "n1", term: 2 });
  assert.is(takeOfType(raft, "snap").length, 1, "once n2 answers, it gets the snapshot");
});

test("a successful snapshot report moves the follower to probe right after the snapshot", () => {
  const raft = leaderSendingSnapshot();
  raft.reportSnapshot("n2", true);
  const progress = raft.tracker.progress.get("n2");
  assert.is(progress?.state, "probe");
  assert.is(progress?.next, 12);
  assert.ok(progress?.isPaused(), "it waits for a heartbeat response while the snapshot installs");
  raft.takeMessages();
  raft.step({ type: "heartbeatResp", from: "n2", to: "n1", term: 2 });
  const [probe] = takeOfType(raft, "app");
  assert.equal([probe?.to, probe?.index, probe?.logTerm], ["n2", 11, 1]);
});

test("a failed snapshot report moves the follower to probe from its match, to retry", () => {
  const raft = leaderSendingSnapshot();
  raft.reportSnapshot("n2", false);
  const progress = raft.tracker.progress.get("n2");
  assert.is(progress?.state, "probe");
  assert.is(progress?.next, 1);
  assert.is(progress?.pendingSnapshot, 0);
  assert.ok(progress?.isPaused());
  raft.takeMessages();
  raft.step({ type: "heartbeatResp", from: "n2", to: "n1", term: 2 });
  assert.is(takeOfType(raft, "snap").length, 1, "the snapshot is sent again");
});

test("the follower's acknowledgement of the snapshot resumes normal replication", () => {
  const raft = leaderSendingSnapshot();
  raft.takeMessages();
  raft.step({ type: "appResp", from: "n2", to: "n1", term: 2, index: 11 });
  const progress = raft.tracker.progress.get("n2");
  assert.is(progress?.state, "replicate");
  assert.is(progress?.match, 11);
  const [append] = takeOfType(raft, "app");
  assert.equal(
    [append?.to, append?.index, append?.entries?.map((e) => e.index)],
    ["n2", 11, [12]],
    "the no-op follows the snapshot",
  );
});

test("a snapshot report for a follower not in snapshot state changes nothing", () => {
  const raft = leaderSendingSnapshot();
  const n3 = raft.tracker.progress.get("n3");
  const before = { state: n3?.state, next: n3?.next };
  raft.reportSnapshot("n3", false);
  assert.equal({ state: n3?.state, next: n3?.next }, before);
});

test.run();
