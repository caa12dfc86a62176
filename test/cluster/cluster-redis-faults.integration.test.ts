/**
 * A node's own Redis crashing (SIGKILL of its redis-server) while writes go
 * on: the node says it is not ready while its Redis is down, serves again
 * once Redis is back, and nothing committed is lost. Also a node started
 * before its Redis: it stays up and waits.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  type Cluster,
  type HarnessNode,
  waitUntil,
  withCluster,
} from "../../scripts/lib/cluster-harness.ts";
import { findFreePort } from "../../scripts/lib/free-port.ts";
import { type RedisServerHandle, startRedisServer } from "../../scripts/lib/redis-server.ts";
import { startSingleNode } from "../../scripts/lib/single-node.ts";
import { lostWrites, startWriteLoad, type WriteLoad } from "../../scripts/lib/write-load.ts";
import { sleep } from "../../shared/sleep.ts";

const ELECTION_TIMEOUT_MS = 300;

/**
 * Waits until the node's /readyz answers 503 `{"ready":false,"reason"}`
 * (which the client reports as NOT_READY), and returns the reason.
 */
async function waitUntilNotReady(node: HarnessNode, timeoutMs: number): Promise<string> {
  let reason = "";
  await waitUntil(
    async () => {
      const ready = await node.probe.readyz();
      if (ready.ok) return false;
      reason = ready.error.message;
      return ready.error.status === 503 && ready.error.code === "NOT_READY";
    },
    timeoutMs,
    `${node.id} to report not ready`,
  );
  return reason;
}

/**
 * Kills `victim`'s redis-server while `load` writes, checks the node turns
 * unready and the others keep committing, then restarts Redis and checks the
 * node is ready again and nothing acknowledged was lost.
 */
async function crashAndRestoreRedis(
  cluster: Cluster,
  victim: HarnessNode,
  load: WriteLoad,
): Promise<void> {
  await load.waitForMore(100, 20_000);
  await victim.redis.kill();
  const reason = await waitUntilNotReady(victim, 10_000);
  assert.ok(reason.length > 0, "/readyz gave no reason");
  assert.ok(victim.running, "the node process survives losing its Redis");
  const health = await victim.probe.healthz();
  assert.ok(health.ok, "/healthz still answers while Redis is down");
  await load.waitForMore(100, 20_000);
  const survivors = cluster.nodes.filter((node) => node !== victim);
  // The others agree on a leader among themselves: a node without its Redis cannot stay leader.
  await cluster.leader({ among: survivors, timeoutMs: 10_000 });

  await victim.redis.restart();
  await victim.waitForReady(20_000);
  await load.waitForMore(50, 20_000);
}

test("a follower whose Redis is SIGKILLed reports not ready, then catches up once Redis is back", async () => {
  await withCluster({ size: 3, electionTimeoutMs: ELECTION_TIMEOUT_MS }, async (cluster) => {
    const leader = await cluster.leader();
    const follower = cluster.nodes.find((node) => node !== leader)!;
    const load = startWriteLoad(cluster, { concurrency: 8, keyPrefix: "follower-redis" });
    try {
      await crashAndRestoreRedis(cluster, follower, load);
    } finally {
      await load.stop();
    }
    const settings = await cluster.converged({ timeoutMs: 20_000 });
    assert.equal(lostWrites(load.acknowledged, settings), []);
  });
});

test("a leader whose Redis is SIGKILLed loses leadership, and rejoins with nothing committed lost", async () => {
  await withCluster({ size: 3, electionTimeoutMs: ELECTION_TIMEOUT_MS }, async (cluster) => {
    const leader = await cluster.leader();
    const load = startWriteLoad(cluster, { concurrency: 8, keyPrefix: "leader-redis" });
    try {
      await crashAndRestoreRedis(cluster, leader, load);
    } finally {
      await load.stop();
    }
    const settings = await cluster.converged({ timeoutMs: 20_000 });
    assert.equal(lostWrites(load.acknowledged, settings), []);
  });
});

/** Attempts at the test below: a port chosen free can be taken by then (see findFreePort). */
const PORT_ATTEMPTS = 3;

test("a node started before its Redis stays up, answers /healthz, is not ready, and becomes ready once Redis starts", async () => {
  for (let attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
    const redisPort = await findFreePort();
    const node = await startSingleNode({ redisUrl: `redis://127.0.0.1:${redisPort}` });
    let redis: RedisServerHandle | undefined;
    try {
      await node.process.waitForListening(60_000);
      // Long enough for several reconnection attempts.
      await sleep(1_000);
      assert.ok(node.process.running, "the node exited without Redis");
      assert.ok((await node.client.healthz()).ok);
      const notReady = await node.client.readyz();
      assert.not.ok(notReady.ok);
      assert.is(notReady.ok ? 0 : notReady.error.status, 503);

      try {
        redis = await startRedisServer({ port: redisPort });
      } catch (error) {
        // Another process bound the port meanwhile: the node waits for a Redis that cannot come.
        if (!/Address already in use/.test(String(error)) || attempt === PORT_ATTEMPTS) throw error;
        process.stderr.write(`port ${redisPort} was taken meanwhile; again on a fresh port\n`);
        continue;
      }
      await waitUntil(async () => (await node.client.readyz()).ok, 20_000, "the node to be ready");
      const written = await node.client.putSetting("after-redis", "yes");
      assert.ok(written.ok, `a write after Redis came up failed: ${JSON.stringify(written)}`);
      return;
    } catch (error) {
      process.stderr.write(`\n${node.process.tail()}\n`);
      throw error;
    } finally {
      await node.cleanup();
      await redis?.cleanup();
    }
  }
});

test.run();
