/**
 * The Raft state machine beyond the paper's core rules: proposals and their
 * refusals, forwarding, replication flow control, batching and fast back-off.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Raft } from "../../../cluster/raft/raft.ts";
import { entriesSize } from "../../../cluster/raft/storage.ts";
import type { Message } from "../../../cluster/raft/types.ts";
import { appliedData, Network } from "./support/network.ts";
import {
  applyCommitted,
  electLeader,
  logOf,
  newTestRaft,
  persist,
  plainProtocol,
  steadyLeader,
  takeOfType,
} from "./support/raft-fixture.ts";

function ack(raft: Raft, from: string, index: number): void {
  raft.step({ type: "appResp", from, to: raft.id, term: raft.term, index });
}

// ---- proposals -----------------------------------------------------------------

test("a leader appends a proposal at the next index of its term", () => {
  const raft = steadyLeader();
  assert.equal(raft.propose("a"), {
    ok: true,
    value: { status: "appended", index: 2, term: 1 },
  });
  assert.equal(raft.propose("b"), {
    ok: true,
    value: { status: "appended", index: 3, term: 1 },
  });
});

test("a follower forwards a proposal to the leader it knows, with term 0", () => {
  const raft = newTestRaft();
  raft.becomeFollower(4, "n2");
  assert.equal(raft.propose("x"), { ok: true, value: { status: "forwarded", leaderId: "n2" } });
  assert.equal(raft.takeMessages(), [
    {
      type: "prop",
      from: "n1",
      to: "n2",
      term: 0,
      entries: [{ index: 0, term: 0, type: "normal", data: "x" }],
    },
  ]);
  assert.is(raft.log.lastIndex(), 0, "the follower's own log is untouched");
});

test("without a known leader a proposal is refused with NOT_LEADER, saying the leader is unknown", () => {
  const follower = newTestRaft();
  const candidate = newTestRaft(plainProtocol);
  candidate.campaign();
  for (const raft of [follower, candidate]) {
    const result = raft.propose("x");
    assert.is(result.ok, false);
    if (result.ok) return;
    assert.is(result.error.code, "NOT_LEADER");
    assert.match(result.error.message, /leader unknown/);
  }
  assert.equal(takeOfType(follower, "prop"), []);
});

test("a follower does not pass on a proposal forwarded to it by another member", () => {
  const raft = newTestRaft();
  raft.becomeFollower(2, "n2");
  raft.step({ type: "prop", from: "n3", to: "n1", term: 0, entries: [] });
  assert.equal(raft.takeMessages(), []);
});

test("a proposal made on a follower is committed and applied on every member", () => {
  const network = new Network({ voters: ["n1", "n2", "n3"] });
  network.campaign("n1");
  assert.equal(network.propose("n3", "from a follower"), {
    ok: true,
    value: { status: "forwarded", leaderId: "n1" },
  });
  for (const id of ["n1", "n2", "n3"]) {
    assert.equal(appliedData(network.node(id)), ["from a follower"], id);
  }
});

test("a leader that lost its quorum stops accepting proposals at the uncommitted limit", () => {
  const raft = steadyLeader({ maxUncommittedBytes: 100 });
  const tenBytes = "0123456789";
  for (let count = 0; count < 10; count++) {
    assert.ok(raft.propose(tenBytes).ok, `proposal ${count + 1} of 10 fits`);
  }
  const lastIndex = raft.log.lastIndex();
  const refused = raft.propose(tenBytes);
  assert.is(refused.ok, false);
  if (!refused.ok) assert.is(refused.error.code, "UNCOMMITTED_LIMIT");
  assert.is(raft.log.lastIndex(), lastIndex, "the log did not grow");
  for (let count = 0; count < 100; count++) raft.propose(tenBytes);
  assert.is(raft.log.lastIndex(), lastIndex, "however many proposals arrive");

  persist(raft);
  ack(raft, "n2", lastIndex);
  applyCommitted(raft);
  assert.ok(raft.propose(tenBytes).ok, "once the entries commit and apply, the budget is back");
});

test("a single entry larger than the whole budget is accepted when nothing is outstanding", () => {
  const raft = steadyLeader({ maxUncommittedBytes: 10 });
  assert.ok(raft.propose("x".repeat(50)).ok, "otherwise it could never be proposed");
  assert.is(raft.propose("y").ok, false);
});

// ---- elections ------------------------------------------------------------------

test("dueling candidates: the one with the shorter log cannot win, though it forces a new term", () => {
  const network = new Network({ voters: ["n1", "n2", "n3"], config: plainProtocol });
  network.cut("n1", "n3");
  network.campaign("n1");
  assert.equal(network.leaders(), ["n1"]);
  network.campaign("n3");
  assert.is(network.raft("n3").role, "candidate", "n2 already voted in term 1");
  network.recover();
  network.campaign("n3");
  for (const id of ["n1", "n2", "n3"]) {
    assert.is(network.raft(id).role, "follower", id);
    assert.is(network.raft(id).term, 2, id);
  }
  assert.is(network.raft("n1").log.committed, 1, "the entry committed in term 1 survives");
});

// ---- losing the leader's connection ----------------------------------------------

/** Ticks until the node sends something; returns how many ticks that took. */
function ticksUntilCampaign(raft: Raft, limit: number): number {
  for (let ticks = 1; ticks <= limit; ticks++) {
    raft.tick();
    if (raft.takeMessages().length > 0) return ticks;
  }
  throw new Error(`no campaign within ${limit} ticks`);
}

