import { suite } from "uvu";
import * as assert from "uvu/assert";
import { NodeError, StateVersionError } from "../../cluster/node.ts";
import { encodeNodeSnapshot } from "../../cluster/node-snapshot.ts";
import { encodeEnvelope } from "../../cluster/proposal-envelope.ts";
import type { Message } from "../../cluster/raft/types.ts";
import { sleep } from "../../shared/sleep.ts";
import { command } from "./fsm/support/control-plane-fixture.ts";
import { startInMemoryCluster, type TestMember } from "./support/in-memory-cluster.ts";

const setting = (key: string, value: string) =>
  JSON.stringify({ type: "setSetting", key, value, actor: { kind: "api" } });

const node = suite("cluster node");

/** A 3-member in-memory cluster, and every append with entries its members send. */
async function clusterRecordingAppends() {
  const appends: Message[] = [];
  const cluster = await startInMemoryCluster(3, {
    observe: (message) => {
      if (message.type === "app" && (message.entries?.length ?? 0) > 0) appends.push(message);
    },
  });
  return { cluster, appends };
}

/** Whether an append carries an entry whose data contains `marker`. */
const carrying = (append: Message, marker: string) =>
  append.entries?.some((entry) => entry.data.includes(marker)) ?? false;

/** Makes each member's Redis write of an entry containing `marker` wait; returns what lets them go. */
function holdWritesCarrying(members: readonly TestMember[], marker: string): () => void {
  let openGate = () => {};
  const gate = new Promise<void>((resolve) => {
    openGate = resolve;
  });
  for (const member of members) {
    const save = member.store.save.bind(member.store);
    member.store.save = async (batch) => {
      if (batch.entries?.some((entry) => entry.data.includes(marker))) await gate;
      return save(batch);
    };
  }
  return openGate;
}

/**
 * Proposes `first` on the leader while its followers' Redis write of it waits
 * at a gate, so that batch stays uncommitted, and resolves once its append has
 * left the leader. The gate opens well within an election timeout (100 ms),
 * before the leader misses the followers' answers. `gate.open` is set before
 * anything is awaited, so a caller's `finally` can always open it.
 */
async function firstBatchHeld(
  cluster: Awaited<ReturnType<typeof clusterRecordingAppends>>["cluster"],
  appends: readonly Message[],
  gate: { open: () => void },
) {
  const leader = await cluster.leader();
  const followers = [...cluster.members.values()].filter((member) => member !== leader);
  gate.open = holdWritesCarrying(followers, "first");
  const first = leader.node.propose(setting("first", "1"));
  // Should the wait below fail, the refusal of `first` at stop is not what the test reports.
  first.catch(() => {});
  await cluster.waitFor(
    () => appends.some((append) => carrying(append, "first")),
    1000,
    "the first batch to leave the leader",
  );
  return { leader, followers, first };
}

node("elects one leader and applies a proposal on every member", async () => {
  const cluster = await startInMemoryCluster(3);
  try {
    const leader = await cluster.leader();
    const { index, result } = await leader.node.propose(setting("greeting", "hello"));
    assert.ok(result.ok);
    assert.ok(index > 3, "after the bootstrap entries and the leader's no-op");
    await cluster.waitFor(
      () =>
        [...cluster.members.values()].every(
          (member) => member.state.getSetting("greeting") === "hello",
        ),
      2000,
      "every member to apply the write",
    );
    const leaders = [...cluster.members.values()].filter((member) => member.node.isLeader());
    assert.is(leaders.length, 1);
  } finally {
    await cluster.stop();
  }
});

node("a follower forwards a proposal to the leader and resolves when it applies it", async () => {
  const cluster = await startInMemoryCluster(3);
  try {
    const leader = await cluster.leader();
    const follower = [...cluster.members.values()].find((member) => member !== leader)!;
    await cluster.waitFor(() => follower.node.leaderId(), 2000, "the follower to know the leader");
    // What a follower may forward: a report about its own server (fsm/proposer-authority.ts).
    const report = JSON.stringify(command.registerServer(follower.id));
    const { result } = await follower.node.propose(report);
    assert.ok(result.ok);
    assert.is(follower.state.server(follower.id)?.id, follower.id);
  } finally {
    await cluster.stop();
  }
});

