/**
 * The rules of the Raft paper (§5.1-§5.4), one test per rule, after etcd's
 * raft_paper_test.go. These run the plain protocol (no pre-vote, no
 * check-quorum) on a single node driven by hand: 10 election ticks, a
 * heartbeat every tick, node n1 under test.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Raft } from "../../../cluster/raft/raft.ts";
import type { Entry, Message, NodeId } from "../../../cluster/raft/types.ts";
import { Network } from "./support/network.ts";
import {
  applyCommitted,
  commitNoop,
  electLeader,
  entry,
  logOf,
  newTestRaft,
  persist,
  plainProtocol,
  type TestRaftOptions,
  takeOfType,
  takeSorted,
  termsOf,
} from "./support/raft-fixture.ts";

function plainRaft(options: TestRaftOptions = {}): Raft {
  return newTestRaft({ ...plainProtocol, ...options });
}

function ids(count: number): NodeId[] {
  return Array.from({ length: count }, (_, position) => `n${position + 1}`);
}

function follower(term: number, leaderId: NodeId, options: TestRaftOptions = {}): Raft {
  const raft = plainRaft(options);
  raft.becomeFollower(term, leaderId);
  return raft;
}

function candidate(options: TestRaftOptions = {}): Raft {
  const raft = plainRaft(options);
  raft.campaign();
  raft.takeMessages();
  return raft;
}

function leader(options: TestRaftOptions = {}): Raft {
  const raft = plainRaft(options);
  electLeader(raft);
  return raft;
}

function append(from: NodeId, term: number, fields: Partial<Message> = {}): Message {
  return { type: "app", from, to: "n1", term, index: 0, logTerm: 0, commit: 0, ...fields };
}

function tickTimes(raft: Raft, times: number): void {
  for (let count = 0; count < times; count++) raft.tick();
}

// ---- §5.1 terms --------------------------------------------------------------

for (const [role, make] of [
  ["follower", () => follower(1, "n2")],
  ["candidate", () => candidate()],
  ["leader", () => leader()],
] as const) {
  test(`§5.1 a ${role} that sees a higher term adopts it and becomes follower`, () => {
    const raft = make();
    assert.is(raft.term, 1);
    raft.step(append("n2", 2));
    assert.is(raft.term, 2);
    assert.is(raft.role, "follower");
    assert.is(raft.leaderId, "n2", "an append names the leader of that term");
  });
}

test("§5.1 any message of a higher term makes a leader step down, not only appends", () => {
  const types = ["heartbeat", "vote", "appResp", "heartbeatResp", "voteResp"] as const;
  for (const type of types) {
    const raft = leader();
    raft.step({ type, from: "n2", to: "n1", term: 5, index: 0, logTerm: 0 });
    assert.is(raft.term, 5, type);
    assert.is(raft.role, "follower", type);
  }
});

test("§5.1 a message of a stale term is ignored", () => {
  const raft = follower(2, "n2", { terms: [1, 2], hardState: { term: 2 } });
  raft.step(append("n3", 1, { index: 2, logTerm: 2, entries: [entry(3, 1)], commit: 2 }));
  raft.step({ type: "vote", from: "n3", to: "n1", term: 1, index: 5, logTerm: 1 });
  raft.step({ type: "heartbeat", from: "n3", to: "n1", term: 1, commit: 2 });
  assert.is(raft.term, 2);
  assert.is(raft.leaderId, "n2");
  assert.is(raft.log.lastIndex(), 2, "the stale append added nothing");
  assert.is(raft.log.committed, 0, "nor did it move the commit");
  assert.equal(raft.takeMessages(), [], "the plain protocol does not even answer");
});

test("§5.1 with pre-vote or check-quorum, a stale leader's append is answered with the newer term", () => {
  for (const flags of [
    { preVote: true, checkQuorum: false },
    { preVote: false, checkQuorum: true },
  ]) {
    const raft = newTestRaft({ ...flags, terms: [1, 2], hardState: { term: 2 } });
    raft.becomeFollower(2, "n2");
    raft.step(append("n3", 1, { index: 2, logTerm: 2, entries: [entry(3, 1)] }));
    assert.equal(raft.takeMessages(), [{ type: "appResp", from: "n1", to: "n3", term: 2 }]);
    assert.is(raft.log.lastIndex(), 2);
  }
});

test("§5.1 a stale leader steps down when told of the newer term", () => {
  const stale = leader();
  stale.step({ type: "appResp", from: "n2", to: "n1", term: 2 });
  assert.is(stale.role, "follower");
  assert.is(stale.term, 2);
});

// ---- §5.2 leader election ------------------------------------------------------

test("§5.2 a node starts as a follower", () => {
  const raft = plainRaft();
  assert.is(raft.role, "follower");
  assert.is(raft.term, 0);
  assert.is(raft.leaderId, "");
});

test("§5.2 a leader sends heartbeats to every follower each heartbeat interval", () => {
  const raft = leader();
  for (let count = 0; count < 10; count++) raft.propose(`entry ${count}`);
  raft.takeMessages();
  raft.tick();
  assert.equal(takeSorted(raft), [
    { type: "heartbeat", from: "n1", to: "n2", term: 1, commit: 0 },
    { type: "heartbeat", from: "n1", to: "n3", term: 1, commit: 0 },
  ]);
});

for (const [role, make] of [
  ["follower", () => follower(1, "n2")],
  ["candidate", () => candidate()],
] as const) {
  test(`§5.2 a ${role} starts a new election when the election timeout passes`, () => {
    const raft = make();
    tickTimes(raft, 2 * 10 - 1);
    assert.is(raft.term, 2);
    assert.is(raft.role, "candidate");
    assert.is(raft.vote, "n1", "it votes for itself");
    assert.equal(takeSorted(raft), [
      { type: "vote", from: "n1", to: "n2", term: 2, index: 0, logTerm: 0 },
      { type: "vote", from: "n1", to: "n3", term: 2, index: 0, logTerm: 0 },
    ]);
  });
}

test("§5.2 with pre-vote, a follower first asks whether it could win, without changing its term", () => {
  const raft = newTestRaft({ preVote: true });
  raft.becomeFollower(1, "n2");
  for (let tick = 0; tick < 2 * 10 - 1 && raft.role !== "precandidate"; tick++) raft.tick();
  assert.is(raft.role, "precandidate");
  assert.is(raft.term, 1);
  assert.equal(takeSorted(raft), [
    { type: "preVote", from: "n1", to: "n2", term: 2, index: 0, logTerm: 0 },
    { type: "preVote", from: "n1", to: "n3", term: 2, index: 0, logTerm: 0 },
  ]);
});

test("§5.2 with pre-vote, an unanswered pre-candidate asks again after two heartbeats, not a whole election timeout", () => {
  // A voter still inside its leader lease drops a pre-vote silently; its lease
  // may end a tick after our timer fired.
  const raft = newTestRaft({ preVote: true });
  raft.becomeFollower(1, "n2");
  for (let tick = 0; tick < 2 * 10 - 1 && raft.role !== "precandidate"; tick++) raft.tick();
  takeSorted(raft);
  tickTimes(raft, 1);
  assert.equal(takeSorted(raft), [], "not at once");
  tickTimes(raft, 1);
  assert.equal(
    takeSorted(raft).map((message) => [message.type, message.to, message.term]),
    [
      ["preVote", "n2", 2],
      ["preVote", "n3", 2],
    ],
  );
  assert.is(raft.role, "precandidate");
  assert.is(raft.term, 1, "retrying a pre-vote never changes the term");
});

test("§5.2 an election is decided in one round by granted, rejected and missing votes", () => {
  type Votes = Record<NodeId, boolean>;
  const cases: Array<[size: number, votes: Votes, role: Raft["role"]]> = [
    [1, {}, "leader"],
    [3, { n2: true, n3: true }, "leader"],
    [3, { n2: true }, "leader"],
    [5, { n2: true, n3: true, n4: true, n5: true }, "leader"],
    [5, { n2: true, n3: true, n4: true }, "leader"],
    [5, { n2: true, n3: true }, "leader"],
    // A majority rejected: back to follower.
    [3, { n2: false, n3: false }, "follower"],
    [5, { n2: false, n3: false, n4: false, n5: false }, "follower"],
    [5, { n2: true, n3: false, n4: false, n5: false }, "follower"],
    // Undecided: still a candidate.
    [3, {}, "candidate"],
    [5, { n2: true }, "candidate"],
    [5, { n2: false, n3: false }, "candidate"],
    [5, {}, "candidate"],
  ];
  for (const [size, votes, role] of cases) {
    const raft = plainRaft({ voters: ids(size) });
    raft.campaign();
    for (const [from, granted] of Object.entries(votes)) {
      raft.step({ type: "voteResp", from, to: "n1", term: 1, reject: !granted });
    }
    assert.is(raft.role, role, `${size} nodes, votes ${JSON.stringify(votes)}`);
    assert.is(raft.term, 1);
  }
});

test("§5.2 a follower votes at most once per term, first come first served", () => {
  const cases: Array<[votedFor: NodeId, candidateId: NodeId, granted: boolean]> = [
    ["", "n2", true],
    ["", "n3", true],
    ["n2", "n2", true],
    ["n3", "n3", true],
    ["n2", "n3", false],
    ["n3", "n2", false],
  ];
  for (const [votedFor, candidateId, granted] of cases) {
    const raft = plainRaft({ hardState: { term: 1, vote: votedFor } });
    raft.step({ type: "vote", from: candidateId, to: "n1", term: 1, index: 0, logTerm: 0 });
    const [response] = raft.takeMessages();
    assert.equal(
      response,
      granted
        ? { type: "voteResp", from: "n1", to: candidateId, term: 1 }
        : { type: "voteResp", from: "n1", to: candidateId, term: 1, reject: true },
      `voted for "${votedFor}", asked by ${candidateId}`,
    );
    assert.is(raft.vote, granted ? candidateId : votedFor);
  }
});

test("§5.2 a follower that knows the leader of its term votes for no one else in it", () => {
  const raft = follower(1, "n2");
  raft.step({ type: "vote", from: "n3", to: "n1", term: 1, index: 0, logTerm: 0 });
  assert.equal(raft.takeMessages(), [
    { type: "voteResp", from: "n1", to: "n3", term: 1, reject: true },
  ]);
  assert.is(raft.vote, "");
});

test("§5.2 a candidate that hears from the leader of its term or a later one falls back", () => {
  for (const term of [1, 2]) {
    const raft = candidate();
    raft.step(append("n2", term));
    assert.is(raft.role, "follower");
    assert.is(raft.term, term);
    assert.is(raft.leaderId, "n2");
  }
});

/** Ticks until the node sends something; returns how many ticks that took. */
function ticksUntilCampaign(raft: Raft, limit: number): number {
  for (let ticks = 1; ticks <= limit; ticks++) {
    raft.tick();
    if (raft.takeMessages().length > 0) return ticks;
  }
  throw new Error(`no campaign within ${limit} ticks`);
}

