import { test } from "uvu";
import * as assert from "uvu/assert";
import { generateKeyPair } from "../../shared/crypto/wireguard-keys.ts";
import { startInMemoryCluster } from "./support/in-memory-cluster.ts";

test("the leader sweeps expired configs on its own, with no Telegram bot anywhere", async () => {
  /** Moved past the config's expiry once it is issued. */
  const clock = { shiftMs: 0 };
  const cluster = await startInMemoryCluster(3, {
    assemble: () => ({ clock: () => Date.now() + clock.shiftMs, expirySweepIntervalMs: 20 }),
  });
  try {
    const leader = await cluster.leader();
    const { service } = leader.assembled;
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
    clock.shiftMs = config.expiresAt! + 1000 - Date.now();
    await cluster.waitFor(
      () => leader.state.config(config.id)?.revokeReason === "expired",
      5000,
      "the config to be expired by the leader's sweep",
    );
  } finally {
    await cluster.stop();
  }
});

test.run();
