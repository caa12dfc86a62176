import { test } from "uvu";
import * as assert from "uvu/assert";
import { seededRandom } from "../../../cluster/raft/random.ts";
import { RawNode } from "../../../cluster/raft/raw-node.ts";
import { MemoryStorage } from "../../../cluster/raft/storage.ts";
import type { Ready } from "../../../cluster/raft/types.ts";

function newRawNode(voters: string[], learners: string[] = [], id = "n1") {
  const storage = new MemoryStorage({ voters, learners });
  const node = new RawNode({
    id,
    storage,
    electionTicks: 10,
    heartbeatTicks: 1,
    random: seededRandom(1),
  });
  return { node, storage };
}

/** What the driver does with a Ready, except sending. */
function persistAndAdvance(node: RawNode, storage: MemoryStorage, ready: Ready): void {
  if (ready.snapshot) storage.applySnapshot(ready.snapshot);
  storage.append(ready.entries);
  if (ready.hardState) storage.setHardState(ready.hardState);
  node.advance(ready);
}

test("a fresh node has nothing to do", () => {
  const { node } = newRawNode(["n1", "n2", "n3"]);
  assert.not.ok(node.hasReady());
});

test("a single node elects itself and its no-op commits once persisted", () => {
  const { node, storage } = newRawNode(["n1"]);
  node.campaign();
  assert.ok(node.hasReady());
  const first = node.ready();
  assert.equal(first.softState, { leaderId: "n1", role: "leader" });
  assert.equal(first.hardState, { term: 1, vote: "n1", commit: 0 });
  assert.equal(first.entries, [{ index: 1, term: 1, type: "normal", data: "" }]);
  assert.equal(first.committedEntries, [], "not committed before it is durable");
  assert.ok(first.mustSync);
  assert.is(node.status().commitIndex, 0);

  persistAndAdvance(node, storage, first);
  assert.ok(node.hasReady());
  const second = node.ready();
  assert.equal(second.hardState, { term: 1, vote: "n1", commit: 1 });
  assert.equal(
    second.committedEntries.map((e) => e.index),
    [1],
  );
  assert.equal(second.entries, []);
  assert.not.ok(second.mustSync, "a commit change alone need not be synced");
  assert.is(second.softState, undefined, "unchanged soft state is left out");
  persistAndAdvance(node, storage, second);
  assert.not.ok(node.hasReady());
  assert.is(node.status().appliedIndex, 1);
});

test("leadership tells the role, term and commit index the status tells", () => {
  const { node, storage } = newRawNode(["n1"]);
  assert.equal(node.leadership(), { isLeader: false, term: 0, committed: 0 });
  node.campaign();
  persistAndAdvance(node, storage, node.ready());
  const status = node.status();
  assert.equal(node.leadership(), {
    isLeader: true,
    term: status.term,
    committed: status.commitIndex,
  });
  assert.is(status.commitIndex, 1, "the no-op committed");
});

test("a proposal goes through persist, commit and apply in two Ready batches", () => {
  const { node, storage } = newRawNode(["n1"]);
  node.campaign();
  for (let batches = 0; node.hasReady() && batches < 5; batches++) {
    persistAndAdvance(node, storage, node.ready());
  }
  const result = node.propose("set x=1");
  assert.equal(result, { ok: true, value: { status: "appended", index: 2, term: 1 } });
  const write = node.ready();
  assert.equal(
    write.entries.map((e) => e.data),
    ["set x=1"],
  );
  assert.is(write.hardState, undefined, "term, vote and commit did not change");
  persistAndAdvance(node, storage, write);
  const apply = node.ready();
  assert.equal(
    apply.committedEntries.map((e) => e.data),
    ["set x=1"],
  );
  persistAndAdvance(node, storage, apply);
  assert.not.ok(node.hasReady());
  assert.equal(
    storage.allEntries().map((e) => e.data),
    ["", "set x=1"],
  );
  assert.equal(storage.initialState().hardState, { term: 1, vote: "n1", commit: 2 });
});

test("a Ready carries the messages to send and hands them out once", () => {
  const { node, storage } = newRawNode(["n1", "n2", "n3"]);
  node.campaign();
  const ready = node.ready();
  assert.equal(
    ready.messages.map((m) => [m.type, m.to, m.term]),
    [
      ["preVote", "n2", 1],
      ["preVote", "n3", 1],
    ],
  );
  assert.equal(ready.softState, { leaderId: "", role: "precandidate" });
  assert.not.ok(ready.mustSync, "a pre-candidate changes neither term nor vote");
  persistAndAdvance(node, storage, ready);
  assert.not.ok(node.hasReady());
});

test("read states reach the driver through the Ready", () => {
  const { node, storage } = newRawNode(["n1"]);
  node.campaign();
  for (let batches = 0; node.hasReady() && batches < 5; batches++) {
    persistAndAdvance(node, storage, node.ready());
  }
  assert.equal(node.readIndex("read-1"), { ok: true, value: { status: "accepted" } });
  const ready = node.ready();
  assert.equal(ready.readStates, [{ index: 1, context: "read-1" }]);
  persistAndAdvance(node, storage, ready);
  assert.not.ok(node.hasReady());
});

test("an installed snapshot is persisted, counted as applied, and acknowledged", () => {
  const { node, storage } = newRawNode(["n1", "n2", "n3"]);
  const snapshot = {
    metadata: { index: 7, term: 2, confState: { voters: ["n1", "n2", "n3"], learners: [] } },
    data: "state@7",
  };
  node.step({ type: "snap", from: "n2", to: "n1", term: 2, snapshot });
  const ready = node.ready();
  assert.is(ready.snapshot, snapshot);
  assert.equal(ready.hardState, { term: 2, vote: "", commit: 7 });
  assert.equal(
    ready.messages.map((m) => [m.type, m.to, m.index]),
    [["appResp", "n2", 7]],
  );
  persistAndAdvance(node, storage, ready);
  assert.is(node.status().appliedIndex, 7);
  assert.is(storage.firstIndex(), 8);
  assert.not.ok(node.hasReady());
});

test("status reports progress only on a leader", () => {
  const { node, storage } = newRawNode(["n1", "n2"], ["n3"]);
  const follower = node.status();
  assert.equal(follower.progress, []);
  assert.equal(follower.confState, { voters: ["n1", "n2"], learners: ["n3"] });
  assert.not.ok(follower.isLearner);
  node.campaign();
  node.step({ type: "preVoteResp", from: "n2", to: "n1", term: 1 });
  node.step({ type: "voteResp", from: "n2", to: "n1", term: 1 });
  persistAndAdvance(node, storage, node.ready());
  const leader = node.status();
  assert.is(leader.role, "leader");
  assert.is(leader.term, 1);
  assert.is(leader.lastIndex, 1);
  assert.equal(leader.progress.map((p) => p.id).sort(), ["n1", "n2", "n3"]);
  assert.is(leader.progress.find((p) => p.id === "n1")?.match, 1, "its own persisted no-op");
});

test("a learner knows it is one", () => {
  const { node } = newRawNode(["n1", "n2"], ["n3"], "n3");
  assert.ok(node.status().isLearner);
});

test.run();
