/**
 * Check-quorum: a leader that cannot hear a majority steps down (so its bot
 * stops), and a member that hears from a live leader ignores campaigns that
 * would depose it.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Network } from "./support/network.ts";
import { newTestRaft } from "./support/raft-fixture.ts";

const voters = ["n1", "n2", "n3"];

test("a leader that cannot hear a quorum within an election timeout steps down", () => {
  const network = new Network({ voters });
  network.campaign("n1");
  network.isolate("n1");
  network.tick("n1", 2 * 10);
  const raft = network.raft("n1");
  assert.is(raft.role, "follower");
  assert.is(raft.leaderId, "", "it no longer names itself (or anyone) leader");
  assert.is(raft.term, 1, "stepping down does not start an election by itself");
});

test("a leader that can still send but no longer hears a majority steps down", () => {
  const network = new Network({ voters });
  network.campaign("n1");
  network.drop("n2", "n1");
  network.drop("n3", "n1");
  network.tickAll(2 * 10);
  assert.not.equal(network.raft("n1").role, "leader");
  assert.ok(
    network.delivered.some((m) => m.from === "n1" && m.to === "n2" && m.type === "heartbeat"),
    "its heartbeats went through all along",
  );
});

test("a leader that hears a quorum keeps leading, even with a member cut off", () => {
  const network = new Network({ voters });
  network.campaign("n1");
  network.isolate("n3");
  network.tickAll(100);
  assert.equal(network.leaders(), ["n1"]);
  assert.is(network.raft("n1").term, 1);
});

test("without check-quorum, a cut-off leader keeps believing it leads", () => {
  const network = new Network({ voters, config: { checkQuorum: false } });
  network.campaign("n1");
  network.isolate("n1");
  network.tick("n1", 100);
  assert.is(network.raft("n1").role, "leader");
});

test("a follower that recently heard from its leader ignores a higher-term vote request", () => {
  const raft = newTestRaft();
  raft.becomeFollower(1, "n2");
  raft.step({ type: "vote", from: "n3", to: "n1", term: 2, index: 0, logTerm: 0 });
  raft.step({ type: "preVote", from: "n3", to: "n1", term: 2, index: 0, logTerm: 0 });
  assert.equal(raft.takeMessages(), [], "no answer at all");
  assert.is(raft.term, 1);
  assert.is(raft.leaderId, "n2");
});

test("a follower with no leader answers the same vote request", () => {
  const raft = newTestRaft();
  raft.becomeFollower(1, "");
  raft.step({ type: "vote", from: "n3", to: "n1", term: 2, index: 0, logTerm: 0 });
  assert.equal(raft.takeMessages(), [{ type: "voteResp", from: "n1", to: "n3", term: 2 }]);
});

test("a leadership-transfer campaign is answered even by a follower that has a leader", () => {
  const raft = newTestRaft();
  raft.becomeFollower(1, "n2");
  raft.step({
    type: "vote",
    from: "n3",
    to: "n1",
    term: 2,
    index: 0,
    logTerm: 0,
    context: "transfer",
  });
  assert.equal(raft.takeMessages(), [{ type: "voteResp", from: "n1", to: "n3", term: 2 }]);
  assert.is(raft.term, 2);
});

test("a candidate stuck in a higher term is freed: the leader learns the term and steps down", () => {
  const network = new Network({ voters, config: { preVote: false, checkQuorum: true } });
  network.campaign("n1");
  network.isolate("n1");
  network.campaign("n3");
  // n2 heard from n1 recently and ignores n3; n3 is stuck as a candidate.
  assert.is(network.raft("n2").role, "follower");
  assert.is(network.raft("n3").role, "candidate");
  assert.is(network.raft("n3").term, network.raft("n2").term + 1);
  network.campaign("n3");
  assert.is(network.raft("n3").role, "candidate");
  assert.is(network.raft("n3").term, network.raft("n2").term + 2);

  network.recover();
  const leader = network.raft("n1");
  network.send({ type: "heartbeat", from: "n1", to: "n3", term: leader.term, commit: 0 });
  assert.is(leader.role, "follower", "n3 answered with its higher term");
  assert.is(leader.term, network.raft("n3").term);

  network.campaign("n3");
  assert.is(network.raft("n3").role, "leader");
});

test.run();
