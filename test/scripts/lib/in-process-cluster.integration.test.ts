import { Redis } from "ioredis";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startInProcessCluster } from "../../../scripts/lib/in-process-cluster.ts";
import { startRedisServer } from "../../../scripts/lib/redis-server.ts";
import { sleep } from "../../../shared/sleep.ts";

const upsert = JSON.stringify({
  type: "upsertUser",
  userId: "4242",
  name: "in process",
  language: "en",
  at: 1,
});

test("three members elect one leader, and a command it commits is applied by every member and persisted under each member's prefix", async () => {
  const redis = await startRedisServer({ appendonly: false });
  const cluster = await startInProcessCluster({
    size: 3,
    redisUrl: redis.url,
    heartbeatMs: 20,
    electionTimeoutMs: 200,
    snapshotEveryEntries: 10_000,
  });
  const inspector = new Redis(redis.url);
  try {
    const leader = await cluster.leader();
    assert.is(cluster.members.filter((member) => member.node.isLeader()).length, 1);
    const { index } = await leader.node.propose(upsert);
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && cluster.members.some((member) => !member.state.user("4242")))
      await sleep(10);
    for (const member of cluster.members) {
      assert.is(member.state.user("4242")?.name, "in process", member.id);
      assert.is(member.redisPrefix, `nexaloak:${member.id}:`);
      assert.ok((await inspector.llen(`${member.redisPrefix}raft:log`)) >= index, member.id);
    }
  } finally {
    inspector.disconnect();
    await cluster.stop();
    await redis.cleanup();
  }
});

test("a cluster that cannot reach its Redis fails to start and leaves nothing running", async () => {
  const redis = await startRedisServer({ appendonly: false });
  const url = redis.url;
  await redis.cleanup();
  try {
    await startInProcessCluster({
      size: 1,
      redisUrl: url,
      heartbeatMs: 20,
      electionTimeoutMs: 200,
      snapshotEveryEntries: 10_000,
    });
    assert.unreachable("started without Redis");
  } catch (error) {
    assert.instance(error, Error);
    assert.match((error as Error).message, /not ready/);
  }
});

test.run();