node("proposals made in one turn reach each follower as one append carrying them all", async () => {
  const appends: Message[] = [];
  const cluster = await startInMemoryCluster(3, {
    observe: (message) => {
      if (message.type === "app" && message.entries?.some((entry) => entry.data.includes("batch-")))
        appends.push(message);
    },
  });
  try {
    const leader = await cluster.leader();
    const writes = Array.from({ length: 10 }, (_, position) =>
      leader.node.propose(setting(`batch-${position}`, String(position))),
    );
    const outcomes = await Promise.all(writes);
    assert.ok(outcomes.every(({ result }) => result.ok));
    assert.equal(
      outcomes.map(({ index }) => index - outcomes[0]!.index),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      "in the order they were made",
    );
    const followers = [...cluster.members.keys()].filter((id) => id !== leader.id);
    for (const follower of followers) {
      // The first append to carry any of them carries all ten. An earlier entry the follower has
      // not acknowledged may ride in front, and a slow machine may see a resend later: both are
      // Raft's flow control, not a split batch.
      const first = appends.find((message) => message.to === follower);
      assert.ok(first, `an append with the batch reached ${follower}`);
      const batchEntries = (first.entries ?? []).filter((entry) => entry.data.includes("batch-"));
      assert.is(batchEntries.length, 10, `one append to ${follower} carries the whole batch`);
    }
  } finally {
    await cluster.stop();
  }
});

node(
  "while its batch replicates, a leader holds new proposals and sends them as the next batch",
  async () => {
    const { cluster, appends } = await clusterRecordingAppends();
    // The first batch stays uncommitted (what the leader's own tasks proposed before it goes through).
    const gate = { open: () => {} };
    try {
      const inFlight = await firstBatchHeld(cluster, appends, gate);
      const { leader, followers } = inFlight;
      // Settled at once, so that a failed check below reports itself, not the proposals' refusal at stop.
      const outcome = (proposal: Promise<unknown>) =>
        proposal.then(
          () => "applied",
          (error: unknown) => (error instanceof NodeError ? error.code : String(error)),
        );
      const first = outcome(inFlight.first);
      // One proposal per turn of the event loop: a pipelining leader would send each on its own.
      const held: Promise<string>[] = [];
      for (let position = 0; position < 10; position++) {
        held.push(outcome(leader.node.propose(setting(`held-${position}`, String(position)))));
        await new Promise((resolve) => setImmediate(resolve));
      }
      const carryingHeld = () => appends.filter((append) => carrying(append, "held-"));
      assert.is(carryingHeld().length, 0, "nothing goes out while the first batch is uncommitted");
      gate.open();
      assert.equal(await Promise.all([first, ...held]), Array(11).fill("applied"));
      for (const follower of followers) {
        const append = carryingHeld().find((message) => message.to === follower.id);
        assert.ok(append, `the held proposals reached ${follower.id}`);
        const entries = (append.entries ?? []).filter((entry) => entry.data.includes("held-"));
        assert.is(entries.length, 10, `one append to ${follower.id} carries all ten`);
      }
      assert.is(leader.state.getSetting("held-9"), "9");
    } finally {
      gate.open();
      await cluster.stop();
    }
  },
);

node(
  "once its batch commits, a leader lets what its callers send meanwhile join the next batch",
  async () => {
    const { cluster, appends } = await clusterRecordingAppends();
    const gate = { open: () => {} };
    try {
      const { leader, followers, first } = await firstBatchHeld(cluster, appends, gate);
      const waiting = leader.node.propose(setting("waiting", "2"));
      // Made only once the first write is answered: after its batch has committed.
      const answered = first.then(() => leader.node.propose(setting("answered", "3")));
      gate.open();
      const [, waited, late] = await Promise.all([first, waiting, answered]);
      assert.ok(waited.result.ok && late.result.ok);
      assert.is(late.index, waited.index + 1);
      for (const follower of followers) {
        const append = appends.find(
          (message) => message.to === follower.id && carrying(message, "waiting"),
        );
        assert.ok(append, `the next batch reached ${follower.id}`);
        assert.ok(
          carrying(append, "answered"),
          `the write made as the first was answered rides with the one that waited, to ${follower.id}`,
        );
      }
    } finally {
      gate.open();
      await cluster.stop();
    }
  },
);

