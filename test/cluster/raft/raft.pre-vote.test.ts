/**
 * Pre-vote (thesis §9.6): a node asks whether it could win before it bumps
 * its term, so a node that was cut off cannot depose a healthy leader when it
 * comes back.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Network } from "./support/network.ts";
import { newTestRaft } from "./support/raft-fixture.ts";

const voters = ["n1", "n2", "n3"];

/** n1 leads a 3-node cluster; n3 is cut off for 50 rounds of ticks, then comes back. */
function partitionAndRejoin(preVote: boolean): Network {
  const network = new Network({ voters, config: { preVote, checkQuorum: true } });
  network.campaign("n1");
  assert.is(network.raft("n1").role, "leader");
  network.isolate("n3");
  network.tickAll(50);
  network.recover();
  network.tickAll(50);
  return network;
}

test("with pre-vote, a partitioned node that rejoins does not disrupt the leader", () => {
  const network = partitionAndRejoin(true);
  assert.is(network.raft("n3").term, 1, "its pre-votes went nowhere, so its term never moved");
  assert.equal(network.leaders(), ["n1"]);
  for (const id of voters) {
    assert.is(network.raft(id).term, 1, id);
    assert.is(network.raft(id).leaderId, "n1", id);
  }
});

test("without pre-vote, the same rejoining node forces a new election", () => {
  const network = partitionAndRejoin(false);
  assert.ok(network.raft("n1").term > 1, "its inflated term deposed the leader of term 1");
});

test("a pre-vote neither changes the voter's term nor records a vote", () => {
  const raft = newTestRaft({ terms: [1, 1] });
  raft.step({ type: "preVote", from: "n2", to: "n1", term: 2, index: 2, logTerm: 1 });
  assert.equal(raft.takeMessages(), [{ type: "preVoteResp", from: "n1", to: "n2", term: 2 }]);
  assert.is(raft.term, 1);
  assert.is(raft.vote, "");
});

test("a pre-vote is refused to a candidate whose log is behind", () => {
  const raft = newTestRaft({ terms: [1, 1] });
  raft.step({ type: "preVote", from: "n2", to: "n1", term: 2, index: 1, logTerm: 1 });
  assert.equal(raft.takeMessages(), [
    { type: "preVoteResp", from: "n1", to: "n2", term: 1, reject: true },
  ]);
});

test("a pre-vote for a term the voter has passed is refused with the voter's term", () => {
  const raft = newTestRaft({ hardState: { term: 5 } });
  raft.step({ type: "preVote", from: "n2", to: "n1", term: 3, index: 9, logTerm: 3 });
  assert.equal(raft.takeMessages(), [
    { type: "preVoteResp", from: "n1", to: "n2", term: 5, reject: true },
  ]);
});

test("a pre-candidate with a majority of pre-votes starts the real election in the next term", () => {
  const raft = newTestRaft({ hardState: { term: 3 } });
  raft.campaign();
  assert.is(raft.role, "precandidate");
  assert.is(raft.term, 3);
  raft.takeMessages();
  raft.step({ type: "preVoteResp", from: "n2", to: "n1", term: 4 });
  assert.is(raft.role, "candidate");
  assert.is(raft.term, 4);
  assert.is(raft.vote, "n1");
  assert.equal(
    raft.takeMessages().map((m) => [m.type, m.to, m.term]),
    [
      ["vote", "n2", 4],
      ["vote", "n3", 4],
    ],
  );
});

test("a pre-candidate refused by a majority goes back to follower in its old term", () => {
  const raft = newTestRaft({ hardState: { term: 3 } });
  raft.campaign();
  raft.step({ type: "preVoteResp", from: "n2", to: "n1", term: 3, reject: true });
  raft.step({ type: "preVoteResp", from: "n3", to: "n1", term: 3, reject: true });
  assert.is(raft.role, "follower");
  assert.is(raft.term, 3);
});

test("a pre-candidate refused by a member in a later term adopts that term", () => {
  const raft = newTestRaft({ hardState: { term: 3 } });
  raft.campaign();
  raft.step({ type: "preVoteResp", from: "n2", to: "n1", term: 7, reject: true });
  assert.is(raft.role, "follower");
  assert.is(raft.term, 7);
});

test.run();
