import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  activeHandshakeWindowMs,
  aggregateLoad,
  sameLoad,
} from "../../../cluster/agent/server-load.ts";
import type { PeerStatus } from "../../../cluster/agent/vpn-driver.ts";

const nowMs = 1_700_000_000_000;

function peer(latestHandshakeAtMs: number | null, receivedBytes = 0, sentBytes = 0): PeerStatus {
  return {
    publicKey: `key-${Math.random()}`,
    presharedKey: null,
    endpoint: null,
    allowedIps: [],
    latestHandshakeAtMs,
    receivedBytes,
    sentBytes,
    persistentKeepaliveSeconds: null,
  };
}

test("a peer is active when its last handshake is at most 3 minutes old", () => {
  assert.is(activeHandshakeWindowMs, 180_000);
  const peers = [
    peer(nowMs - 1_000),
    peer(nowMs - activeHandshakeWindowMs),
    peer(nowMs - activeHandshakeWindowMs - 1),
    peer(null),
  ];
  assert.is(aggregateLoad(peers, nowMs).activePeers, 2);
});

test("load counts every configured peer and sums the traffic", () => {
  const peers = [peer(nowMs, 100, 1_000), peer(null, 0, 0), peer(nowMs - 600_000, 5, 7)];
  assert.equal(aggregateLoad(peers, nowMs), {
    configuredPeers: 3,
    activePeers: 1,
    receivedBytes: 105,
    sentBytes: 1_007,
  });
});

test("an empty interface has zero load", () => {
  assert.equal(aggregateLoad([], nowMs), {
    configuredPeers: 0,
    activePeers: 0,
    receivedBytes: 0,
    sentBytes: 0,
  });
});

test("sameLoad compares every field", () => {
  const load = { configuredPeers: 3, activePeers: 1, receivedBytes: 105, sentBytes: 1_007 };
  assert.ok(sameLoad(load, { ...load }));
  for (const field of ["configuredPeers", "activePeers", "receivedBytes", "sentBytes"] as const) {
    assert.not.ok(sameLoad(load, { ...load, [field]: load[field] + 1 }), field);
  }
});

test.run();
