/**
 * Three real node processes, each with its own durable redis-server: a leader
 * is elected, writes through every node commit, and every node then serves
 * the same state.
 */
import { randomBytes } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { withCluster } from "../../scripts/lib/cluster-harness.ts";

const PROPOSALS = 1000;
const CONCURRENCY = 32;

test("a leader is elected and every node names it", async () => {
  await withCluster({ size: 3 }, async (cluster) => {
    const leader = await cluster.leader({ timeoutMs: 15_000 });
    const statuses = await Promise.all(cluster.nodes.map((node) => node.status()));
    for (const status of statuses) {
      assert.is(status.leaderId, leader.id, `${status.id} names another leader`);
      assert.is(status.members.length, 3);
    }
    assert.is(statuses.filter((status) => status.role === "leader").length, 1);
    const leaderStatus = await leader.status();
    assert.ok(
      leaderStatus.members.every((member) => member.voter && member.matchIndex !== null),
      "the leader knows every member's match index",
    );
  });
});

test("1000 writes from 32 concurrent writers through every node commit, each at its own index, and every node then reads the same settings", async () => {
  await withCluster({ size: 3 }, async (cluster) => {
    await cluster.leader();
    const expected = new Map<string, string>();
    for (let i = 0; i < PROPOSALS; i++) {
      expected.set(`setting-${i}`, randomBytes(16).toString("hex"));
    }
    const queue = [...expected.entries()];
    const indexes: number[] = [];
    const viaCount = new Map<string, number>();
    let turn = 0;
    const startedAt = Date.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
          const via = cluster.nodes[turn++ % cluster.nodes.length]!;
          const [key, value] = next;
          const written = await cluster.put(key, value, { via, timeoutMs: 30_000 });
          indexes.push(written.index);
          viaCount.set(via.id, (viaCount.get(via.id) ?? 0) + 1);
        }
      }),
    );
    const elapsedMs = Date.now() - startedAt;
    assert.is(indexes.length, PROPOSALS);
    assert.is(new Set(indexes).size, PROPOSALS, "two acknowledged writes share a log index");
    for (const node of cluster.nodes) {
      assert.ok((viaCount.get(node.id) ?? 0) > 0, `no write went through ${node.id}`);
    }

    const settings = await cluster.converged({ timeoutMs: 20_000 });
    // Only the keys this test wrote: the cluster keeps settings of its own (e.g. the address pool).
    const written = Object.keys(settings).filter((key) => expected.has(key));
    assert.is(written.length, PROPOSALS);
    for (const [key, value] of expected) assert.is(settings[key], value, key);
    for (const node of cluster.nodes) {
      const own = await node.client.listSettings();
      assert.ok(own.ok, `${node.id} did not list its settings`);
      assert.equal(own.value, settings, `${node.id} reads different settings`);
    }
    const statuses = await Promise.all(cluster.nodes.map((node) => node.status()));
    const applied = new Set(statuses.map((status) => status.appliedIndex));
    assert.is(applied.size, 1, "every node applied up to the same index");
    assert.ok(statuses[0]!.appliedIndex >= Math.max(...indexes));
    process.stdout.write(`  ${PROPOSALS} writes in ${elapsedMs} ms\n`);
  });
});

test("a read through any node sees a write acknowledged by another", async () => {
  await withCluster({ size: 3 }, async (cluster) => {
    await cluster.leader();
    for (const [i, writer] of cluster.nodes.entries()) {
      await cluster.put("last-writer", writer.id, { via: writer });
      for (const reader of cluster.nodes) {
        assert.is(
          await cluster.get("last-writer", { via: reader }),
          writer.id,
          `write ${i} via ${writer.id}, read via ${reader.id}`,
        );
      }
    }
  });
});

test.run();
