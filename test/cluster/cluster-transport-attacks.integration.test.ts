/**
 * Hostile peers against a running node's /raft while the cluster serves
 * writes: the cluster secret without a member's identity key, a member's key
 * under another member's id, replayed handshakes, oversize frames, garbage,
 * a flood of unauthenticated sockets. Each attack must be refused, counted in
 * /metrics, and leave the node and the cluster serving.
 *
 * The target is n3, the highest id, which accepts the connections of n1 and
 * n2; the attackers claim to be one of them.
 */
import { randomBytes } from "node:crypto";
import { connect as tcpConnect } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { generateNodeIdentity, type NodeIdentity } from "../../cluster/identity/node-identity.ts";
import { createHello, encodeNonce, NONCE_BYTES } from "../../cluster/transport/handshake.ts";
import { generateEphemeralKeyPair } from "../../cluster/transport/session-cipher.ts";
import {
  type Cluster,
  type HarnessNode,
  startCluster,
  waitUntil,
} from "../../scripts/lib/cluster-harness.ts";
import { sampleSum } from "../../scripts/lib/prometheus-text.ts";
import { lostWrites, startWriteLoad, type WriteLoad } from "../../scripts/lib/write-load.ts";
import { identityOnDisk } from "./support/identity-on-disk.ts";
import { RawPeer } from "./transport/raw-peer.ts";
import { openUpgradedSocket } from "./transport/upgraded-socket.ts";

const REJECTED_HANDSHAKES = "nexaloak_transport_rejected_handshakes_total";
const REJECTED_FRAMES = "nexaloak_transport_rejected_frames_total";

let cluster: Cluster;
let target: HarnessNode;
let load: WriteLoad;

function wsUrl(node: HarnessNode): string {
  return node.url.replace(/^http:/, "ws:");
}

async function counter(name: string, reason: string): Promise<number> {
  return sampleSum(await target.metrics(), name, { reason }) ?? 0;
}

/** Runs `attack` and checks that `metric{reason}` on the target went up by at least `count`. */
async function expectCounted(
  metric: string,
  reason: string,
  count: number,
  attack: () => Promise<void>,
): Promise<void> {
  const before = await counter(metric, reason);
  await attack();
  await waitUntil(
    async () => (await counter(metric, reason)) >= before + count,
    5_000,
    `${metric}{reason="${reason}"} to go up by ${count}`,
  );
}

/** The target is alive and healthy, and the cluster keeps committing writes. */
async function assertStillServing(): Promise<void> {
  assert.ok(target.running, `${target.id} exited:\n${target.process.tail()}`);
  assert.ok((await target.probe.healthz()).ok, "/healthz stopped answering");
  await load.waitForMore(20, 20_000);
  await target.waitForReady(20_000);
}

async function peerConnected(peer: string): Promise<number | undefined> {
  return sampleSum(await target.metrics(), "nexaloak_peer_connected", { peer });
}

/** Says hello to the target as `claimedId` with `identity`; resolves with how it was closed. */
async function helloAs(claimedId: string, identity: NodeIdentity) {
  const peer = await RawPeer.connect(wsUrl(target));
  peer.sendJson(
    createHello(
      { selfId: claimedId, identity },
      target.id,
      encodeNonce(randomBytes(NONCE_BYTES)),
      generateEphemeralKeyPair(),
    ),
  );
  const closed = await peer.closed();
  return { closed, frames: peer.frames };
}

test.before(async () => {
  cluster = await startCluster({ size: 3 });
  target = cluster.node("n3");
  await cluster.leader();
  await waitUntil(
    async () => {
      const keys = await cluster.nodes[0]!.probe.memberKeys();
      return keys.ok && keys.value.pinned.length === 3;
    },
    15_000,
    "the leader to pin every member's identity key",
  );
  await waitUntil(
    async () => (await peerConnected("n1")) === 1 && (await peerConnected("n2")) === 1,
    10_000,
    "n3 to be connected to n1 and n2",
  );
  load = startWriteLoad(cluster, { concurrency: 4, keyPrefix: "under-attack" });
  await load.waitForMore(20, 20_000);
});

