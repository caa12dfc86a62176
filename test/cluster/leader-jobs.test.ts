import { test } from "uvu";
import * as assert from "uvu/assert";
import { ControlPlaneService } from "../../cluster/control-plane-service.ts";
import { runLeaderJobs } from "../../cluster/leader-jobs.ts";
import { SecretBox, secretBoxPurposes } from "../../shared/crypto/secret-box.ts";
import { generateKeyPair } from "../../shared/crypto/wireguard-keys.ts";
import { silentLogger } from "../../shared/silent-logger.ts";
import { startInMemoryCluster } from "./support/in-memory-cluster.ts";

const configKeys = new SecretBox(
  "leader-jobs-cluster-secret-0123456789abcdef",
  secretBoxPurposes.configKeys,
);
const probeTokens = new SecretBox(
  "leader-jobs-cluster-secret-0123456789abcdef",
  secretBoxPurposes.probeTokens,
);

test("the leader sweeps expired configs on its own, with no Telegram bot anywhere", async () => {
  const cluster = await startInMemoryCluster(3);
  const stops: Array<() => void> = [];
  try {
    const leader = await cluster.leader();
    const service = new ControlPlaneService({
      node: leader.node,
      state: leader.state,
      configKeys,
      probeTokens,
    });
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
    const { config } = await service.issueConfig({ userId: "42" });
    assert.ok(config.expiresAt !== null, "configs expire by default");
    // Every member runs the jobs; only the leader's sweep acts. Their clock is past the expiry.
    for (const member of cluster.members.values()) {
      const later = new ControlPlaneService({
        node: member.node,
        state: member.state,
        configKeys,
        probeTokens,
        clock: () => config.expiresAt! + 1000,
      });
      stops.push(
        runLeaderJobs({
          node: member.node,
          service: later,
          expirySweepIntervalMs: 20,
          logger: silentLogger,
        }),
      );
    }
    // The jobs start on the next leadership change: hand leadership over once.
    const target = [...cluster.members.keys()].find((id) => id !== leader.id)!;
    leader.node.transferLeadership(target);
    await cluster.waitFor(
      () => leader.state.config(config.id)?.revokeReason === "expired",
      5000,
      "the config to be expired by the leader's sweep",
    );
  } finally {
    for (const stop of stops) stop();
    await cluster.stop();
  }
});

test.run();
