/**
 * Network partitions made with TCP proxies: every pair's one connection runs
 * through a proxy the test can cut. Blocked links blackhole new connections,
 * as a dropped route would, rather than refusing them.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type Cluster, waitUntil, withCluster } from "../../scripts/lib/cluster-harness.ts";
import { lostWrites, startWriteLoad } from "../../scripts/lib/write-load.ts";
import { sleep } from "../../shared/sleep.ts";

const ELECTION_TIMEOUT_MS = 300;
/**
 * Check-quorum looks back over one election timeout, so a cut-off leader
 * notices within two; the rest is slack for polling and a loaded machine.
 */
const STEP_DOWN_BOUND_MS = 4 * ELECTION_TIMEOUT_MS + 1_000;

/** Every pair's connection really goes through its proxy. */
async function assertLinksProxied(cluster: Cluster): Promise<void> {
  await waitUntil(
    () => [...cluster.proxies.values()].every((proxy) => proxy.forwardedConnections >= 1),
    10_000,
    "every pair to be connected through its proxy",
  );
  assert.is(cluster.proxies.size, 3);
}

test("a leader cut off from the majority steps down within the check-quorum window; the majority elects, commits, and after healing all converge", async () => {
  await withCluster(
    { size: 3, electionTimeoutMs: ELECTION_TIMEOUT_MS, withProxies: true },
    async (cluster) => {
      const oldLeader = await cluster.leader();
      await assertLinksProxied(cluster);
      const majority = cluster.nodes.filter((node) => node !== oldLeader);
      const before = startWriteLoad(cluster, { concurrency: 4, keyPrefix: "before" });
      await before.waitForMore(50, 20_000);
      await before.stop();

      const cutAt = Date.now();
      cluster.partition(
        [oldLeader.id],
        majority.map((node) => node.id),
      );
      let role = "leader";
      await waitUntil(
        async () => {
          role = (await oldLeader.status()).role;
          return role !== "leader";
        },
        STEP_DOWN_BOUND_MS,
        `the cut-off leader ${oldLeader.id} to step down`,
      );
      const stepDownMs = Date.now() - cutAt;

      const newLeader = await cluster.leader({ among: majority, timeoutMs: 10_000 });
      const during = startWriteLoad(cluster, {
        concurrency: 4,
        keyPrefix: "during",
        targets: () => majority,
      });
      await during.waitForMore(50, 20_000);
      await during.stop();

      const minorityWrite = await oldLeader.client.putSetting("minority-write", "must-not-ack");
      assert.not.ok(minorityWrite.ok, "the minority side acknowledged a write");
      const minorityRead = await oldLeader.client.getSetting("during-0");
      assert.not.ok(minorityRead.ok, "the minority side served a read it cannot know is current");

      cluster.heal();
      const settings = await cluster.converged({ timeoutMs: 20_000 });
      assert.equal(lostWrites(before.acknowledged, settings), []);
      assert.equal(lostWrites(during.acknowledged, settings), []);
      const healedLeader = await cluster.leader();
      assert.is.not(healedLeader.id, oldLeader.id, "the old leader took over again at once");
      process.stdout.write(
        `  cut-off leader ${oldLeader.id} stepped down (${role}) ${stepDownMs} ms after the cut; new leader ${newLeader.id}\n`,
      );
    },
  );
});

test("an isolated follower does not disrupt the leader when it rejoins (pre-vote)", async () => {
  await withCluster(
    { size: 3, electionTimeoutMs: ELECTION_TIMEOUT_MS, withProxies: true },
    async (cluster) => {
      const leader = await cluster.leader();
      await assertLinksProxied(cluster);
      const { term } = await leader.status();
      const isolated = cluster.nodes.find((node) => node !== leader)!;
      const connected = cluster.nodes.filter((node) => node !== isolated);

      cluster.partition(
        [isolated.id],
        connected.map((node) => node.id),
      );
      const load = startWriteLoad(cluster, {
        concurrency: 4,
        keyPrefix: "isolated",
        targets: () => connected,
      });
      try {
        // Long enough for several election timeouts on the isolated node.
        await sleep(6 * ELECTION_TIMEOUT_MS);
        await load.waitForMore(50, 20_000);
        const isolatedStatus = await isolated.status();
        assert.is.not(isolatedStatus.role, "leader");
        assert.is(isolatedStatus.term, term, "pre-vote keeps an isolated node's term unchanged");
        cluster.heal();
        await load.waitForMore(50, 20_000);
      } finally {
        await load.stop();
      }
      const settings = await cluster.converged({ timeoutMs: 20_000 });
      assert.equal(lostWrites(load.acknowledged, settings), []);
      const after = await leader.status();
      assert.is(after.role, "leader", "the leader kept its leadership");
      assert.is(after.term, term, "the rejoining follower forced no new term");
    },
  );
});

test.run();
