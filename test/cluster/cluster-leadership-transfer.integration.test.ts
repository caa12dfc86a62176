/**
 * `POST /v1/leadership/transfer` on a running cluster: leadership moves to
 * the node asked for, or to a caught-up follower, and writes go on.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type Cluster, type HarnessNode, withCluster } from "../../scripts/lib/cluster-harness.ts";

/** Waits until every node agrees that `expected` leads. */
async function leaderBecomes(cluster: Cluster, expected: string): Promise<HarnessNode> {
  let current = "";
  await cluster
    .waitUntil(
      async () => {
        current = (await cluster.leader({ timeoutMs: 5_000 })).id;
        return current === expected;
      },
      10_000,
      `${expected} to lead`,
    )
    .catch((error: Error) => {
      throw new Error(`${error.message}; the leader is ${current}`);
    });
  return cluster.node(expected);
}

test("a transfer asked of the leader with no target hands leadership to a follower", async () => {
  await withCluster({ size: 3 }, async (cluster) => {
    const leader = await cluster.leader();
    await cluster.put("before", "1");
    const answer = await leader.client.transferLeadership();
    assert.ok(answer.ok, JSON.stringify(answer));
    assert.is(answer.value.status, "accepted");
    await cluster.waitUntil(
      async () => (await cluster.leader({ timeoutMs: 5_000 })).id !== leader.id,
      10_000,
      "another node to lead",
    );
    await cluster.put("after", "2");
    // Only the keys this test wrote: the cluster keeps settings of its own (e.g. the address pool).
    const { before, after } = await cluster.converged();
    assert.equal({ before, after }, { before: "1", after: "2" });
  });
});

test("a transfer to a named node works through the leader and through a follower", async () => {
  await withCluster({ size: 3 }, async (cluster) => {
    const leader = await cluster.leader();
    const [first, second] = cluster.nodes.filter((node) => node !== leader) as [
      HarnessNode,
      HarnessNode,
    ];
    const viaLeader = await leader.client.transferLeadership(first.id);
    assert.ok(viaLeader.ok, JSON.stringify(viaLeader));
    await leaderBecomes(cluster, first.id);

    // `second` is a follower of `first` now; it passes the request on.
    const viaFollower = await second.client.transferLeadership(leader.id);
    assert.ok(viaFollower.ok, JSON.stringify(viaFollower));
    await leaderBecomes(cluster, leader.id);
    await cluster.put("after-transfers", "ok");
    assert.is(await cluster.get("after-transfers", { via: first }), "ok");
  });
});

test.run();