for (const role of ["follower", "candidate"] as const) {
  test(`§5.2 a ${role}'s election timeout takes every value in [electionTicks, 2 * electionTicks)`, () => {
    const raft = plainRaft({ seed: 11 });
    const seen = new Set<number>();
    for (let restart = 0; restart < 500; restart++) {
      if (role === "follower") raft.becomeFollower(raft.term + 1, "");
      else raft.campaign();
      raft.takeMessages();
      seen.add(ticksUntilCampaign(raft, 40));
    }
    assert.equal(
      [...seen].sort((a, b) => a - b),
      [10, 11, 12, 13, 14, 15, 16, 17, 18, 19],
    );
  });
}

for (const role of ["follower", "candidate"] as const) {
  test(`§5.2 ${role}s rarely time out on the same tick (randomized timeouts split votes rarely)`, () => {
    const nodes = ids(5).map((id, position) =>
      newTestRaft({ ...plainProtocol, id, voters: ids(5), seed: 100 + position }),
    );
    let conflicts = 0;
    for (let round = 0; round < 1000; round++) {
      for (const raft of nodes) {
        if (role === "follower") raft.becomeFollower(raft.term + 1, "");
        else raft.campaign();
        raft.takeMessages();
      }
      let timedOut = 0;
      for (let tick = 0; timedOut === 0 && tick < 40; tick++) {
        for (const raft of nodes) {
          raft.tick();
          if (raft.takeMessages().length > 0) timedOut++;
        }
      }
      assert.ok(timedOut > 0, "someone times out within two election timeouts");
      if (timedOut > 1) conflicts++;
    }
    assert.ok(conflicts <= 300, `${conflicts} of 1000 rounds had simultaneous timeouts`);
  });
}

