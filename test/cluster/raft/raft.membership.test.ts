/**
 * Membership changes, one server at a time: learners replicate without
 * voting, promotion, removal (of the leader too), and the rules that keep two
 * changes from overlapping.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ProposeResult } from "../../../cluster/raft/raft.ts";
import type { ConfChange } from "../../../cluster/raft/types.ts";
import { appliedData, Network } from "./support/network.ts";
import {
  applyCommitted,
  commitNoop,
  electLeader,
  entry,
  logOf,
  newTestRaft,
  persist,
  plainProtocol,
  takeOfType,
} from "./support/raft-fixture.ts";

const founders = ["n1", "n2", "n3"];

function codeOf(result: ProposeResult): string {
  return result.ok ? result.value.status : result.error.code;
}

/** A bootstrapped 3-node cluster led by n1, with n4 started empty and added as a learner. */
function clusterWithLearner(): Network {
  const network = new Network({ voters: founders, bootstrap: true });
  network.campaign("n1");
  network.start("n4");
  const added = network.proposeConfChange("n1", { type: "addLearner", nodeId: "n4" });
  assert.is(codeOf(added), "appended");
  return network;
}

test("a learner is added, replicates the whole log and knows it is a learner", () => {
  const network = clusterWithLearner();
  for (const id of [...founders, "n4"]) {
    assert.equal(
      network.raft(id).tracker.confState(),
      { voters: founders, learners: ["n4"] },
      `${id}'s view`,
    );
  }
  assert.ok(network.raft("n4").isLearner());
  network.propose("n1", "hello");
  assert.equal(appliedData(network.node("n4")), ["hello"]);
  assert.equal(logOf(network.raft("n4")), logOf(network.raft("n1")));
});

test("a learner never campaigns, even when the leader is gone", () => {
  const network = clusterWithLearner();
  network.isolate("n1");
  network.tickUntil(() => network.leaders().some((id) => id !== "n1"), 200);
  network.tick("n4", 100);
  assert.is(network.raft("n4").role, "follower");
  const campaigns = [...network.delivered, ...network.dropped].filter(
    (m) => m.from === "n4" && (m.type === "vote" || m.type === "preVote"),
  );
  assert.equal(campaigns, []);
});

test("a learner's copy does not count towards commit", () => {
  const network = clusterWithLearner();
  const committedBefore = network.raft("n1").log.committed;
  network.isolate("n2");
  network.isolate("n3");
  network.propose("n1", "needs a voter");
  assert.is(network.raft("n4").log.lastIndex(), network.raft("n1").log.lastIndex(), "n4 has it");
  assert.is(
    network.raft("n1").log.committed,
    committedBefore,
    "but n1 and a learner are no majority",
  );
});

test("a candidate asks only voters, and a learner's vote is not counted", () => {
  const raft = newTestRaft({ ...plainProtocol, learners: ["n4"] });
  raft.campaign();
  assert.equal(
    takeOfType(raft, "vote").map((m) => m.to),
    ["n2", "n3"],
  );
  raft.step({ type: "voteResp", from: "n4", to: "n1", term: 1 });
  assert.is(raft.role, "candidate");
  raft.step({ type: "voteResp", from: "n2", to: "n1", term: 1 });
  assert.is(raft.role, "leader");
});

test("a learner still answers a vote request: it may have been promoted without knowing yet", () => {
  const raft = newTestRaft({ id: "n4", learners: ["n4"] });
  raft.step({ type: "vote", from: "n2", to: "n4", term: 1, index: 0, logTerm: 0 });
  assert.equal(raft.takeMessages(), [{ type: "voteResp", from: "n4", to: "n2", term: 1 }]);
});

test("promoting a learner makes it a voter that counts towards commit", () => {
  const network = clusterWithLearner();
  const promoted = network.proposeConfChange("n1", { type: "addVoter", nodeId: "n4" });
  assert.is(codeOf(promoted), "appended");
  for (const id of [...founders, "n4"]) {
    assert.equal(
      network.raft(id).tracker.confState(),
      { voters: ["n1", "n2", "n3", "n4"], learners: [] },
      `${id}'s view`,
    );
  }
  assert.not.ok(network.raft("n4").isLearner());
  network.isolate("n2");
  network.propose("n1", "three of four");
  assert.equal(appliedData(network.node("n4")), ["three of four"], "n1, n3, n4 are a majority");
  network.isolate("n3");
  const committed = network.raft("n1").log.committed;
  network.propose("n1", "two of four");
  assert.is(network.raft("n1").log.committed, committed, "n1 and n4 alone are not");
});

test("a removed member is sent nothing more and the rest commit without it", () => {
  const network = new Network({ voters: founders, bootstrap: true });
  network.campaign("n1");
  const removed = network.proposeConfChange("n1", { type: "removeNode", nodeId: "n3" });
  assert.is(codeOf(removed), "appended");
  assert.equal(network.raft("n1").tracker.confState(), { voters: ["n1", "n2"], learners: [] });
  const sentBefore = network.delivered.length + network.dropped.length;
  network.isolate("n3");
  network.propose("n1", "without n3");
  network.tickAll(30);
  assert.equal(appliedData(network.node("n2")), ["without n3"]);
  const sentAfter = [...network.delivered, ...network.dropped].slice(sentBefore);
  assert.equal(
    sentAfter.filter((m) => m.to === "n3"),
    [],
  );
});