node(
  "with voter candidates named, leadership goes to candidates only: a transfer to another is refused, a peer asking for itself or campaigning as a transfer is ignored, and a transfer naming nobody picks a candidate",
  async () => {
    const cluster = await startInMemoryCluster(4, { deferLeaderWork: true });
    try {
      const leader = await cluster.leader();
      const others = [...cluster.members.keys()].filter((id) => id !== leader.id);
      const barred = others[0]!;
      const candidates = [leader.id, ...others.slice(1)];
      await leader.node.propose(setting("voterCandidates", candidates.join(",")));
      await cluster.waitFor(
        () =>
          [...cluster.members.values()].every(
            (member) => member.state.setting("voterCandidates") === candidates.join(","),
          ),
        2000,
        "every member to apply the setting",
      );
      assert.throws(
        () => leader.node.transferLeadership(barred),
        (error: unknown) => error instanceof NodeError && error.code === "INVALID_TRANSFER_TARGET",
      );
      // What a seized member sends whatever its own node would refuse: a request for itself.
      leader.node.receive([
        { type: "transferLeader", from: barred, to: leader.id, term: 0, context: barred },
      ]);
      // And a campaign as a transfer's, for the next term, to a candidate follower.
      const follower = others[1]!;
      const { term, commitIndex } = leader.node.status();
      cluster.members.get(follower)!.node.receive([
        {
          type: "vote",
          from: barred,
          to: follower,
          term: term + 1,
          index: commitIndex + 100,
          logTerm: term,
          context: "transfer",
        },
      ]);
      await sleep(300);
      assert.ok(leader.node.isLeader(), "the leader kept its leadership");
      assert.not.ok(cluster.members.get(barred)!.node.isLeader());
      assert.is(cluster.members.get(follower)!.node.status().term, term, "no term moved");
      const answer = leader.node.transferLeadership();
      assert.is(answer.status, "accepted");
      const target = (answer as { target: string }).target;
      assert.ok(candidates.includes(target) && target !== leader.id, target);
      await cluster.waitFor(
        () => cluster.members.get(target)!.node.isLeader(),
        3000,
        "the transfer",
      );
    } finally {
      await cluster.stop();
    }
  },
);

node("a batch the core refuses fails every proposal in it with the core's code", async () => {
  const cluster = await startInMemoryCluster(3);
  try {
    const leader = await cluster.leader();
    const follower = [...cluster.members.keys()].find((id) => id !== leader.id)!;
    // A transfer to a cut-off follower stays pending; meanwhile the leader takes no proposals.
    cluster.isolate(follower);
    await leader.node.propose(setting("before", "transfer"));
    leader.node.transferLeadership(follower);
    const refusals = await Promise.all(
      [1, 2, 3].map((position) =>
        leader.node.propose(setting(`refused-${position}`, "x")).then(
          () => "applied",
          (error: unknown) => (error instanceof NodeError ? error.code : String(error)),
        ),
      ),
    );
    assert.equal(refusals, [
      "TRANSFER_IN_PROGRESS",
      "TRANSFER_IN_PROGRESS",
      "TRANSFER_IN_PROGRESS",
    ]);
    assert.is(leader.state.getSetting("refused-1"), undefined);
  } finally {
    await cluster.stop();
  }
});

