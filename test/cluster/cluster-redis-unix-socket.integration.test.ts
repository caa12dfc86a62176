/**
 * Nodes that reach their Redis through its Unix socket (REDIS_URL=unix://...,
 * what scripts/install.sh sets up) keep their Raft log there like over TCP:
 * writes commit, survive a member's kill -9, and every connection a node
 * opens (its log, its queues) goes through the socket.
 */
import { Redis } from "ioredis";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type HarnessNode, withCluster } from "../../scripts/lib/cluster-harness.ts";

/** The `addr` of every Redis client but the one asking, from CLIENT LIST. */
async function otherClientAddresses(node: HarnessNode): Promise<string[]> {
  const inspector = new Redis(node.redis.port, "127.0.0.1", { maxRetriesPerRequest: 0 });
  try {
    const ownId = await inspector.client("ID");
    const list = String(await inspector.client("LIST"));
    return list
      .split("\n")
      .filter((line) => line.trim() !== "" && !line.startsWith(`id=${ownId} `))
      .map((line) => /(?:^| )addr=(\S+)/.exec(line)?.[1] ?? "(no addr)");
  } finally {
    inspector.disconnect();
  }
}

test("a cluster on Unix sockets commits writes, keeps them through a kill -9, and opens no TCP connection to Redis", async () => {
  await withCluster({ size: 3, redis: { unixSocket: true } }, async (cluster) => {
    for (const node of cluster.nodes) assert.match(node.redis.url, /^unix:\/\/\/.+\/redis\.sock$/);
    const leader = await cluster.leader({ timeoutMs: 15_000 });
    for (let i = 0; i < 20; i++) await cluster.put(`socket-${i}`, `value-${i}`);

    const follower = cluster.nodes.find((node) => node !== leader)!;
    await follower.kill("SIGKILL");
    await cluster.put("while-down", "yes");
    await follower.restart();
    await cluster.converged({ timeoutMs: 20_000 });
    const own = await follower.client.listSettings();
    assert.ok(own.ok, "the restarted node did not list its settings");
    assert.is(own.value["socket-19"], "value-19");
    assert.is(own.value["while-down"], "yes");

    for (const node of cluster.nodes) {
      const socketPath = node.redis.url.slice("unix://".length);
      const addresses = await otherClientAddresses(node);
      assert.ok(addresses.length > 0, `${node.id} has no connection to its Redis`);
      for (const address of addresses)
        assert.ok(address.startsWith(socketPath), `${node.id} reached Redis at ${address}`);
    }
  });
});

test.run();