test("a follower whose leader's connection closed drops the lease and campaigns within half a timeout", () => {
  const delays = new Set<number>();
  for (let seed = 1; seed <= 40; seed++) {
    const raft = newTestRaft({ seed });
    raft.becomeFollower(1, "n2");
    raft.forgetLeader();
    assert.is(raft.leaderId, "");
    const delay = ticksUntilCampaign(raft, 40);
    assert.ok(delay >= 1 && delay <= 5, `seed ${seed}: campaigned after ${delay} ticks`);
    assert.is(raft.role, "precandidate", "through pre-vote, so a flaky link deposes no one");
    delays.add(delay);
  }
  assert.ok(delays.size > 1, "the delay is spread, so followers do not all campaign at once");
});

test("a follower that forgot its leader answers vote requests again", () => {
  const raft = newTestRaft();
  raft.becomeFollower(1, "n2");
  raft.forgetLeader();
  raft.step({ type: "vote", from: "n3", to: "n1", term: 2, index: 0, logTerm: 0 });
  assert.equal(raft.takeMessages(), [{ type: "voteResp", from: "n1", to: "n3", term: 2 }]);
});

test("forgetting the leader changes nothing on a leader or a follower that knows none", () => {
  const leader = steadyLeader();
  leader.forgetLeader();
  assert.is(leader.role, "leader");
  assert.is(leader.leaderId, "n1");
  const follower = newTestRaft({ seed: 5 });
  const reference = newTestRaft({ seed: 5 });
  follower.forgetLeader();
  assert.is(ticksUntilCampaign(follower, 40), ticksUntilCampaign(reference, 40));
});

// ---- replication -----------------------------------------------------------------

/** Leader and follower logs that diverge after index 10, as terms from index 1. */
function divergentLogs(leaderTail: number[][], followerTail: number[][]) {
  const expand = (runs: number[][]) => runs.flatMap(([term, count]) => Array(count).fill(term));
  const prefix = Array<number>(10).fill(1);
  return {
    leader: [...prefix, ...expand(leaderTail)],
    follower: [...prefix, ...expand(followerTail)],
  };
}

for (const [label, leaderTail, followerTail, roundTrips] of [
  [
    "one divergent term",
    [[4, 90]],
    [
      [2, 45],
      [3, 45],
    ],
    1,
  ],
  ["a longer follower log", [[4, 90]], [[2, 150]], 1],
  [
    "interleaved terms",
    [
      [3, 40],
      [5, 50],
    ],
    [
      [2, 20],
      [4, 70],
    ],
    2,
  ],
] as const) {
  test(`fast back-off finds the match point of a far-behind follower in few round trips (${label})`, () => {
    const logs = divergentLogs(
      leaderTail.map((run) => [...run]),
      followerTail.map((run) => [...run]),
    );
    const network = new Network({
      voters: ["n1", "n2", "n3"],
      config: plainProtocol,
      terms: { n1: logs.leader, n2: logs.follower, n3: logs.leader },
    });
    network.campaign("n1");
    assert.is(network.raft("n1").role, "leader");
    const rejections = network.delivered.filter(
      (m) => m.type === "appResp" && m.from === "n2" && m.reject,
    );
    assert.is(rejections.length, roundTrips, "one rejection per term skipped, not per entry");
    assert.equal(logOf(network.raft("n2")), logOf(network.raft("n1")));
  });
}

test("lost append responses are made good by the next heartbeat round", () => {
  const network = new Network({ voters: ["n1", "n2", "n3"] });
  network.campaign("n1");
  const committed = network.raft("n1").log.committed;
  network.ignore("appResp");
  network.propose("n1", "x");
  assert.is(network.raft("n1").log.committed, committed, "no acknowledgement arrived");
  assert.is(network.raft("n2").log.lastIndex(), committed + 1, "though the entry did");
  network.recover();
  network.tick("n1");
  for (const id of ["n1", "n2", "n3"]) {
    assert.equal(appliedData(network.node(id)), ["x"], id);
  }
});