node("an invalid command is refused by apply with a reason and changes nothing", async () => {
  const cluster = await startInMemoryCluster(3);
  try {
    const leader = await cluster.leader();
    const { result } = await leader.node.propose(
      JSON.stringify({ type: "setSetting", key: "bad key!", value: "x", actor: { kind: "api" } }),
    );
    assert.not.ok(result.ok);
    if (!result.ok) assert.is(result.error.code, "INVALID_COMMAND");
    assert.equal(leader.state.allSettings(), {});
  } finally {
    await cluster.stop();
  }
});

node("a linearizable read on a follower sees every write acknowledged before it", async () => {
  const cluster = await startInMemoryCluster(3);
  try {
    const leader = await cluster.leader();
    const follower = [...cluster.members.values()].find((member) => member !== leader)!;
    await cluster.waitFor(() => follower.node.leaderId(), 2000, "the follower to know the leader");
    for (let count = 0; count < 20; count++) {
      await leader.node.propose(setting("counter", String(count)));
      await follower.node.linearizableRead();
      assert.is(follower.state.getSetting("counter"), String(count));
    }
  } finally {
    await cluster.stop();
  }
});

node(
  "leadership events fire on gaining and losing leadership; transfer hands it over",
  async () => {
    const cluster = await startInMemoryCluster(3);
    try {
      const leader = await cluster.leader();
      const changes: Array<{ id: string; isLeader: boolean }> = [];
      for (const member of cluster.members.values()) {
        member.node.onLeadershipChange((change) =>
          changes.push({ id: member.id, isLeader: change.isLeader }),
        );
      }
      const target = [...cluster.members.keys()].find((id) => id !== leader.id)!;
      await cluster.waitFor(
        () => leader.node.status().members.every((member) => (member.matchIndex ?? 0) > 0),
        2000,
        "followers to catch up",
      );
      assert.equal(leader.node.transferLeadership(target), { status: "accepted", target });
      await cluster.waitFor(
        () => cluster.members.get(target)!.node.isLeader(),
        3000,
        "the transfer",
      );
      await cluster.waitFor(() => !leader.node.isLeader(), 2000, "the old leader to step down");
      assert.ok(changes.some((change) => change.id === leader.id && !change.isLeader));
      assert.ok(changes.some((change) => change.id === target && change.isLeader));
    } finally {
      await cluster.stop();
    }
  },
);

node("an isolated leader steps down and the majority elects and commits without it", async () => {
  const cluster = await startInMemoryCluster(3);
  try {
    const oldLeader = await cluster.leader();
    cluster.isolate(oldLeader.id);
    await cluster.waitFor(
      () => !oldLeader.node.isLeader(),
      3000,
      "check-quorum to depose the isolated leader",
    );
    const newLeader = await cluster.leader();
    assert.is.not(newLeader.id, oldLeader.id);
    const { result } = await newLeader.node.propose(setting("after", "partition"));
    assert.ok(result.ok);
    cluster.heal();
    await cluster.waitFor(
      () => oldLeader.state.getSetting("after") === "partition",
      3000,
      "the old leader to catch up",
    );
  } finally {
    await cluster.stop();
  }
});

node(
  "while its storage is unavailable a node refuses requests and reports not ready, then recovers",
  async () => {
    const cluster = await startInMemoryCluster(3);
    try {
      const leader = await cluster.leader();
      const follower = [...cluster.members.values()].find((member) => member !== leader)!;
      await leader.node.propose(setting("before", "outage"));
      follower.store.available = false;
      await leader.node.propose(setting("during", "outage"));
      await cluster.waitFor(
        () => !follower.node.readiness().ready,
        2000,
        "the follower to report not ready",
      );
      assert.match(follower.node.readiness().reason ?? "", /Redis/);
      try {
        await follower.node.propose(setting("x", "y"));
        assert.unreachable("a node without storage must refuse proposals");
      } catch (error) {
        assert.instance(error, NodeError);
        assert.is((error as NodeError).code, "NOT_READY");
      }
      assert.is(
        follower.state.getSetting("during"),
        undefined,
        "nothing is applied past an unpersisted write",
      );
      follower.store.available = true;
      await cluster.waitFor(
        () => follower.state.getSetting("during") === "outage",
        5000,
        "the follower to catch up",
      );
      await cluster.waitFor(
        () => follower.node.readiness().ready,
        3000,
        "the follower to be ready again",
      );
    } finally {
      await cluster.stop();
    }
  },
);

