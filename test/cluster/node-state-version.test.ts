/**
 * Leadership across releases, on real ClusterNodes in one process: a member
 * whose state version is later than that of the log it applied does not lead
 * while a member of the earlier release can, and does once none can.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { NodeMetrics } from "../../cluster/metrics.ts";
import { ClusterNode } from "../../cluster/node.ts";
import { decodeNodeSnapshot } from "../../cluster/node-snapshot.ts";
import type { Message, NodeId } from "../../cluster/raft/types.ts";
import type { StateMachine } from "../../cluster/state-machine.ts";
import { silentLogger } from "../../shared/silent-logger.ts";
import { sleep } from "../../shared/sleep.ts";
import { MemoryLogStore } from "./support/in-memory-cluster.ts";

const ELECTION_TIMEOUT_MS = 100;

/** A machine that only counts what it applied; its version is the release it plays. */
function countingMachine(version: number): StateMachine<number> {
  let applied = 0;
  return {
    version,
    apply: () => ++applied,
    snapshot: () => String(applied),
    restore: (data) => {
      applied = Number(data);
    },
  };
}

/** Members `n1..`, each of the state version `versions` gives it, messages passed directly. */
async function startMixedCluster(versions: readonly number[], snapshotEveryEntries = 10_000) {
  const ids = versions.map((_, position) => `n${position + 1}`);
  const initialMembers = new Map(ids.map((id) => [id, `ws://${id}.test`]));
  const nodes = new Map<NodeId, ClusterNode<number>>();
  const stores = new Map(ids.map((id) => [id, new MemoryLogStore()]));
  const down = new Set<NodeId>();
  const deliver = (messages: readonly Message[]) => {
    for (const message of messages) {
      if (down.has(message.from) || down.has(message.to)) continue;
      setImmediate(() => nodes.get(message.to)?.receive([message]));
    }
  };
  ids.forEach((id, position) => {
    nodes.set(
      id,
      new ClusterNode<number>({
        id,
        initialMembers,
        heartbeatMs: 10,
        electionTimeoutMs: ELECTION_TIMEOUT_MS,
        snapshotEveryEntries,
        entriesKeptAfterSnapshot: 2,
        store: stores.get(id)!,
        stateMachine: countingMachine(versions[position]!),
        send: deliver,
        logger: silentLogger,
        metrics: new NodeMetrics(),
      }),
    );
  });
  await Promise.all([...nodes.values()].map((node) => node.start()));
  const leader = async (timeoutMs: number): Promise<NodeId> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = ids.find((id) => !down.has(id) && nodes.get(id)!.isLeader());
      if (found) return found;
      await sleep(5);
    }
    throw new Error(`no leader among the running members within ${timeoutMs} ms`);
  };
  /** Writes through `leader` and waits until every running member applied the write. */
  const write = async (leaderId: NodeId, command: string): Promise<void> => {
    const { index } = await nodes.get(leaderId)!.propose(command);
    const deadline = Date.now() + 5_000;
    while (ids.some((id) => !down.has(id) && nodes.get(id)!.status().appliedIndex < index)) {
      if (Date.now() > deadline) throw new Error(`not every member applied entry ${index}`);
      await sleep(5);
    }
  };
  /**
   * The first leader of a cluster whose log has no command yet may be of any
   * version; hand leadership to n1 and write once, so that every member has
   * applied a command of n1's version.
   */
  const settleOnFirst = async (): Promise<void> => {
    const first = await leader(5_000);
    if (first !== "n1") {
      nodes.get(first)!.transferLeadership("n1");
      const deadline = Date.now() + 5_000;
      while (!nodes.get("n1")!.isLeader()) {
        if (Date.now() > deadline) throw new Error("leadership did not move to n1");
        await sleep(5);
      }
    }
    await write("n1", "the first command");
  };
  return {
    nodes,
    stores,
    leader,
    write,
    settleOnFirst,
    /** Cuts `id` off, as if its process were stopped for its upgrade. */
    takeDown: (id: NodeId) => down.add(id),
    bringBack: (id: NodeId) => down.delete(id),
    stop: () => Promise.all([...nodes.values()].map((node) => node.stop())),
  };
}

test("while members of the earlier release can win, they lead: an upgraded member never takes over", async () => {
  // n1 and n2 still run version 1; n3 was upgraded to version 2.
  const cluster = await startMixedCluster([1, 1, 2]);
  try {
    await cluster.settleOnFirst();
    let leader = "n1";
    for (let round = 0; round < 6; round++) {
      await cluster.write(leader, `write ${round}`);
      const previous = leader;
      cluster.takeDown(previous);
      leader = await cluster.leader(5_000);
      assert.is.not(
        leader,
        "n3",
        `round ${round}: the upgraded member was elected while n1 or n2 could win`,
      );
      cluster.bringBack(previous);
      await sleep(3 * ELECTION_TIMEOUT_MS);
    }
  } finally {
    await cluster.stop();
  }
});

test("once no member of the earlier release can win, an upgraded one leads after the candidates' wait", async () => {
  const cluster = await startMixedCluster([1, 2, 2]);
  try {
    await cluster.settleOnFirst();
    cluster.takeDown("n1");
    const startedAt = Date.now();
    const next = await cluster.leader(10_000);
    const waitedMs = Date.now() - startedAt;
    assert.ok(next === "n2" || next === "n3");
    assert.ok(
      waitedMs >= 3 * ELECTION_TIMEOUT_MS,
      `an upgraded member waited out the earlier release's chance: ${waitedMs} ms`,
    );
    const { result } = await cluster.nodes.get(next)!.propose("written by version 2");
    assert.ok(result > 0);
  } finally {
    await cluster.stop();
  }
});

test("an upgraded member's own snapshot keeps the version of the commands it holds, so restoring it does not let the member lead first", async () => {
  const cluster = await startMixedCluster([1, 1, 2], 4);
  try {
    await cluster.settleOnFirst();
    for (let write = 0; write < 6; write++) await cluster.write("n1", `write ${write}`);
    const snapshot = (await cluster.stores.get("n3")!.load()).snapshot;
    assert.ok(snapshot, "n3 took a snapshot");
    assert.ok(snapshot.data.startsWith("nexaloak-snapshot/1\n"), snapshot.data.slice(0, 40));
    assert.is(decodeNodeSnapshot(snapshot.data).stateVersion, 1, "version 1, not n3's 2");
  } finally {
    await cluster.stop();
  }
});

test.run();
