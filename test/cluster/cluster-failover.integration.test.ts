/**
 * Losing the leader: SIGKILL (a crash) and SIGTERM (a graceful stop) while
 * writers keep writing through every live node. No acknowledged write may be
 * lost, a new leader must take over, and a restarted node must catch up,
 * from the log or, once the others have compacted it, from a snapshot.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type Cluster, type HarnessNode, withCluster } from "../../scripts/lib/cluster-harness.ts";
import { sampleSum } from "../../scripts/lib/prometheus-text.ts";
import { lostWrites, startWriteLoad } from "../../scripts/lib/write-load.ts";

const ELECTION_TIMEOUT_MS = 300;

async function appliedIndex(node: HarnessNode): Promise<number> {
  return (await node.status()).appliedIndex;
}

function others(cluster: Cluster, node: HarnessNode): HarnessNode[] {
  return cluster.nodes.filter((other) => other !== node);
}

test("after SIGKILL of the leader a new leader is elected and no acknowledged write is lost", async () => {
  await withCluster({ size: 3, electionTimeoutMs: ELECTION_TIMEOUT_MS }, async (cluster) => {
    const oldLeader = await cluster.leader();
    const load = startWriteLoad(cluster, { concurrency: 8, keyPrefix: "crash" });
    try {
      await load.waitForMore(200, 20_000);
      const killedAt = Date.now();
      const exit = await oldLeader.kill("SIGKILL");
      assert.is(exit.signal, "SIGKILL");
      const newLeader = await cluster.leader({ timeoutMs: 10_000 });
      const electedAfterMs = Date.now() - killedAt;
      assert.is.not(newLeader.id, oldLeader.id);
      await load.waitForMore(200, 20_000);
      const firstCommitAfterKill = load.acknowledgements.find((ack) => ack.startedAtMs >= killedAt);
      assert.ok(firstCommitAfterKill, "a write started after the kill was acknowledged");
      process.stdout.write(
        `  new leader seen after ${electedAfterMs} ms; first write started after the kill committed ${firstCommitAfterKill.acknowledgedAtMs - killedAt} ms after it\n`,
      );
    } finally {
      await load.stop();
    }
    const settings = await cluster.converged({ timeoutMs: 20_000 });
    assert.equal(lostWrites(load.acknowledged, settings), [], "acknowledged writes were lost");

    await oldLeader.restart();
    await oldLeader.waitForReady(20_000);
    const all = await cluster.converged({ timeoutMs: 20_000 });
    assert.equal(lostWrites(load.acknowledged, all), []);
    assert.is(
      (await oldLeader.status()).role,
      "follower",
      "the restarted node rejoins as a follower",
    );
  });
});

test("a node that was down while the others compacted their logs catches up from a snapshot", async () => {
  const snapshotEveryEntries = 50;
  await withCluster(
    { size: 3, electionTimeoutMs: ELECTION_TIMEOUT_MS, snapshotEveryEntries },
    async (cluster) => {
      const leader = await cluster.leader();
      const load = startWriteLoad(cluster, { concurrency: 16, keyPrefix: "before" });
      await load.waitForMore(30, 20_000);
      await load.stop();
      const victim = others(cluster, leader)[0]!;
      const appliedBeforeKill = await appliedIndex(victim);
      await victim.kill("SIGKILL");

      // A node keeps the last 1 000 entries after each snapshot, so the gap
      // must be well beyond that for the leader to send a snapshot instead.
      const whileDown = startWriteLoad(cluster, { concurrency: 32, keyPrefix: "while-down" });
      try {
        await whileDown.waitForMore(1_500, 60_000);
      } finally {
        await whileDown.stop();
      }
      const leaderMetrics = await (await cluster.leader()).metrics();
      assert.ok(
        (sampleSum(leaderMetrics, "nexaloak_snapshots_taken_total") ?? 0) >= 1,
        "the leader took a snapshot",
      );

      await victim.restart();
      await victim.waitForReady(30_000);
      const settings = await cluster.converged({ timeoutMs: 30_000 });
      assert.equal(lostWrites(load.acknowledged, settings), []);
      assert.equal(lostWrites(whileDown.acknowledged, settings), []);
      const installed = sampleSum(await victim.metrics(), "nexaloak_snapshots_installed_total");
      assert.ok(
        (installed ?? 0) >= 1,
        `the restarted node installed no snapshot (counter ${installed})`,
      );
      const appliedAfter = await appliedIndex(victim);
      assert.ok(appliedAfter - appliedBeforeKill >= 1_500, "its applied index jumped past the gap");
    },
  );
});

test("SIGTERM of the leader hands leadership over and exits 0, losing no acknowledged write", async () => {
  await withCluster({ size: 3, electionTimeoutMs: ELECTION_TIMEOUT_MS }, async (cluster) => {
    const oldLeader = await cluster.leader();
    const load = startWriteLoad(cluster, { concurrency: 8, keyPrefix: "graceful" });
    try {
      await load.waitForMore(100, 20_000);
      const exit = await oldLeader.kill("SIGTERM");
      assert.equal(exit, { code: 0, signal: null }, "a SIGTERMed node exits 0");
      // The node's own log is the only witness that leadership was handed over rather than lost.
      const handedOver = oldLeader.process.logLines.some((line) =>
        /hand(ing|ed)? leadership over|leadership transfer/i.test(String(line.msg)),
      );
      assert.ok(handedOver, "the leader logged no hand-over of leadership");
      const newLeader = await cluster.leader({ timeoutMs: 10_000 });
      assert.is.not(newLeader.id, oldLeader.id);
      await load.waitForMore(100, 20_000);
    } finally {
      await load.stop();
    }
    const settings = await cluster.converged({ timeoutMs: 20_000 });
    assert.equal(lostWrites(load.acknowledged, settings), []);
  });
});

test.run();
