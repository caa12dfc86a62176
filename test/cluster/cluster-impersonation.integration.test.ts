/**
 * A seized or copied server cannot be another server, on a real three-node
 * cluster. Each impostor is a real node process started from a copy of a
 * member's environment, with or without a copy of its DATA_DIR, under its
 * own or another member's NODE_ID. The members refuse it by identity key,
 * count and log the refusal, and keep their real connections and their
 * writes. A member that lost its key comes back only once an admin
 * re-admits its new key; a revoked key never connects again.
 */
import { cp, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { encodeEnvelope } from "../../cluster/proposal-envelope.ts";
import type { Message } from "../../cluster/raft/types.ts";
import {
  type Cluster,
  type HarnessNode,
  startCluster,
  waitUntil,
} from "../../scripts/lib/cluster-harness.ts";
import { findFreePort } from "../../scripts/lib/free-port.ts";
import { type NodeProcess, spawnNode } from "../../scripts/lib/node-process.ts";
import { sampleSum } from "../../scripts/lib/prometheus-text.ts";
import { type RedisServerHandle, startRedisServer } from "../../scripts/lib/redis-server.ts";
import { lostWrites, startWriteLoad, type WriteLoad } from "../../scripts/lib/write-load.ts";
import { generateKeyPair } from "../../shared/crypto/wireguard-keys.ts";
import { apiOf, serversWhen, succeeded } from "./support/control-plane-api.ts";
import { identityOnDisk } from "./support/identity-on-disk.ts";
import { RawPeer } from "./transport/raw-peer.ts";

const REJECTED_HANDSHAKES = "nexaloak_transport_rejected_handshakes_total";

let cluster: Cluster;
let load: WriteLoad;
let impostorCount = 0;

async function rejected(node: HarnessNode, reason: string): Promise<number> {
  return sampleSum(await node.metrics(), REJECTED_HANDSHAKES, { reason }) ?? 0;
}

async function connected(node: HarnessNode, peer: string): Promise<number | undefined> {
  return sampleSum(await node.metrics(), "nexaloak_peer_connected", { peer });
}

function publicKeyIn(dataDir: string): string {
  return identityOnDisk(dataDir).publicKey;
}

/**
 * Runs a node process from a copy of `source`'s environment, as `nodeId`,
 * on its own port, with `dataDir` as DATA_DIR, and on its own Redis: a copy
 * of `source`'s Redis (its Raft log under its key prefix) when `copyRedis`,
 * else an empty one. Runs `check` while it lives and always stops it.
 */
async function withImpostor(
  source: HarnessNode,
  nodeId: string,
  dataDir: string,
  options: { copyRedis: boolean },
  check: (impostor: NodeProcess) => Promise<void>,
): Promise<void> {
  impostorCount += 1;
  const dir = join(cluster.dir, `impostor-${impostorCount}`);
  await mkdir(dir, { recursive: true });
  let redisDataDir: string | undefined;
  if (options.copyRedis) {
    redisDataDir = join(dir, "redis");
    await cp(source.redis.dataDir, redisDataDir, { recursive: true });
  }
  const redis: RedisServerHandle = await startRedisServer(
    redisDataDir ? { dataDir: redisDataDir } : {},
  );
  const impostor = spawnNode({
    env: {
      ...source.env,
      NODE_ID: nodeId,
      LISTEN: `127.0.0.1:${await findFreePort()}`,
      REDIS_URL: redis.url,
      // With a copied Redis, the copy's own Raft log: the key prefix the source used.
      ...(options.copyRedis ? { REDIS_PREFIX: `nexaloak:${source.id}:` } : {}),
      DATA_DIR: dataDir,
    },
    logFile: join(dir, "node.log"),
    cwd: dir,
  });
  try {
    await impostor.waitForListening(60_000);
    await check(impostor);
  } finally {
    await impostor.stop(10_000);
    await redis.cleanup();
  }
}

/** The members still talk to each other and keep committing writes. */
async function assertClusterUndisturbed(): Promise<void> {
  for (const node of cluster.nodes) {
    for (const peer of cluster.nodes) {
      if (peer !== node) assert.is(await connected(node, peer.id), 1, `${node.id} -> ${peer.id}`);
    }
  }
  await load.waitForMore(20, 20_000);
}

test.before(async () => {
  cluster = await startCluster({ size: 3 });
  await cluster.leader();
  await waitUntil(
    async () => {
      const keys = await cluster.nodes[0]!.probe.memberKeys();
      return keys.ok && keys.value.pinned.length === 3;
    },
    15_000,
    "every member's identity key to be pinned",
  );
  load = startWriteLoad(cluster, { concurrency: 2, keyPrefix: "impersonation" });
  await load.waitForMore(10, 20_000);
});

test.after(async () => {
  await load?.stop();
  await cluster?.stop();
});

test("the membership lists every member's own identity key, admitted on first contact", async () => {
  const keys = await cluster.nodes[0]!.client.memberKeys();
  assert.ok(keys.ok);
  if (!keys.ok) return;
  for (const node of cluster.nodes) {
    const pinned = keys.value.pinned.find((key) => key.nodeId === node.id);
    assert.is(pinned?.publicKey, publicKeyIn(node.dataDir), `${node.id}'s key`);
    assert.is(pinned?.admittedBy, "first-contact");
  }
});

test("a copy of n1's environment, DATA_DIR and Redis started as n2 is refused: n1's key is not n2's", async () => {
  const n1 = cluster.node("n1");
  const n3 = cluster.node("n3");
  const copiedDataDir = join(cluster.dir, "copy-of-n1-data");
  await cp(n1.dataDir, copiedDataDir, { recursive: true });
  const before = await rejected(n3, "KEY_OF_ANOTHER_MEMBER");
  await withImpostor(n1, "n2", copiedDataDir, { copyRedis: true }, async (impostor) => {
    const started = await impostor.waitForLogLine(
      (line) => line.msg === "raft node started",
      "the impostor's Raft node to start",
      30_000,
    );
    assert.ok(Number(started.term) > 0, "the impostor runs on the copy of n1's Raft log");
    // The impostor "n2" dials n3 (the lower id dials) and is refused every time.
    await waitUntil(
      async () => (await rejected(n3, "KEY_OF_ANOTHER_MEMBER")) >= before + 2,
      20_000,
      "n3 to refuse the impostor's dials",
    );
    assert.ok(
      n3.process.logLines.some(
        (line) =>
          line.reason === "KEY_OF_ANOTHER_MEMBER" && /handshake rejected/.test(String(line.msg)),
      ),
      "the refusal is logged with its reason",
    );
    assert.not.ok(
      impostor.logLines.some((line) => line.msg === "peer connected"),
      "the impostor never got a connection",
    );
    await assertClusterUndisturbed();
  });
});

test("a copy of n1's environment without its DATA_DIR, started as n1, is refused by every member", async () => {
  const n1 = cluster.node("n1");
  const before = await Promise.all(
    [cluster.node("n2"), cluster.node("n3")].map((node) => rejected(node, "KEY_MISMATCH")),
  );
  await withImpostor(
    n1,
    "n1",
    join(cluster.dir, "fresh-data"),
    { copyRedis: false },
    async (impostor) => {
      await waitUntil(
        async () => {
          const now = await Promise.all(
            [cluster.node("n2"), cluster.node("n3")].map((node) => rejected(node, "KEY_MISMATCH")),
          );
          return now.every((count, i) => count > before[i]!);
        },
        20_000,
        "n2 and n3 to refuse the impostor n1",
      );
      assert.not.ok(impostor.logLines.some((line) => line.msg === "peer connected"));
      await assertClusterUndisturbed();
    },
  );
});

test("a seized member's forged proposals are refused (a report about another server, a ban of it, a setting, an identity key); its own reports still count", async () => {
  const n3 = cluster.node("n3");
  // n3 leads: a seized n2 dials it (the lower id dials) and forwards proposals to it.
  const current = await cluster.leader();
  if (current.id !== "n3") {
    const moved = await current.client.transferLeadership("n3");
    assert.ok(moved.ok, JSON.stringify(moved));
    await waitUntil(async () => (await cluster.leader()).id === "n3", 10_000, "n3 to lead");
  }
  const api = apiOf(cluster, n3);
  const before = succeeded(await api.servers(), "servers before");
  const n1Before = before.find((server) => server.id === "n1")!;

  const seized = await RawPeer.connect(n3.url.replace(/^http:/, "ws:"));
  await seized.authenticate("n2", "n3", cluster.clusterSecret, {
    identity: identityOnDisk(cluster.node("n2").dataDir),
  });
  const forward = (requestId: string, command: object): Message => ({
    type: "prop",
    from: "n2",
    to: "n3",
    term: 0,
    entries: [
      {
        index: 0,
        term: 0,
        type: "normal",
        data: encodeEnvelope({ requestId, command: JSON.stringify(command) }),
      },
    ],
  });
  // Re-key n1's server to the attacker's WireGuard key and move it: n1's users would follow.
  seized.sendMessages([
    forward("forged", {
      type: "registerServer",
      serverId: "n1",
      publicKey: generateKeyPair().publicKey,
      listenPort: 51820,
      apiPort: n1Before.apiPort,
      endpointHost: "198.51.100.66",
      capacity: n1Before.capacity,
      region: n1Before.region,
      at: Date.now(),
    }),
    // Admin commands, which a node never forwards: ban n1 (its users would be moved), open the
    // door to more configs per user, revoke n1's identity key.
    forward("forged-ban", {
      type: "setServerStatus",
      serverId: "n1",
      status: "banned",
      reason: "forged by a seized member",
      actor: "1",
      at: Date.now(),
    }),
    forward("forged-setting", { type: "setSetting", key: "configsPerUser", value: "1000" }),
    forward("forged-revocation", {
      type: "revokeNodeKey",
      nodeId: "n1",
      actor: "admin-api",
      reason: "forged",
      at: Date.now(),
    }),
    // Then a report about its own server, which n2 may make: once it shows, the forgeries were applied before it.
    forward("own", {
      type: "setServerEndpoint",
      serverId: "n2",
      endpointHost: "198.51.100.77",
      at: Date.now(),
    }),
  ]);
  const after = await serversWhen(
    api,
    (servers) => servers.find((server) => server.id === "n2")?.endpointHost === "198.51.100.77",
    10_000,
    "n2's own endpoint report to be applied",
  );
  const n1After = after.find((server) => server.id === "n1")!;
  assert.is(n1After.publicKey, n1Before.publicKey, "n1's WireGuard key was replaced");
  assert.is(n1After.endpointHost, n1Before.endpointHost, "n1 was moved");
  assert.is(n1After.status, "active", "n1 was banned");
  const setting = await n3.client.getSetting("configsPerUser");
  assert.is(
    setting.ok ? setting.value.value : setting.error.code,
    "NOT_FOUND",
    "a setting changed",
  );
  const keys = succeeded(await n3.client.memberKeys(), "member keys");
  assert.equal(keys.revoked, [], "n1's identity key was revoked");
  assert.is(await connected(n3, "n1"), 1, "n1 was cut off");
  await seized.close();
  await waitUntil(
    async () => (await connected(n3, "n2")) === 1,
    10_000,
    "the real n2 to reconnect",
  );
});

test("a member that lost its key stays out until an admin re-admits the new one; the old key is revoked", async () => {
  const n3 = cluster.node("n3");
  const oldKey = publicKeyIn(n3.dataDir);
  await n3.kill("SIGKILL");
  const newDataDir = join(cluster.dir, "n3-new-disk");
  await n3.restart({ DATA_DIR: newDataDir });
  const newKey = publicKeyIn(newDataDir);
  assert.is.not(newKey, oldKey);
  const n1 = cluster.node("n1");
  await waitUntil(
    async () => (await rejected(n1, "KEY_MISMATCH")) > 0,
    20_000,
    "n1 to refuse n3's new key",
  );
  assert.is(await connected(n1, "n3"), 0, "n3 was admitted silently");

  const leader = await cluster.leader({ among: [n1, cluster.node("n2")] });
  const readmitted = await leader.client.replaceMemberKey("n3", newKey);
  assert.ok(readmitted.ok, JSON.stringify(readmitted));
  await waitUntil(
    async () =>
      (await connected(n1, "n3")) === 1 && (await connected(cluster.node("n2"), "n3")) === 1,
    20_000,
    "n3 to be connected again under its new key",
  );
  const keys = await n1.client.memberKeys();
  assert.ok(keys.ok && keys.value.revoked.some((key) => key.publicKey === oldKey));
  await n3.waitForReady(20_000);
});

test("a revoked member is cut off at once and can never reconnect", async () => {
  const n3 = cluster.node("n3");
  const revokedBefore = await rejected(cluster.node("n1"), "KEY_REVOKED");
  const revoked = await (await cluster.leader()).client.revokeMemberKey("n3");
  assert.ok(revoked.ok, JSON.stringify(revoked));
  await waitUntil(
    async () =>
      (await connected(cluster.node("n1"), "n3")) === 0 &&
      (await connected(cluster.node("n2"), "n3")) === 0,
    10_000,
    "n1 and n2 to drop n3",
  );
  await waitUntil(
    async () => (await rejected(cluster.node("n1"), "KEY_REVOKED")) > revokedBefore + 1,
    20_000,
    "n1's redials to n3 to be refused as KEY_REVOKED",
  );
  assert.is(await connected(cluster.node("n1"), "n3"), 0);
  assert.ok(n3.running, "n3 itself keeps running, alone");
});

test("no acknowledged write was lost while impostors knocked", async () => {
  await load.stop();
  const settings = await cluster.converged({
    timeoutMs: 20_000,
    among: [cluster.node("n1"), cluster.node("n2")],
  });
  assert.equal(lostWrites(load.acknowledged, settings), []);
});

test.run();
