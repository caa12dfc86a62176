/**
 * ReadIndex (thesis §6.4): a linearizable read point is the leader's commit
 * index, served only after a quorum confirmed, in a heartbeat round started
 * after the request, that the leader still leads.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Raft } from "../../../cluster/raft/raft.ts";
import { Network } from "./support/network.ts";
import {
  applyCommitted,
  commitNoop,
  electLeader,
  newTestRaft,
  persist,
  plainProtocol,
  steadyLeader,
  takeOfType,
} from "./support/raft-fixture.ts";

function ackRead(raft: Raft, from: string, context?: string): void {
  const response = { type: "heartbeatResp", from, to: raft.id, term: raft.term } as const;
  raft.step(context === undefined ? response : { ...response, context });
}

test("a single-node leader answers a read at once with its commit index", () => {
  const raft = newTestRaft({ voters: ["n1"] });
  electLeader(raft);
  persist(raft);
  applyCommitted(raft);
  assert.equal(raft.readIndex("r1"), { ok: true, value: { status: "accepted" } });
  assert.equal(raft.takeReadStates(), [{ index: 1, context: "r1" }]);
});

test("a read is answered only after a majority acknowledged a heartbeat carrying its context", () => {
  const raft = steadyLeader({ voters: ["n1", "n2", "n3", "n4", "n5"] });
  assert.ok(raft.readIndex("r1").ok);
  const heartbeats = takeOfType(raft, "heartbeat");
  assert.equal(
    heartbeats.map((m) => [m.to, m.context]),
    [
      ["n2", "r1"],
      ["n3", "r1"],
      ["n4", "r1"],
      ["n5", "r1"],
    ],
  );
  ackRead(raft, "n2");
  ackRead(raft, "n3");
  ackRead(raft, "n4", "some other read");
  assert.equal(raft.takeReadStates(), [], "acks of other rounds do not count");
  ackRead(raft, "n2", "r1");
  ackRead(raft, "n2", "r1");
  assert.equal(raft.takeReadStates(), [], "the leader and n2 are 2 of 5, however often n2 answers");
  ackRead(raft, "n3", "r1");
  assert.equal(raft.takeReadStates(), [{ index: 1, context: "r1" }]);
  ackRead(raft, "n4", "r1");
  assert.equal(raft.takeReadStates(), [], "answered once");
});

test("the read point is the commit index when the read arrived", () => {
  const raft = steadyLeader();
  raft.readIndex("r1");
  raft.propose("written after the read began");
  persist(raft);
  raft.step({ type: "appResp", from: "n2", to: "n1", term: 1, index: 2 });
  assert.is(raft.log.committed, 2);
  ackRead(raft, "n2", "r1");
  assert.equal(raft.takeReadStates(), [{ index: 1, context: "r1" }]);
});

test("confirming a later read confirms every earlier one, in order", () => {
  const raft = steadyLeader();
  raft.readIndex("r1");
  raft.readIndex("r2");
  ackRead(raft, "n3", "r2");
  assert.equal(raft.takeReadStates(), [
    { index: 1, context: "r1" },
    { index: 1, context: "r2" },
  ]);
});

test("a learner's acknowledgement does not count towards the read quorum", () => {
  const raft = steadyLeader({ learners: ["n4"] });
  raft.readIndex("r1");
  ackRead(raft, "n4", "r1");
  assert.equal(raft.takeReadStates(), []);
  ackRead(raft, "n2", "r1");
  assert.equal(raft.takeReadStates(), [{ index: 1, context: "r1" }]);
});

test("a new leader holds reads until it has committed an entry of its term", () => {
  const raft = newTestRaft({ ...plainProtocol, terms: [1, 1], hardState: { term: 1, commit: 2 } });
  electLeader(raft);
  assert.ok(raft.readIndex("r1").ok);
  assert.equal(takeOfType(raft, "heartbeat"), [], "no read round before the no-op commits");
  ackRead(raft, "n2", "r1");
  assert.equal(raft.takeReadStates(), []);
  persist(raft);
  raft.step({ type: "appResp", from: "n2", to: "n1", term: 2, index: 3 });
  assert.is(raft.log.committed, 3);
  assert.equal(
    takeOfType(raft, "heartbeat").map((m) => [m.to, m.context]),
    [
      ["n2", "r1"],
      ["n3", "r1"],
    ],
    "the held read starts its round once the no-op commits",
  );
  ackRead(raft, "n3", "r1");
  assert.equal(raft.takeReadStates(), [{ index: 3, context: "r1" }], "not the stale index 2");
});

test("a follower's read is forwarded and answered with the leader's read point", () => {
  const network = new Network({ voters: ["n1", "n2", "n3"] });
  network.campaign("n1");
  network.propose("n1", "x");
  const follower = network.node("n2");
  assert.equal(follower.raw.readIndex("f1"), { ok: true, value: { status: "forwarded" } });
  network.stabilize();
  assert.equal(follower.readStates, [{ index: network.raft("n1").log.committed, context: "f1" }]);
  assert.equal(network.node("n1").readStates, [], "the leader answers, it does not read");
});

test("a read with no known leader is refused with NOT_LEADER", () => {
  const raft = newTestRaft();
  const result = raft.readIndex("r1");
  assert.is(result.ok, false);
  if (!result.ok) {
    assert.is(result.error.code, "NOT_LEADER");
    assert.match(result.error.message, /leader unknown/);
  }
  assert.equal(raft.takeMessages(), []);
});

test("a leader that steps down forgets its pending reads", () => {
  const raft = steadyLeader();
  raft.readIndex("r1");
  raft.step({ type: "heartbeat", from: "n2", to: "n1", term: 2, commit: 1 });
  assert.is(raft.role, "follower");
  electLeader(raft);
  commitNoop(raft);
  ackRead(raft, "n2", "r1");
  ackRead(raft, "n3", "r1");
  assert.equal(raft.takeReadStates(), [], "leading again, it does not answer the old read");
});

test.run();