test("a removed leader steps down, never campaigns, and the others elect a new leader", () => {
  const network = new Network({ voters: founders, bootstrap: true });
  network.campaign("n1");
  const removed = network.proposeConfChange("n1", { type: "removeNode", nodeId: "n1" });
  assert.is(codeOf(removed), "appended");
  const former = network.raft("n1");
  assert.is(former.role, "follower");
  assert.is(codeOf(former.propose("x")), "NOT_LEADER");
  const sentBefore = network.delivered.length + network.dropped.length;
  network.tickUntil(() => network.leaders().length === 1, 200);
  const [newLeader] = network.leaders();
  assert.ok(newLeader === "n2" || newLeader === "n3", `leader ${newLeader}`);
  network.tick("n1", 100);
  const campaigns = [...network.delivered, ...network.dropped]
    .slice(sentBefore)
    .filter((m) => m.from === "n1" && (m.type === "vote" || m.type === "preVote"));
  assert.equal(campaigns, []);
  network.propose(newLeader ?? "", "after the removal");
  assert.equal(appliedData(network.node("n2")), ["after the removal"]);
});

test("only one membership change may be in progress (CONF_CHANGE_PENDING)", () => {
  const network = new Network({ voters: founders, bootstrap: true });
  network.campaign("n1");
  const leader = network.node("n1").raw;
  assert.is(codeOf(leader.proposeConfChange({ type: "addLearner", nodeId: "n4" })), "appended");
  const second = leader.proposeConfChange({ type: "addLearner", nodeId: "n5" });
  assert.is(codeOf(second), "CONF_CHANGE_PENDING");
  if (!second.ok) assert.match(second.error.message, /retry/);
  network.stabilize();
  assert.is(codeOf(leader.proposeConfChange({ type: "addLearner", nodeId: "n5" })), "appended");
});

test("a new leader refuses membership changes until it commits an entry of its term", () => {
  const raft = newTestRaft({ ...plainProtocol, terms: [1, 1], hardState: { term: 1, commit: 2 } });
  applyCommitted(raft);
  electLeader(raft);
  const early = raft.proposeConfChange({ type: "addLearner", nodeId: "n4" });
  assert.is(codeOf(early), "CONF_CHANGE_TOO_EARLY");
  assert.is(raft.log.lastIndex(), 3, "nothing was appended");
  commitNoop(raft);
  assert.is(codeOf(raft.proposeConfChange({ type: "addLearner", nodeId: "n4" })), "appended");
});

test("a new leader allows no change while one from an earlier term is not yet applied", () => {
  const earlier: ConfChange = { type: "addLearner", nodeId: "n4" };
  const raft = newTestRaft({
    ...plainProtocol,
    entries: [
      entry(1, 1),
      { index: 2, term: 1, type: "confChange", data: JSON.stringify(earlier) },
    ],
    hardState: { term: 1, commit: 1 },
  });
  applyCommitted(raft);
  electLeader(raft);
  persist(raft);
  raft.step({ type: "appResp", from: "n2", to: "n1", term: 2, index: 3 });
  assert.is(raft.log.committed, 3, "the no-op committed, and the earlier change with it");
  const next = raft.proposeConfChange({ type: "addLearner", nodeId: "n5" });
  assert.is(codeOf(next), "CONF_CHANGE_PENDING", "the earlier change is committed, not applied");
  applyCommitted(raft);
  assert.equal(raft.tracker.confState().learners, ["n4"]);
  assert.is(codeOf(raft.proposeConfChange({ type: "addLearner", nodeId: "n5" })), "appended");
});

test("a voter is demoted to a learner: it no longer counts towards the quorum and cannot campaign", () => {
  const raft = newTestRaft({ ...plainProtocol });
  electLeader(raft);
  commitNoop(raft);
  assert.is(codeOf(raft.proposeConfChange({ type: "addLearner", nodeId: "n3" })), "appended");
  const confState = raft.applyConfChange({ type: "addLearner", nodeId: "n3" });
  assert.equal(confState.voters, ["n1", "n2"]);
  assert.equal(confState.learners, ["n3"]);
  const follower = newTestRaft({ ...plainProtocol, id: "n3" });
  follower.applyConfChange({ type: "addLearner", nodeId: "n3" });
  for (let tick = 0; tick < 100; tick++) follower.tick();
  assert.is(follower.role, "follower", "a learner never campaigns");
});

test("demoting the target of a leadership transfer aborts the transfer: a learner never takes over", () => {
  const raft = newTestRaft({ ...plainProtocol });
  electLeader(raft);
  commitNoop(raft);
  assert.is(codeOf(raft.proposeConfChange({ type: "addLearner", nodeId: "n3" })), "appended");
  assert.ok(raft.transferLeadership("n3").ok);
  assert.is(raft.leadTransfereeId(), "n3");
  raft.applyConfChange({ type: "addLearner", nodeId: "n3" });
  assert.is(raft.leadTransfereeId(), "", "the transfer is over");
  assert.is(raft.role, "leader");
  assert.is(codeOf(raft.propose("after")), "appended", "proposals are taken again at once");
});

