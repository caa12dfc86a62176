import { test } from "uvu";
import * as assert from "uvu/assert";
import { periodStartAt } from "../../cluster/fsm/traffic-period.ts";
import { generateKeyPair } from "../../shared/crypto/wireguard-keys.ts";
import { sleep } from "../../shared/sleep.ts";
import { startInMemoryCluster } from "./support/in-memory-cluster.ts";

const GB = 1_000_000_000;

test("the leader starts the first period at once and the next on the reset day: counts start again and suspensions end; a new leader starts none twice", async () => {
  const clock = { shiftMs: 0 };
  const cluster = await startInMemoryCluster(3, {
    assemble: () => ({ clock: () => Date.now() + clock.shiftMs, trafficPeriodIntervalMs: 20 }),
  });
  try {
    const leader = await cluster.leader();
    const { service } = leader.assembled;
    const firstStart = periodStartAt(service.now(), 1);
    await cluster.waitFor(
      () => leader.state.trafficPeriodStart() === firstStart,
      5000,
      "the first period",
    );
    await service.run({
      type: "registerServer",
      serverId: leader.id,
      publicKey: generateKeyPair().publicKey,
      listenPort: 51820,
      apiPort: 7001,
      endpointHost: "127.0.0.1",
      capacity: 10,
      region: "default",
      at: service.now(),
    });
    await service.ensureUser("42");
    await service.run({
      type: "setUserQuota",
      userId: "42",
      quotaGb: 1,
      actor: { kind: "api" },
      at: service.now(),
    });
    const { config } = await service.issueConfig({ userId: "42" });
    await service.run({
      type: "reportTraffic",
      serverId: leader.id,
      counters: [{ configId: config.id, peer: config.clientPublicKey, rxBytes: GB, txBytes: 0 }],
      at: service.now(),
    });
    assert.ok(leader.state.trafficUsage("42", service.now()).suspended);

    const nextStart = leader.state.trafficUsage("42", service.now()).resetsAt;
    clock.shiftMs = nextStart + 1000 - Date.now();
    for (const member of cluster.members.values())
      await cluster.waitFor(
        () => member.state.trafficPeriodStart() === nextStart,
        5000,
        `the next period on ${member.id}`,
      );
    const usage = leader.state.trafficUsage("42", service.now());
    assert.equal([usage.usedBytes, usage.suspended, usage.quotaGb], [0, false, 1]);

    // Counted in the new period, then another leader takes over within it: nothing resets twice.
    await service.run({
      type: "reportTraffic",
      serverId: leader.id,
      counters: [
        { configId: config.id, peer: config.clientPublicKey, rxBytes: GB + 300, txBytes: 0 },
      ],
      at: service.now(),
    });
    leader.node.transferLeadership();
    const next = await cluster.waitFor(
      () =>
        [...cluster.members.values()].find(
          (member) => member.node.isLeader() && member.id !== leader.id,
        ),
      5000,
      "a new leader",
    );
    await sleep(300);
    await next.assembled.service.read();
    assert.is(next.state.trafficPeriodStart(), nextStart);
    assert.is(next.state.trafficUsage("42", service.now()).usedBytes, 300);
  } finally {
    await cluster.stop();
  }
});

test.run();