// ---- §5.3 log replication ------------------------------------------------------

/** A leader of term 1 in {n1,n2,n3} whose no-op (index 1) is committed. */
function leaderWithCommittedNoop(size = 3): Raft {
  const raft = plainRaft({ voters: ids(size) });
  electLeader(raft);
  commitNoop(raft);
  return raft;
}

test("§5.3 a leader appends a proposal and sends it to every follower", () => {
  const raft = leaderWithCommittedNoop();
  const noopIndex = raft.log.lastIndex();
  raft.propose("some data");
  assert.is(raft.log.lastIndex(), noopIndex + 1);
  assert.is(raft.log.committed, noopIndex);
  const expectedEntry = entry(noopIndex + 1, 1, "some data");
  assert.equal(takeSorted(raft), [
    {
      type: "app",
      from: "n1",
      to: "n2",
      term: 1,
      index: noopIndex,
      logTerm: 1,
      entries: [expectedEntry],
      commit: noopIndex,
    },
    {
      type: "app",
      from: "n1",
      to: "n3",
      term: 1,
      index: noopIndex,
      logTerm: 1,
      entries: [expectedEntry],
      commit: noopIndex,
    },
  ]);
  assert.equal(raft.log.unstableEntries(), [expectedEntry], "to be persisted by the driver");
});