/** A test against the shared cluster; on failure it prints the nodes' last output. */
function clusterTest(name: string, body: () => Promise<void>): void {
  test(name, async () => {
    try {
      await body();
    } catch (error) {
      process.stderr.write(`\n${cluster.logTails()}\n`);
      throw error;
    }
  });
}

test.after(async () => {
  await load?.stop();
  await cluster?.stop();
});

clusterTest(
  "the cluster secret and a member's id without its DATA_DIR are refused as KEY_MISMATCH, and the real member stays connected",
  async () => {
    await expectCounted(REJECTED_HANDSHAKES, "KEY_MISMATCH", 1, async () => {
      const { closed, frames } = await helloAs("n1", generateNodeIdentity());
      assert.equal(closed, { code: 4001, reason: "KEY_MISMATCH" });
      assert.equal(frames, [], "no challenge: nothing to learn from the target");
    });
    assert.is(await peerConnected("n1"), 1, "the real n1 was disconnected by the impostor");
    await assertStillServing();
  },
);

clusterTest(
  "a seized member's key cannot pass as another member: KEY_OF_ANOTHER_MEMBER",
  async () => {
    await expectCounted(REJECTED_HANDSHAKES, "KEY_OF_ANOTHER_MEMBER", 1, async () => {
      const { closed } = await helloAs("n1", identityOnDisk(cluster.node("n2").dataDir));
      assert.equal(closed, { code: 4001, reason: "KEY_OF_ANOTHER_MEMBER" });
    });
    assert.is(await peerConnected("n1"), 1);
    await assertStillServing();
  },
);

clusterTest(
  "a hello and auth recorded from a member's session and replayed are refused as BAD_SIGNATURE",
  async () => {
    // The recording holds n2's real key, as an on-path recorder sees n2's own
    // frames; it takes n2's place for a moment, and n2 redials once it closes.
    const recorder = await RawPeer.connect(wsUrl(target));
    const recorded = await recorder.authenticate("n2", "n3", cluster.clusterSecret, {
      identity: identityOnDisk(cluster.node("n2").dataDir),
    });
    await recorder.close();

    await expectCounted(REJECTED_HANDSHAKES, "BAD_SIGNATURE", 1, async () => {
      const replayer = await RawPeer.connect(wsUrl(target));
      replayer.sendJson(recorded.hello);
      const challenge = await replayer.frame(1);
      assert.is(challenge.type, "challenge", "a replayed hello still gets a fresh challenge");
      replayer.sendJson(recorded.auth);
      assert.equal(await replayer.closed(), { code: 4001, reason: "BAD_SIGNATURE" });
    });
    await waitUntil(async () => (await peerConnected("n2")) === 1, 10_000, "n2 to reconnect");
    await assertStillServing();
  },
);

clusterTest(
  "oversize frames are refused as TOO_LARGE: a 2 KB frame before authentication and a 9 MiB frame",
  async () => {
    await expectCounted(REJECTED_FRAMES, "TOO_LARGE", 2, async () => {
      const bloated = await RawPeer.connect(wsUrl(target));
      bloated.sendText(JSON.stringify({ v: 2, type: "hello", padding: "x".repeat(2048) }));
      assert.equal(await bloated.closed(), { code: 4003, reason: "TOO_LARGE" });

      const huge = await RawPeer.connect(wsUrl(target));
      huge.sendText("x".repeat(9 * 1024 * 1024));
      await huge.closed(10_000);
    });
    await assertStillServing();
  },
);