node("with no leader known a proposal is refused with NOT_LEADER", async () => {
  const cluster = await startInMemoryCluster(3);
  try {
    const leader = await cluster.leader();
    const follower = [...cluster.members.values()].find((member) => member !== leader)!;
    cluster.isolate(follower.id);
    await cluster.waitFor(
      () => follower.node.leaderId() === undefined,
      3000,
      "the follower to lose the leader",
    );
    try {
      await follower.node.propose(setting("x", "y"));
      assert.unreachable("expected NOT_LEADER");
    } catch (error) {
      assert.is((error as NodeError).code, "NOT_LEADER");
      assert.match((error as Error).message, /leader unknown/);
    }
  } finally {
    await cluster.stop();
  }
});

node(
  "a read the leader never confirmed fails at once when leadership moves, instead of timing out",
  async () => {
    const cluster = await startInMemoryCluster(3);
    try {
      const leader = await cluster.leader();
      const follower = [...cluster.members.values()].find((member) => member !== leader)!;
      await cluster.waitFor(
        () => follower.node.leaderId(),
        2000,
        "the follower to know the leader",
      );
      cluster.isolate(leader.id);
      const startedAt = Date.now();
      const read = follower.node.linearizableRead().then(
        () => "answered",
        (error: NodeError) => error.code,
      );
      assert.is(await read, "NOT_LEADER");
      assert.ok(Date.now() - startedAt < 2000, "well before the request timeout");
    } finally {
      await cluster.stop();
    }
  },
);

node("a node whose storage is down still stops promptly when asked", async () => {
  const cluster = await startInMemoryCluster(3);
  try {
    const leader = await cluster.leader();
    const follower = [...cluster.members.values()].find((member) => member !== leader)!;
    follower.store.available = false;
    await leader.node.propose(setting("while", "down"));
    await cluster.waitFor(() => !follower.node.readiness().ready, 2000, "the follower to notice");
    const stopped = await Promise.race([
      follower.node.stop().then(() => "stopped"),
      new Promise((resolve) => setTimeout(() => resolve("still stopping after 3 s"), 3000)),
    ]);
    assert.is(stopped, "stopped");
  } finally {
    await cluster.stop();
  }
});

node("snapshots compact the log and a restarted member restores from its store", async () => {
  const cluster = await startInMemoryCluster(3, { snapshotEveryEntries: 20 });
  try {
    const leader = await cluster.leader();
    for (let count = 0; count < 60; count++)
      await leader.node.propose(setting(`k${count}`, `v${count}`));
    const loaded = await leader.store.load();
    assert.ok(loaded.snapshot, "a snapshot was stored");
    assert.ok(loaded.snapshot!.metadata.index >= 40);
    assert.ok(loaded.entries.length < 40, "the log was compacted");
  } finally {
    await cluster.stop();
  }
});

/**
 * A three-node cluster whose members record why they stopped, after a first
 * write every member applied; `body` gets the leader and a follower.
 */
async function withStoppableFollower(
  body: (context: {
    leader: TestMember;
    follower: TestMember;
    ids: string[];
    fatal: ReadonlyMap<string, unknown>;
    waitFor: <T>(probe: () => T | undefined, timeoutMs: number, what: string) => Promise<T>;
  }) => Promise<void>,
): Promise<void> {
  const fatal = new Map<string, unknown>();
  const cluster = await startInMemoryCluster(3, {
    assemble: (id) => ({ onFatal: (error) => fatal.set(id, error) }),
  });
  try {
    const leader = await cluster.leader();
    await leader.node.propose(setting("before", "upgrade"));
    const follower = [...cluster.members.values()].find((member) => member !== leader)!;
    await cluster.waitFor(
      () => follower.state.getSetting("before") === "upgrade",
      2000,
      "the follower to apply the first write",
    );
    await body({
      leader,
      follower,
      ids: [...cluster.members.keys()],
      fatal,
      waitFor: cluster.waitFor,
    });
  } finally {
    await cluster.stop();
  }
}