test("§5.3 a leader commits once a majority stored the entry, and tells the followers", () => {
  const raft = leaderWithCommittedNoop();
  raft.propose("some data");
  raft.takeMessages();
  const index = raft.log.lastIndex();
  persist(raft);
  for (const peer of ["n2", "n3"]) {
    raft.step({ type: "appResp", from: peer, to: "n1", term: 1, index });
  }
  assert.is(raft.log.committed, index);
  assert.equal(
    applyCommitted(raft).map((e) => e.data),
    ["some data"],
  );
  const commitsSent = takeOfType(raft, "app").map((m) => [m.to, m.commit]);
  assert.equal(commitsSent, [
    ["n2", index],
    ["n3", index],
  ]);
});

test("§5.3 a leader's own entry counts towards a majority only once it is persisted", () => {
  const raft = leaderWithCommittedNoop();
  raft.propose("some data");
  const index = raft.log.lastIndex();
  raft.step({ type: "appResp", from: "n2", to: "n1", term: 1, index });
  assert.is(raft.log.committed, index - 1, "one follower alone is not a majority of three");
  persist(raft);
  assert.is(raft.log.committed, index, "the leader's durable copy completes the majority");
});

test("§5.3 an entry commits exactly when a majority (leader included) acknowledged it", () => {
  const cases: Array<[size: number, acks: NodeId[], committed: boolean]> = [
    [1, [], true],
    [3, [], false],
    [3, ["n2"], true],
    [3, ["n2", "n3"], true],
    [5, [], false],
    [5, ["n2"], false],
    [5, ["n2", "n3"], true],
    [5, ["n2", "n3", "n4"], true],
    [5, ["n2", "n3", "n4", "n5"], true],
  ];
  for (const [size, acks, committed] of cases) {
    const raft = leaderWithCommittedNoop(size);
    raft.propose("some data");
    persist(raft);
    const index = raft.log.lastIndex();
    for (const from of acks) raft.step({ type: "appResp", from, to: "n1", term: 1, index });
    assert.is(raft.log.committed === index, committed, `${size} nodes, acks from ${acks}`);
  }
});

test("§5.3 committing an entry commits every entry before it, from earlier terms too", () => {
  const cases: Entry[][] = [[], [entry(1, 2)], [entry(1, 1), entry(2, 2)], [entry(1, 1)]];
  for (const earlier of cases) {
    const raft = plainRaft({ entries: earlier, hardState: { term: 2 } });
    electLeader(raft);
    assert.is(raft.term, 3);
    raft.propose("some data");
    persist(raft);
    const index = raft.log.lastIndex();
    for (const from of ["n2", "n3"]) raft.step({ type: "appResp", from, to: "n1", term: 3, index });
    const committed = applyCommitted(raft);
    assert.equal(
      committed.map((e) => [e.index, e.term, e.data]),
      [
        ...earlier.map((e) => [e.index, e.term, ""]),
        [earlier.length + 1, 3, ""],
        [earlier.length + 2, 3, "some data"],
      ],
      `earlier log ${JSON.stringify(earlier.map((e) => e.term))}`,
    );
  }
});