clusterTest(
  "garbage is refused and counted: non-JSON text, a binary frame, and bytes that are not WebSocket frames",
  async () => {
    await expectCounted(REJECTED_FRAMES, "BAD_JSON", 1, async () => {
      const peer = await RawPeer.connect(wsUrl(target));
      peer.sendText("\u0000definitely not json{{{");
      assert.equal(await peer.closed(), { code: 4003, reason: "BAD_JSON" });
    });
    await expectCounted(REJECTED_FRAMES, "BINARY_FRAME", 1, async () => {
      const peer = await RawPeer.connect(wsUrl(target));
      peer.sendBinary(randomBytes(256));
      assert.equal(await peer.closed(), { code: 4003, reason: "BINARY_FRAME" });
    });
    await expectCounted(REJECTED_FRAMES, "PROTOCOL_ERROR", 1, async () => {
      const socket = await openUpgradedSocket(target.port);
      let closed = false;
      socket.on("close", () => {
        closed = true;
      });
      socket.on("error", () => undefined);
      socket.resume();
      socket.write(Buffer.alloc(64, 0xff));
      await waitUntil(() => closed, 5_000, "the garbage socket to be closed");
    });

    // Not even HTTP: the server answers 400 and closes; the transport never sees it.
    const answer = await new Promise<string>((resolve) => {
      const socket = tcpConnect({ host: "127.0.0.1", port: target.port });
      let text = "";
      socket.on("data", (chunk: Buffer) => {
        text += chunk.toString("latin1");
      });
      socket.on("error", () => resolve(text));
      socket.on("close", () => resolve(text));
      socket.once("connect", () => socket.write(randomBytes(512)));
    });
    assert.match(answer, /^HTTP\/1\.1 400/);
    await assertStillServing();
  },
);

clusterTest(
  "a flood of unauthenticated sockets is capped and refused as TOO_MANY_HANDSHAKES while the members stay connected",
  async () => {
    const squatters: RawPeer[] = [];
    let refused = 0;
    try {
      await expectCounted(REJECTED_HANDSHAKES, "TOO_MANY_HANDSHAKES", 1, async () => {
        for (let i = 0; i < 24; i++) {
          const attempt = await RawPeer.connect(wsUrl(target)).then(
            (peer) => peer,
            () => undefined,
          );
          if (attempt) squatters.push(attempt);
          else refused += 1;
        }
      });
      assert.ok(refused > 0, "every unauthenticated socket was accepted");
      assert.is(await peerConnected("n1"), 1);
      assert.is(await peerConnected("n2"), 1);
      await load.waitForMore(20, 20_000);
    } finally {
      await Promise.all(squatters.map((squatter) => squatter.close()));
    }
    await assertStillServing();
  },
);

clusterTest(
  "40 silent sockets kept open from another address do not keep a restarted member out",
  async () => {
    const squatters = new Set<RawPeer>();
    let squatting = true;
    // Re-open what the node cuts off, for as long as the member's restart takes.
    const squat = (async () => {
      for (let round = 0; squatting && round < 200; round++) {
        const missing = 40 - squatters.size;
        const opened = await Promise.all(
          Array.from({ length: missing }, () =>
            RawPeer.connect(wsUrl(target), "127.0.0.2").then(
              (peer) => peer,
              () => undefined,
            ),
          ),
        );
        for (const peer of opened) {
          if (!peer) continue;
          squatters.add(peer);
          peer.socket.once("close", () => squatters.delete(peer));
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    try {
      const member = cluster.node("n1");
      const startedAt = Date.now();
      await member.kill("SIGKILL");
      await member.restart();
      await member.waitForReady(10_000);
      await waitUntil(async () => (await peerConnected("n1")) === 1, 10_000, "n3 to accept n1");
      process.stdout.write(`  n1 back in ${Date.now() - startedAt} ms under squatting\n`);
      assert.ok(squatters.size <= 4, `${squatters.size} sockets from one address were held`);
    } finally {
      squatting = false;
      await squat;
      await Promise.all([...squatters].map((squatter) => squatter.close()));
    }
    await assertStillServing();
  },
);

clusterTest(
  "after every attack all nodes converge and no acknowledged write was lost",
  async () => {
    await load.stop();
    const settings = await cluster.converged({ timeoutMs: 20_000 });
    assert.equal(lostWrites(load.acknowledged, settings), []);
    assert.ok(load.acknowledged.size >= 100, "the writers made progress throughout");
  },
);

test.run();