test("changes that make no sense are refused with INVALID_CONF_CHANGE", () => {
  const raft = newTestRaft({ ...plainProtocol, learners: ["n4"] });
  electLeader(raft);
  commitNoop(raft);
  const invalid: ConfChange[] = [
    // The leader demoting itself, a learner added again.
    { type: "addLearner", nodeId: "n1" },
    { type: "addLearner", nodeId: "n4" },
    { type: "addVoter", nodeId: "n3" },
    { type: "removeNode", nodeId: "n9" },
  ];
  for (const change of invalid) {
    assert.is(
      codeOf(raft.proposeConfChange(change)),
      "INVALID_CONF_CHANGE",
      JSON.stringify(change),
    );
  }
  const single = newTestRaft({ voters: ["n1"] });
  electLeader(single);
  persist(single);
  applyCommitted(single);
  const last = single.proposeConfChange({ type: "removeNode", nodeId: "n1" });
  assert.is(codeOf(last), "INVALID_CONF_CHANGE");
  if (!last.ok) assert.match(last.error.message, /last voter/);
});

test("a follower forwards a membership change to the leader, which checks it again", () => {
  const network = new Network({ voters: founders, bootstrap: true });
  network.campaign("n1");
  network.start("n4");
  const forwarded = network.proposeConfChange("n2", { type: "addLearner", nodeId: "n4" });
  assert.is(codeOf(forwarded), "forwarded");
  assert.equal(network.raft("n1").tracker.confState().learners, ["n4"]);
  const lastIndex = network.raft("n1").log.lastIndex();
  network.proposeConfChange("n2", { type: "addVoter", nodeId: "n1" });
  assert.is(network.raft("n1").log.lastIndex(), lastIndex, "the leader refused the invalid change");
});

test("a node with a committed but unapplied membership change does not campaign", () => {
  const change: ConfChange = { type: "addLearner", nodeId: "n4" };
  const raft = newTestRaft({
    ...plainProtocol,
    entries: [entry(1, 1), { index: 2, term: 1, type: "confChange", data: JSON.stringify(change) }],
    hardState: { term: 1, commit: 2 },
    applied: 1,
  });
  for (let tick = 0; tick < 40; tick++) raft.tick();
  raft.campaign();
  assert.is(raft.role, "follower");
  assert.equal(raft.takeMessages(), []);
  applyCommitted(raft);
  raft.campaign();
  assert.is(raft.role, "candidate", "once applied, it may campaign");
});

test("a member that joins after compaction gets a snapshot, then the membership entries after it", () => {
  const network = new Network({ voters: founders, bootstrap: true });
  network.campaign("n1");
  for (let count = 0; count < 5; count++) network.propose("n1", `entry ${count}`);
  network.compact("n1", network.raft("n1").log.applied);
  network.start("n4");
  network.proposeConfChange("n1", { type: "addLearner", nodeId: "n4" });
  network.tick("n1");
  assert.ok(network.delivered.some((m) => m.type === "snap" && m.to === "n4"));
  assert.equal(network.raft("n4").tracker.confState(), { voters: founders, learners: ["n4"] });
  assert.equal(appliedData(network.node("n4")), appliedData(network.node("n1")));
});

test("a membership change refused for the uncommitted limit leaves no change pending", () => {
  const raft = newTestRaft({ ...plainProtocol, maxUncommittedBytes: 10 });
  electLeader(raft);
  commitNoop(raft);
  assert.ok(raft.propose("0123456789").ok);
  const refused = raft.proposeConfChange({ type: "addLearner", nodeId: "n4" });
  assert.is(codeOf(refused), "UNCOMMITTED_LIMIT");
  persist(raft);
  raft.step({ type: "appResp", from: "n2", to: "n1", term: 1, index: raft.log.lastIndex() });
  applyCommitted(raft);
  const retried = raft.proposeConfChange({ type: "addLearner", nodeId: "n4" });
  assert.is(codeOf(retried), "appended", "the refused change was never in the log");
});

test("a forwarded membership change that is not one is refused, not thrown, and never appended", () => {
  const network = new Network({ voters: founders, bootstrap: true });
  network.campaign("n1");
  const leader = network.raft("n1");
  const lastIndex = leader.log.lastIndex();
  for (const data of ["not json", '{"type":"promote","nodeId":"n2"}', '{"type":"addVoter"}']) {
    network.node("n1").raw.step({
      type: "prop",
      from: "n2",
      to: "n1",
      term: 0,
      entries: [{ index: 0, term: 0, type: "confChange", data }],
    });
  }
  network.stabilize();
  assert.is(leader.log.lastIndex(), lastIndex, "nothing was appended");
  assert.is(leader.role, "leader");
  assert.is(codeOf(network.propose("n1", "still serving")), "appended");
});

test.run();