test("§5.3 a follower commits what the leader says is committed, in order", () => {
  const entries = [entry(1, 1, "some data"), entry(2, 1, "some data2")];
  const cases: Array<[sent: Entry[], leaderCommit: number]> = [
    [entries.slice(0, 1), 1],
    [entries, 2],
    [entries, 1],
  ];
  for (const [sent, leaderCommit] of cases) {
    const raft = follower(1, "n2");
    raft.step(append("n2", 1, { entries: sent, commit: leaderCommit }));
    assert.is(raft.log.committed, leaderCommit);
    assert.equal(applyCommitted(raft), sent.slice(0, leaderCommit));
  }
});

test("§5.3 a follower accepts an append only if it holds the previous entry", () => {
  // Follower log (1, t1), (2, t2), commit 1.
  const cases: Array<[prevTerm: number, prevIndex: number, expected: Partial<Message>]> = [
    [0, 0, { index: 1 }],
    [1, 1, { index: 1 }],
    [2, 2, { index: 2 }],
    [1, 2, { index: 2, reject: true, rejectHint: 1, logTerm: 1 }],
    [3, 3, { index: 3, reject: true, rejectHint: 2, logTerm: 2 }],
  ];
  for (const [prevTerm, prevIndex, expected] of cases) {
    const raft = follower(2, "n2", { terms: [1, 2], hardState: { term: 2, commit: 1 } });
    raft.step(append("n2", 2, { index: prevIndex, logTerm: prevTerm, commit: 1 }));
    assert.equal(
      raft.takeMessages(),
      [{ type: "appResp", from: "n1", to: "n2", term: 2, ...expected }],
      `prev (${prevIndex}, t${prevTerm})`,
    );
  }
});

test("§5.3 a follower truncates only at a real conflict and never drops matching entries", () => {
  // Follower log (1, t1), (2, t2).
  const cases: Array<[prev: [number, number], sent: Entry[], terms: number[], unstable: Entry[]]> =
    [
      [[2, 2], [entry(3, 3)], [1, 2, 3], [entry(3, 3)]],
      [
        [1, 1],
        [entry(2, 3), entry(3, 4)],
        [1, 3, 4],
        [entry(2, 3), entry(3, 4)],
      ],
      // Stale or duplicate appends: everything sent is already there.
      [[0, 0], [entry(1, 1)], [1, 2], []],
      [[1, 1], [entry(2, 2)], [1, 2], []],
      [[0, 0], [entry(1, 1), entry(2, 2)], [1, 2], []],
      [[0, 0], [entry(1, 3)], [3], [entry(1, 3)]],
    ];
  for (const [[prevIndex, prevTerm], sent, terms, unstable] of cases) {
    const raft = follower(2, "n2", { terms: [1, 2] });
    raft.step(append("n2", 2, { index: prevIndex, logTerm: prevTerm, entries: sent }));
    const label = `prev (${prevIndex}, t${prevTerm}) + ${JSON.stringify(sent.map((e) => e.term))}`;
    assert.equal(termsOf(raft), terms, label);
    assert.equal(raft.log.unstableEntries(), unstable, label);
  }
});