node(
  "a follower stops rather than apply a committed entry of a later state version, and applies nothing of it",
  () =>
    withStoppableFollower(async ({ leader, follower, fatal, waitFor }) => {
      const { term, commitIndex } = follower.node.status();
      // What a leader of the next release would send: an entry stamped with its version.
      follower.node.receive([
        {
          type: "app",
          from: leader.id,
          to: follower.id,
          term,
          index: commitIndex,
          logTerm: term,
          commit: commitIndex + 1,
          entries: [
            {
              index: commitIndex + 1,
              term,
              type: "normal",
              data: encodeEnvelope({
                requestId: "from-the-next-release",
                command: setting("after", "upgrade"),
                stateVersion: follower.state.version + 1,
              }),
            },
          ],
        },
      ]);
      const error = await waitFor(() => fatal.get(follower.id), 2000, "the follower to stop");
      assert.instance(error, StateVersionError);
      assert.is((error as StateVersionError).code, "NEWER_STATE_VERSION");
      assert.is((error as StateVersionError).index, commitIndex + 1);
      assert.is(follower.state.getSetting("after"), undefined, "the entry was not applied");
      assert.is(follower.node.status().appliedIndex, commitIndex);
      assert.is(fatal.size, 1, "only that follower stopped");
    }),
);

node("a follower stops rather than install a snapshot of a later state version", () =>
  withStoppableFollower(async ({ leader, follower, ids, fatal, waitFor }) => {
    const { term, commitIndex } = follower.node.status();
    // What a leader of the next release would send a follower that fell behind.
    follower.node.receive([
      {
        type: "snap",
        from: leader.id,
        to: follower.id,
        term,
        snapshot: {
          metadata: { index: commitIndex + 10, term, confState: { voters: ids, learners: [] } },
          data: encodeNodeSnapshot({
            members: Object.fromEntries(ids.map((id) => [id, `ws://${id}.test`])),
            state: leader.state.snapshot(),
            stateVersion: follower.state.version + 1,
          }),
        },
      },
    ]);
    const error = await waitFor(() => fatal.get(follower.id), 2000, "the follower to stop");
    assert.instance(error, StateVersionError);
    assert.is((error as StateVersionError).index, commitIndex + 10);
    assert.is(follower.node.status().appliedIndex, commitIndex, "nothing of the snapshot applied");
  }),
);

node(
  "a leader drops a proposal forwarded with a later state version than its own, so a seized member cannot stop the others with one",
  async () => {
    const fatal: unknown[] = [];
    const cluster = await startInMemoryCluster(3, {
      assemble: () => ({ onFatal: (error) => fatal.push(error) }),
    });
    try {
      const leader = await cluster.leader();
      const follower = [...cluster.members.keys()].find((id) => id !== leader.id)!;
      const forwarded = (serverId: string, stateVersion: number) => ({
        type: "prop" as const,
        from: follower,
        to: leader.id,
        term: 0,
        entries: [
          {
            index: 0,
            term: 0,
            type: "normal" as const,
            data: encodeEnvelope({
              requestId: `forwarded-${stateVersion}`,
              command: JSON.stringify(command.registerServer(serverId)),
              stateVersion,
            }),
          },
        ],
      });
      leader.node.receive([forwarded(follower, leader.state.version + 1)]);
      leader.node.receive([forwarded(follower, leader.state.version)]);
      await cluster.waitFor(
        () =>
          [...cluster.members.values()].every(
            (member) => member.state.server(follower) !== undefined,
          ),
        2000,
        "the proposal of the leader's own version to be applied everywhere",
      );
      await leader.node.propose(setting("after", "both"));
      assert.is(fatal.length, 0, "no member stopped: the later version's proposal never committed");
      assert.ok(leader.node.isLeader());
    } finally {
      await cluster.stop();
    }
  },
);

node.run();