test("a stale rejection never moves a follower's match or next backwards", () => {
  const raft = steadyLeader();
  for (const data of ["a", "b", "c"]) raft.propose(data);
  ack(raft, "n2", 4);
  const progress = raft.tracker.progress.get("n2");
  assert.is(progress?.match, 4);
  assert.is(progress?.state, "replicate");
  raft.takeMessages();
  // A rejection of the probe at index 1 that the network delayed until now.
  raft.step({
    type: "appResp",
    from: "n2",
    to: "n1",
    term: 1,
    index: 1,
    reject: true,
    rejectHint: 0,
    logTerm: 0,
  });
  assert.is(progress?.match, 4);
  assert.is(progress?.next, 5);
  assert.is(progress?.state, "replicate");
  assert.equal(raft.takeMessages(), [], "and nothing is resent for it");
});

test("a reordered, older acknowledgement never moves match backwards", () => {
  const raft = steadyLeader();
  for (const data of ["a", "b", "c"]) raft.propose(data);
  ack(raft, "n2", 4);
  ack(raft, "n2", 2);
  assert.is(raft.tracker.progress.get("n2")?.match, 4);
});

test("in probe state only the rejection of the latest probe moves next", () => {
  const raft = newTestRaft({ ...plainProtocol, terms: [1, 1, 1, 1, 1] });
  electLeader(raft);
  const progress = raft.tracker.progress.get("n2");
  assert.is(progress?.state, "probe");
  assert.is(progress?.next, 6);
  const reject = (index: number, rejectHint: number): Message => ({
    type: "appResp",
    from: "n2",
    to: "n1",
    term: 2,
    index,
    reject: true,
    rejectHint,
    logTerm: 1,
  });
  raft.step(reject(3, 1));
  assert.is(progress?.next, 6, "a rejection of an older probe is ignored");
  raft.step(reject(5, 2));
  assert.is(progress?.next, 3, "the probe at 5 was rejected: try after the hint");
});

test("flow control: at most maxInflightMessages appends in flight; a heartbeat response frees one", () => {
  const raft = steadyLeader({ maxInflightMessages: 3 });
  const appsToN2 = () => takeOfType(raft, "app").filter((m) => m.to === "n2");
  for (let count = 0; count < 10; count++) raft.propose(`entry ${count}`);
  const sent = appsToN2();
  assert.equal(
    sent.map((m) => m.entries?.map((e) => e.index)),
    [[2], [3], [4]],
    "three appends, then the window is full",
  );
  raft.step({ type: "heartbeatResp", from: "n2", to: "n1", term: 1 });
  const afterHeartbeat = appsToN2();
  assert.equal(
    afterHeartbeat.map((m) => m.entries?.map((e) => e.index)),
    [[5, 6, 7, 8, 9, 10, 11]],
    "one more append, carrying everything pending",
  );
  for (const data of ["late 1", "late 2"]) raft.propose(data);
  assert.equal(appsToN2(), [], "the window is full again: new entries wait");
  raft.step({ type: "heartbeatResp", from: "n2", to: "n1", term: 1 });
  assert.equal(
    appsToN2().map((m) => m.entries?.map((e) => e.index)),
    [[12, 13]],
  );
  assert.is(raft.tracker.progress.get("n2")?.inflights.count, 3);
});

test("flow control: an acknowledgement frees the appends it covers", () => {
  const raft = steadyLeader({ maxInflightMessages: 2 });
  const appsToN2 = () => takeOfType(raft, "app").filter((m) => m.to === "n2");
  for (let count = 0; count < 6; count++) raft.propose(`entry ${count}`);
  assert.is(appsToN2().length, 2);
  ack(raft, "n2", 2);
  assert.equal(
    appsToN2().map((m) => m.entries?.map((e) => e.index)),
    [[4, 5, 6, 7]],
    "index 2 acknowledged: one slot frees, the rest goes in one append",
  );
  ack(raft, "n2", 7);
  assert.equal(
    appsToN2().flatMap((m) => m.entries ?? []),
    [],
    "everything was acknowledged: nothing is resent",
  );
  assert.is(raft.tracker.progress.get("n2")?.inflights.count, 0);
});

test("batching: a catching-up follower gets appends within maxEntriesBytesPerMessage", () => {
  const network = new Network({
    voters: ["n1", "n2", "n3"],
    config: { maxEntriesBytesPerMessage: 10 },
  });
  network.campaign("n1");
  network.isolate("n3");
  for (let count = 0; count < 10; count++) network.propose("n1", `abc${count}`);
  network.propose("n1", "x".repeat(25));
  network.recover();
  const firstAfterRecovery = network.delivered.length;
  network.tick("n1");
  const catchUp = network.delivered
    .slice(firstAfterRecovery)
    .filter((m) => m.type === "app" && m.to === "n3" && (m.entries?.length ?? 0) > 0);
  assert.equal(
    catchUp.map((m) => m.entries?.map((e) => e.data.length)),
    [[4, 4], [4, 4], [4, 4], [4, 4], [4, 4], [25]],
    "two 4-byte entries per 10-byte message; an oversized entry travels alone",
  );
  for (const message of catchUp.slice(0, -1)) {
    assert.ok(entriesSize(message.entries ?? []) <= 10);
  }
  assert.equal(logOf(network.raft("n3")), logOf(network.raft("n1")));
});

test.run();
