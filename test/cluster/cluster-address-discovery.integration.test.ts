/**
 * Servers that learn their own address from their peers, on a real
 * three-node cluster started without PUBLIC_HOST. All of 127.0.0.0/8 is
 * loopback, so a node restarted with OUTBOUND_ADDRESS=127.0.0.2 reaches its
 * peers from that address and they report it: to the cluster it has moved.
 *
 * Each change must reach the replicated state: the server's endpoint, the
 * `.conf` of every config on it, and one `endpointChanged` notification per
 * affected user in the outbox (which no API lists, so the test rebuilds the
 * state from the leader's Redis).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type Cluster, type HarnessNode, withCluster } from "../../scripts/lib/cluster-harness.ts";
import type { ServerView } from "../../scripts/lib/control-plane-client.ts";
import { replicatedStateAt } from "../../scripts/lib/replicated-state.ts";
import { parseConf } from "../support/parse-conf.ts";
import { apiOf, serversWhen, succeeded } from "./support/control-plane-api.ts";

/** A node asks its peers as soon as it has registered, so a restart shows within seconds. */
const CHANGE_BOUND_MS = 20_000;

/** One user per server, each with a config issued under an idempotency key. */
interface Holder {
  userId: string;
  idempotencyKey: string;
  serverId: string;
}

function endpointsOf(servers: readonly ServerView[]): Record<string, string | null> {
  return Object.fromEntries(servers.map((server) => [server.id, server.endpointHost]));
}

/** The `Endpoint` a holder's `.conf` names now: downloading it again renders it afresh. */
async function confEndpoint(cluster: Cluster, via: HarnessNode, holder: Holder): Promise<string> {
  const again = succeeded(
    await apiOf(cluster, via).rekeyConfig(await configIdOf(cluster, holder)),
    `download again for ${holder.userId}`,
  );
  return parseConf(again.conf ?? "").peers[0]?.Endpoint ?? "";
}

/** Pending `endpointChanged` notifications per user, from the state the leader persisted. */
async function endpointNotices(cluster: Cluster): Promise<Map<string, string[]>> {
  const leader = await cluster.leader();
  const commitIndex = (await leader.status()).commitIndex;
  const state = await replicatedStateAt(
    { redisUrl: leader.redis.url, nodeId: leader.id },
    commitIndex,
  );
  const notices = new Map<string, string[]>();
  for (const entry of state.pendingOutbox()) {
    if (entry.kind !== "endpointChanged") continue;
    const list = notices.get(entry.chatId) ?? [];
    list.push(`${entry.payload.serverId}:${entry.payload.configId}`);
    notices.set(entry.chatId, list);
  }
  return notices;
}

async function waitForEndpoints(
  cluster: Cluster,
  expected: Record<string, string>,
  description: string,
): Promise<ServerView[]> {
  const via = cluster.nodes.find((node) => node.running)!;
  const startedAt = Date.now();
  const servers = await serversWhen(
    apiOf(cluster, via),
    (servers) => Object.entries(expected).every(([id, host]) => endpointsOf(servers)[id] === host),
    CHANGE_BOUND_MS,
    description,
  );
  process.stdout.write(`  ${description}: ${Date.now() - startedAt} ms\n`);
  return servers;
}

test("nodes without PUBLIC_HOST learn their address from their peers, and a node that moves, or two at once, gets its configs and users updated", async () => {
  await withCluster({ size: 3 }, async (cluster) => {
    const [n1, n2, n3] = cluster.nodes as [HarnessNode, HarnessNode, HarnessNode];
    await cluster.leader();
    const servers = await waitForEndpoints(
      cluster,
      { n1: "127.0.0.1", n2: "127.0.0.1", n3: "127.0.0.1" },
      "every server learned 127.0.0.1",
    );
    const portOf = (serverId: string): number =>
      servers.find((server) => server.id === serverId)!.listenPort;

    // Placement fills the least loaded server first, so three users land on three servers.
    const holders = new Map<string, Holder>();
    for (const userId of ["4001", "4002", "4003"]) {
      const idempotencyKey = `discovery-${userId}`;
      const issued = succeeded(
        await apiOf(cluster, n1).issueConfig(userId, { idempotencyKey }),
        `issue for ${userId}`,
      );
      holders.set(issued.config.serverId, {
        userId,
        idempotencyKey,
        serverId: issued.config.serverId,
      });
    }
    assert.equal([...holders.keys()].sort(), ["n1", "n2", "n3"], "one config per server");
    const holderOf = (serverId: string): Holder => holders.get(serverId)!;
    assert.is(await confEndpoint(cluster, n2, holderOf("n3")), `127.0.0.1:${portOf("n3")}`);
    assert.equal(await endpointNotices(cluster), new Map(), "nobody notified yet");

    await n3.restart({ OUTBOUND_ADDRESS: "127.0.0.2" });
    await waitForEndpoints(
      cluster,
      { n1: "127.0.0.1", n2: "127.0.0.1", n3: "127.0.0.2" },
      "n3 moved to 127.0.0.2",
    );
    assert.is(await confEndpoint(cluster, n1, holderOf("n3")), `127.0.0.2:${portOf("n3")}`);
    assert.is(await confEndpoint(cluster, n3, holderOf("n1")), `127.0.0.1:${portOf("n1")}`);
    const afterOne = await endpointNotices(cluster);
    assert.equal(
      afterOne,
      new Map([[holderOf("n3").userId, [`n3:${await configIdOf(cluster, holderOf("n3"))}`]]]),
      "only n3's user is told, once",
    );

    // Both stop together, so for a moment the cluster has no majority; each learns its address once back.
    await Promise.all([
      n1.restart({ OUTBOUND_ADDRESS: "127.0.0.3" }),
      n2.restart({ OUTBOUND_ADDRESS: "127.0.0.4" }),
    ]);
    await waitForEndpoints(
      cluster,
      { n1: "127.0.0.3", n2: "127.0.0.4", n3: "127.0.0.2" },
      "n1 and n2 moved at once to 127.0.0.3 and 127.0.0.4",
    );
    for (const [serverId, host] of [
      ["n1", "127.0.0.3"],
      ["n2", "127.0.0.4"],
      ["n3", "127.0.0.2"],
    ] as const) {
      assert.is(
        await confEndpoint(cluster, n3, holderOf(serverId)),
        `${host}:${portOf(serverId)}`,
        `${serverId}'s config names its new address`,
      );
    }
    const afterThree = await endpointNotices(cluster);
    for (const serverId of ["n1", "n2", "n3"]) {
      const holder = holderOf(serverId);
      assert.equal(
        afterThree.get(holder.userId),
        [`${serverId}:${await configIdOf(cluster, holder)}`],
        `${holder.userId} on ${serverId} is told exactly once`,
      );
    }
  });
});

async function configIdOf(cluster: Cluster, holder: Holder): Promise<string> {
  const configs = succeeded(
    await apiOf(cluster, cluster.nodes.find((node) => node.running)!).configsOf(holder.userId),
    `configs of ${holder.userId}`,
  );
  assert.is(configs.length, 1);
  return configs[0]!.id;
}

test.run();
