/**
 * Leadership transfer (thesis §3.10): the leader catches the target up, tells
 * it to campaign at once, and refuses proposals meanwhile; a transfer that
 * does not finish within an election timeout is abandoned.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RequestResult } from "../../../cluster/raft/raft.ts";
import { Network } from "./support/network.ts";
import {
  commitNoop,
  electLeader,
  newTestRaft,
  plainProtocol,
  takeOfType,
} from "./support/raft-fixture.ts";

const voters = ["n1", "n2", "n3"];

function ledByN1(): Network {
  const network = new Network({ voters });
  network.campaign("n1");
  assert.equal(network.leaders(), ["n1"]);
  return network;
}

function refusalCode(result: RequestResult): string | undefined {
  return result.ok ? undefined : result.error.code;
}

test("a transfer to an up-to-date follower elects it at once, skipping pre-vote and leases", () => {
  const network = ledByN1();
  const leader = network.node("n1").raw;
  assert.equal(leader.transferLeadership("n2"), {
    ok: true,
    value: { status: "accepted", target: "n2" },
  });
  network.stabilize();
  assert.equal(network.leaders(), ["n2"]);
  assert.is(network.raft("n2").term, 2);
  assert.is(network.raft("n1").leaderId, "n2");
  const campaign = network.delivered.filter(
    (m) => m.from === "n2" && (m.type === "vote" || m.type === "preVote"),
  );
  assert.equal(
    campaign.map((m) => [m.type, m.to, m.context]),
    [
      ["vote", "n1", "transfer"],
      ["vote", "n3", "transfer"],
    ],
    "n3 still heard from n1, yet it answers a transfer campaign",
  );
});

test("a transfer to a lagging follower catches it up first; proposals are refused meanwhile", () => {
  const network = ledByN1();
  network.isolate("n3");
  for (const data of ["a", "b", "c"]) network.propose("n1", data);
  network.recover();
  const leader = network.node("n1").raw;
  assert.ok(leader.transferLeadership("n3").ok);
  assert.is(leader.core.leadTransfereeId(), "n3");
  const refused = leader.propose("during the transfer");
  assert.is(refused.ok, false);
  if (!refused.ok) {
    assert.is(refused.error.code, "TRANSFER_IN_PROGRESS");
    assert.match(refused.error.message, /n3/);
  }
  network.stabilize();
  assert.equal(network.leaders(), ["n3"]);
  const timeoutNow = network.delivered.findIndex((m) => m.type === "timeoutNow");
  const lastCatchUp = network.delivered.findLastIndex(
    (m) => m.type === "app" && m.to === "n3" && (m.entries?.length ?? 0) > 0,
  );
  assert.ok(lastCatchUp >= 0 && lastCatchUp < timeoutNow, "entries first, then timeoutNow");
  assert.is(network.raft("n3").log.lastIndex(), network.raft("n1").log.lastIndex());
});

test("timeoutNow goes out only once the target has every entry of the leader's log", () => {
  const raft = newTestRaft(plainProtocol);
  electLeader(raft);
  commitNoop(raft);
  for (const data of ["a", "b", "c"]) raft.propose(data);
  raft.takeMessages();
  assert.ok(raft.transferLeadership("n2").ok);
  assert.equal(takeOfType(raft, "timeoutNow"), [], "n2 is at 1 of 4");
  raft.step({ type: "appResp", from: "n2", to: "n1", term: 1, index: 3 });
  assert.equal(takeOfType(raft, "timeoutNow"), [], "n2 is at 3 of 4");
  raft.step({ type: "appResp", from: "n2", to: "n1", term: 1, index: 4 });
  assert.equal(takeOfType(raft, "timeoutNow"), [
    { type: "timeoutNow", from: "n1", to: "n2", term: 1 },
  ]);
});

test("a transfer that does not finish within an election timeout is abandoned", () => {
  const network = ledByN1();
  network.isolate("n3");
  const leader = network.node("n1").raw;
  assert.ok(leader.transferLeadership("n3").ok);
  network.tickAll(9);
  assert.is(leader.core.leadTransfereeId(), "n3", "still trying after 9 ticks");
  network.tickAll(1);
  assert.is(leader.core.leadTransfereeId(), "");
  assert.equal(network.leaders(), ["n1"]);
  assert.ok(leader.propose("accepted again").ok);
});

test("a transfer to the leader itself is accepted and changes nothing", () => {
  const network = ledByN1();
  const leader = network.node("n1").raw;
  assert.equal(leader.transferLeadership("n1"), {
    ok: true,
    value: { status: "accepted", target: "n1" },
  });
  assert.is(leader.core.leadTransfereeId(), "");
  network.stabilize();
  assert.equal(network.leaders(), ["n1"]);
  assert.ok(leader.propose("still leading").ok);
});

test("a transfer to a non-member or a learner is refused: neither can lead", () => {
  const network = new Network({ voters, learners: ["n4"] });
  network.campaign("n1");
  const leader = network.node("n1").raw;
  for (const target of ["n9", "n4"]) {
    const result = leader.transferLeadership(target);
    assert.is(refusalCode(result), "INVALID_TRANSFER_TARGET", target);
    if (!result.ok) assert.match(result.error.message, new RegExp(`${target} is not a voter`));
    assert.is(leader.core.leadTransfereeId(), "");
  }
  assert.ok(leader.propose("unaffected").ok);
});

test("a follower forwards a transfer request to the leader, naming the target", () => {
  const network = ledByN1();
  const follower = network.node("n2").raw;
  assert.equal(follower.transferLeadership("n3"), { ok: true, value: { status: "forwarded" } });
  network.stabilize();
  assert.equal(network.leaders(), ["n3"]);
  const request = network.delivered.find((m) => m.type === "transferLeader");
  assert.equal(request, { type: "transferLeader", from: "n2", to: "n1", term: 0, context: "n3" });
});

test("a follower forwards a transfer with no target and the leader hands over to the most caught-up voter", () => {
  const network = ledByN1();
  network.isolate("n3");
  assert.ok(network.node("n1").raw.propose("only n2 has this").ok);
  network.stabilize();
  network.recover();
  const follower = network.node("n3").raw;
  assert.equal(follower.transferLeadership(), { ok: true, value: { status: "forwarded" } });
  network.stabilize();
  assert.equal(network.leaders(), ["n2"]);
});

test("a leader asked to transfer with no target picks the voter with the highest match index", () => {
  const network = ledByN1();
  network.isolate("n2");
  assert.ok(network.node("n1").raw.propose("only n3 has this").ok);
  network.stabilize();
  network.recover();
  const result = network.node("n1").raw.transferLeadership();
  assert.equal(result, { ok: true, value: { status: "accepted", target: "n3" } });
});

test("with voter candidates, leadership goes only to a candidate: a request for another, a peer's included, is refused, and no target picks the most caught-up candidate", () => {
  const network = new Network({ voters, config: { mayLead: (id) => id !== "n2" } });
  network.campaign("n1");
  network.isolate("n3");
  assert.ok(network.node("n1").raw.propose("only n2 has this").ok);
  network.stabilize();
  network.recover();
  const leader = network.node("n1").raw;
  assert.is(refusalCode(leader.transferLeadership("n2")), "INVALID_TRANSFER_TARGET");
  assert.is(
    refusalCode(network.node("n3").raw.transferLeadership("n2")),
    "INVALID_TRANSFER_TARGET",
  );
  // What a seized n2 sends whatever its own core would refuse.
  network.send({ type: "transferLeader", from: "n2", to: "n1", term: 0, context: "n2" });
  network.stabilize();
  assert.equal(network.leaders(), ["n1"]);
  assert.equal(leader.transferLeadership(), {
    ok: true,
    value: { status: "accepted", target: "n3" },
  });
  network.stabilize();
  assert.equal(network.leaders(), ["n3"]);
});

test("a follower refuses a transfer to a node that is not a voter instead of forwarding it", () => {
  const network = ledByN1();
  const follower = network.node("n2").raw;
  const result = follower.transferLeadership("n9");
  assert.is(refusalCode(result), "INVALID_TRANSFER_TARGET");
  network.stabilize();
  assert.not.ok(network.delivered.some((message) => message.type === "transferLeader"));
  assert.equal(network.leaders(), ["n1"]);
});

test("a transfer request with no known leader is refused with NOT_LEADER", () => {
  const raft = newTestRaft();
  assert.is(refusalCode(raft.transferLeadership("n2")), "NOT_LEADER");
});

test("removing the transfer target abandons the transfer", () => {
  const network = new Network({ voters, bootstrap: true });
  network.campaign("n1");
  network.isolate("n3");
  const leader = network.node("n1").raw;
  assert.ok(leader.proposeConfChange({ type: "removeNode", nodeId: "n3" }).ok);
  assert.ok(leader.transferLeadership("n3").ok);
  network.stabilize();
  assert.equal(network.raft("n1").tracker.confState().voters, ["n1", "n2"]);
  assert.is(leader.core.leadTransfereeId(), "");
  assert.ok(leader.propose("after the removal").ok);
});

test.run();
