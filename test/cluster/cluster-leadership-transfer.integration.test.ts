/**
 * `POST /v1/leadership/transfer` on a running cluster: leadership moves to
 * the node asked for, or to a caught-up follower, and writes go on.
 *
 * A transfer is best-effort in Raft: the leader abandons it when the target
 * has not won within one election timeout, and a loaded machine can stall a
 * node past its election timeout, so that some other node is elected between
 * two steps of a test. Each step therefore asks again, a bounded number of
 * times, when leadership is not where the previous answer said it would go.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type Cluster, type HarnessNode, withCluster } from "../../scripts/lib/cluster-harness.ts";

const ASKS = 3;
const WAIT_PER_ASK_MS = 5_000;

/** Whether every node agrees that `expected` leads, within `timeoutMs`. */
async function leads(cluster: Cluster, expected: string, timeoutMs: number): Promise<boolean> {
  return cluster
    .waitUntil(
      async () => (await cluster.leader({ timeoutMs })).id === expected,
      timeoutMs,
      `${expected} to lead`,
    )
    .then(
      () => true,
      () => false,
    );
}

/**
 * Asks `via` to hand leadership to `target` until every node agrees that
 * `target` leads; returns every answer, the first one first.
 */
async function transferTo(
  cluster: Cluster,
  via: HarnessNode,
  target: HarnessNode,
): Promise<Array<{ status: string }>> {
  const answers: Array<{ status: string }> = [];
  for (let ask = 1; ask <= ASKS; ask++) {
    const answer = await via.client.transferLeadership(target.id);
    assert.ok(answer.ok, JSON.stringify(answer));
    answers.push(answer.value);
    if (await leads(cluster, target.id, WAIT_PER_ASK_MS)) return answers;
  }
  const now = await cluster.leader().then(
    (leader) => leader.id,
    (error: Error) => error.message,
  );
  throw new Error(
    `${target.id} did not lead after ${ASKS} asks via ${via.id}; the leader is ${now}`,
  );
}

test("a transfer asked of the leader with no target hands leadership to a follower", async () => {
  await withCluster({ size: 3 }, async (cluster) => {
    await cluster.put("before", "1");
    let handedOverBy: HarnessNode | undefined;
    for (let ask = 1; ask <= ASKS && handedOverBy === undefined; ask++) {
      const leader = await cluster.leader();
      const answer = await leader.client.transferLeadership();
      assert.ok(answer.ok, JSON.stringify(answer));
      // "forwarded": an election between the two calls made `leader` a follower.
      if (answer.value.status === "accepted") handedOverBy = leader;
    }
    assert.ok(handedOverBy, `no leader accepted a transfer in ${ASKS} asks`);
    const previous = handedOverBy.id;
    await cluster.waitUntil(
      async () => (await cluster.leader({ timeoutMs: 5_000 })).id !== previous,
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
    const [viaLeader] = await transferTo(cluster, leader, first);
    assert.is(viaLeader?.status, "accepted");

    // `second` is a follower of `first` now; it passes the request on.
    const [viaFollower] = await transferTo(cluster, second, leader);
    assert.is(viaFollower?.status, "forwarded");
    await cluster.put("after-transfers", "ok");
    assert.is(await cluster.get("after-transfers", { via: first }), "ok");
  });
});

test.run();