/** The leader's log in Figure 7 of the paper, at term 8. */
const figure7Leader = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
const figure7Followers: Record<string, number[]> = {
  a: [1, 1, 1, 4, 4, 5, 5, 6, 6],
  b: [1, 1, 1, 4, 4],
  c: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
  d: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
  e: [1, 1, 1, 4, 4, 4, 4],
  f: [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
};

for (const [name, followerTerms] of Object.entries(figure7Followers)) {
  test(`§5.3 Figure 7 (${name}): the leader brings the follower's log into line with its own`, () => {
    // n3 is a black hole that grants its vote: the follower may well refuse.
    const network = new Network({
      voters: ["n1", "n2", "n3"],
      running: ["n1", "n2"],
      config: plainProtocol,
      terms: { n1: figure7Leader, n2: followerTerms },
      hardStates: { n1: { term: 8 }, n2: { term: 7 } },
    });
    network.campaign("n1");
    network.send({ type: "voteResp", from: "n3", to: "n1", term: 9 });
    assert.is(network.raft("n1").role, "leader");
    assert.is(network.raft("n1").term, 9);
    network.propose("n1", "some data");
    assert.equal(logOf(network.raft("n2")), logOf(network.raft("n1")));
    assert.equal(termsOf(network.raft("n1")), [...figure7Leader, 9, 9]);
    assert.equal(network.node("n2").storage.allEntries(), logOf(network.raft("n1")), "and durable");
  });
}

// ---- §5.4 safety -------------------------------------------------------------------

test("§5.4 a vote request carries the candidate's last log index and term", () => {
  const cases: Array<[entries: Entry[], term: number]> = [
    [[entry(1, 1)], 2],
    [[entry(1, 1), entry(2, 2)], 3],
  ];
  for (const [entries, term] of cases) {
    const raft = plainRaft();
    raft.step(append("n2", term - 1, { entries }));
    raft.takeMessages();
    tickTimes(raft, 2 * 10 - 1);
    const last = entries[entries.length - 1];
    assert.equal(takeSorted(raft), [
      { type: "vote", from: "n1", to: "n2", term, index: last?.index, logTerm: last?.term },
      { type: "vote", from: "n1", to: "n3", term, index: last?.index, logTerm: last?.term },
    ]);
  }
});

/** The voter table of §5.4.1: (voter's log, candidate's last index and term) -> granted. */
const voterCases: Array<
  [voterLog: Entry[], lastIndex: number, lastTerm: number, granted: boolean]
> = [
  // Same last term: the longer (or equal) log wins.
  [[entry(1, 1)], 1, 1, true],
  [[entry(1, 1)], 2, 1, true],
  [[entry(1, 1), entry(2, 1)], 1, 1, false],
  // A higher last term wins, even with a shorter log.
  [[entry(1, 1)], 1, 2, true],
  [[entry(1, 1)], 2, 2, true],
  [[entry(1, 1), entry(2, 1)], 1, 2, true],
  // A lower last term loses, even with a longer log.
  [[entry(1, 2)], 1, 1, false],
  [[entry(1, 2)], 2, 1, false],
  [[entry(1, 2), entry(2, 2)], 1, 1, false],
];

function voteFor(voterLog: Entry[], lastIndex: number, lastTerm: number, options = {}): boolean {
  const raft = plainRaft({ voters: ["n1", "n2"], entries: voterLog, ...options });
  raft.step({ type: "vote", from: "n2", to: "n1", term: 3, index: lastIndex, logTerm: lastTerm });
  const [response] = raft.takeMessages();
  if (response?.type !== "voteResp") throw new Error("no vote response");
  return response.reject !== true;
}

test("§5.4 a voter grants only a candidate whose log is at least as up to date as its own", () => {
  for (const [voterLog, lastIndex, lastTerm, granted] of voterCases) {
    const label = `voter ${JSON.stringify(voterLog.map((e) => e.term))}, candidate (${lastIndex}, t${lastTerm})`;
    assert.is(voteFor(voterLog, lastIndex, lastTerm), granted, label);
  }
});

test("§5.4 the up-to-date check has teeth: without it, every stale candidate gets the vote", () => {
  const broken = { faults: { grantVoteToStaleLog: true } };
  for (const [voterLog, lastIndex, lastTerm] of voterCases) {
    assert.ok(voteFor(voterLog, lastIndex, lastTerm, broken), `(${lastIndex}, t${lastTerm})`);
  }
});

/**
 * Figure 8's rule: a leader of term 3 whose log is (1, t1), (2, t2), then its
 * no-op (3, t3) and a proposal (4, t3), persisted; its one follower acks `acked`.
 */
function commitAfterAck(acked: number, options: TestRaftOptions = {}): number {
  const raft = plainRaft({
    voters: ["n1", "n2"],
    entries: [entry(1, 1), entry(2, 2)],
    ...options,
  });
  electLeader(raft);
  assert.is(raft.term, 3);
  raft.propose("some data");
  persist(raft);
  raft.step({ type: "appResp", from: "n2", to: "n1", term: 3, index: acked });
  return raft.log.committed;
}

test("§5.4 a leader commits by counting only entries of its own term (Figure 8)", () => {
  assert.is(commitAfterAck(1), 0, "entry 1 (term 1) is on a majority but not committed");
  assert.is(commitAfterAck(2), 0, "entry 2 (term 2) is on a majority but not committed");
  assert.is(commitAfterAck(3), 3, "the no-op of term 3 commits, and everything before it");
});

test("§5.4 the current-term rule has teeth: counting old-term replicas commits them", () => {
  const broken = { faults: { commitOldTermByCounting: true } };
  assert.is(commitAfterAck(1, broken), 1);
  assert.is(commitAfterAck(2, broken), 2);
});

/**
 * Figure 8 of the paper on five nodes. n1 led term 2 and got entry (2, t2) to
 * n2 only; n5 led term 3 and wrote (2, t3) to itself only. Now n1 leads term 4
 * and gets (2, t2) onto n3 as well (a majority), but its own no-op of term 4
 * reaches nobody. Then n1 crashes and n5 is elected. Returns each node's
 * applied entries as [index, term] pairs.
 */
function runFigure8(options: TestRaftOptions = {}): Record<NodeId, Array<[number, number]>> {
  const voters = ["n1", "n2", "n3", "n4", "n5"];
  const network = new Network({
    voters,
    config: { ...plainProtocol, ...options },
    terms: { n1: [1, 2], n2: [1, 2], n3: [1], n4: [1], n5: [1, 3] },
    hardStates: { n1: { term: 3 }, n2: { term: 3 }, n3: { term: 3 }, n4: { term: 3 } },
  });
  network.isolate("n5");
  network.dropWhere((m) => m.type === "app" && (m.entries ?? []).some((e) => e.term === 4));
  network.campaign("n1");
  assert.is(network.raft("n1").role, "leader");
  assert.is(network.raft("n1").term, 4);
  const fromLeader = { type: "app", from: "n1", term: 4, commit: 0 } as const;
  network.send({ ...fromLeader, to: "n3", index: 1, logTerm: 1, entries: [entry(2, 2)] });
  network.send({ ...fromLeader, to: "n2", index: 2, logTerm: 2, entries: [] });
  for (const id of ["n1", "n2", "n3"]) {
    assert.equal(termsOf(network.raft(id)).slice(0, 2), [1, 2], `${id} holds (2, t2)`);
  }
  network.recover();
  network.isolate("n1");
  for (let attempt = 0; attempt < 3 && network.raft("n5").role !== "leader"; attempt++) {
    network.campaign("n5");
  }
  assert.is(network.raft("n5").role, "leader", "n5's last term 3 beats term 2");
  for (const id of ["n2", "n3", "n4"]) {
    assert.equal(termsOf(network.raft(id)).slice(0, 2), [1, 3], `${id} now holds (2, t3)`);
  }
  const applied: Record<NodeId, Array<[number, number]>> = {};
  for (const id of voters) {
    applied[id] = network.node(id).applied.map((e): [number, number] => [e.index, e.term]);
  }
  return applied;
}

/** Index -> the one term every node applied there; throws on two different entries. */
function assertAppliedAgree(applied: Record<NodeId, Array<[number, number]>>): void {
  const termAt = new Map<number, number>();
  for (const [id, entries] of Object.entries(applied)) {
    for (const [index, term] of entries) {
      const seen = termAt.get(index);
      if (seen !== undefined && seen !== term) {
        throw new Error(`${id} applied (${index}, t${term}) where another applied t${seen}`);
      }
      termAt.set(index, term);
    }
  }
}

test("§5.4 Figure 8: an old-term entry on a majority is not committed, so overwriting it loses nothing", () => {
  const applied = runFigure8();
  assert.equal(applied.n1, [], "n1 never committed (2, t2)");
  assert.equal(applied.n5?.slice(0, 2), [
    [1, 1],
    [2, 3],
  ]);
  assertAppliedAgree(applied);
});

test("§5.4 Figure 8 with old-term counting: two nodes apply different entries at index 2", () => {
  const applied = runFigure8({ faults: { commitOldTermByCounting: true } });
  assert.equal(applied.n1, [
    [1, 1],
    [2, 2],
  ]);
  assert.throws(() => assertAppliedAgree(applied), /applied \(2, t/);
});

test.run();
