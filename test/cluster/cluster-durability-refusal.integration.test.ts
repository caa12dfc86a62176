/**
 * A node refuses to keep its Raft log in a Redis that can lose acknowledged
 * writes (exit code 3, naming the setting), unless the operator opts in with
 * ALLOW_VOLATILE_REDIS=1, in which case it starts with a warning.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { waitUntil } from "../../scripts/lib/cluster-harness.ts";
import {
  type RedisServerHandle,
  type RedisServerOptions,
  startRedisServer,
} from "../../scripts/lib/redis-server.ts";
import { type SingleNode, startSingleNode } from "../../scripts/lib/single-node.ts";

const EXIT_VOLATILE_REDIS = 3;
const START_TIMEOUT_MS = 60_000;

async function withRedis(
  options: RedisServerOptions,
  env: Record<string, string>,
  run: (node: SingleNode) => Promise<void>,
): Promise<void> {
  let redis: RedisServerHandle | undefined;
  let node: SingleNode | undefined;
  try {
    redis = await startRedisServer(options);
    node = await startSingleNode({ redisUrl: redis.url, env });
    await run(node);
  } catch (error) {
    if (node) process.stderr.write(`\n${node.process.tail()}\n`);
    throw error;
  } finally {
    await node?.cleanup();
    await redis?.cleanup();
  }
}

test("a Redis with appendfsync everysec makes the node exit with code 3 and a message naming appendfsync", async () => {
  await withRedis({ appendfsync: "everysec" }, {}, async (node) => {
    const exit = await node.process.waitForExit(START_TIMEOUT_MS);
    assert.equal(exit, { code: EXIT_VOLATILE_REDIS, signal: null });
    assert.match(node.process.output, /appendfsync is "everysec"/);
    assert.match(node.process.output, /appendfsync always/);
    assert.match(node.process.output, /ALLOW_VOLATILE_REDIS/);
  });
});

test("a Redis with appendonly no makes the node exit with code 3 and a message naming appendonly", async () => {
  await withRedis({ appendonly: false }, {}, async (node) => {
    const exit = await node.process.waitForExit(START_TIMEOUT_MS);
    assert.equal(exit, { code: EXIT_VOLATILE_REDIS, signal: null });
    assert.match(node.process.output, /appendonly is "no"/);
  });
});

test("with ALLOW_VOLATILE_REDIS=1 the node starts on appendfsync everysec, warns, and serves writes", async () => {
  await withRedis({ appendfsync: "everysec" }, { ALLOW_VOLATILE_REDIS: "1" }, async (node) => {
    await node.process.waitForListening(START_TIMEOUT_MS);
    const warning = await node.process.waitForLogLine(
      (line) => line.level === "warn" && /appendfsync/.test(String(line.msg)),
      "a warning naming appendfsync",
      10_000,
    );
    assert.match(String(warning.msg), /everysec/);
    await waitUntil(async () => (await node.client.readyz()).ok, 20_000, "the node to be ready");
    const written = await node.client.putSetting("volatile", "accepted");
    assert.ok(written.ok, JSON.stringify(written));
    assert.ok(node.process.running);
  });
});

test("a durable Redis (appendonly yes, appendfsync always) starts without that warning", async () => {
  await withRedis({}, {}, async (node) => {
    await node.process.waitForListening(START_TIMEOUT_MS);
    await waitUntil(async () => (await node.client.readyz()).ok, 20_000, "the node to be ready");
    const warned = node.process.logLines.some((line) => /appendfsync/.test(String(line.msg)));
    assert.not.ok(warned, "a durable Redis was reported as volatile");
  });
});

test.run();
