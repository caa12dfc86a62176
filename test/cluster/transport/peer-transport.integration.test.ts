import { createServer, get } from "node:http";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { WebSocket } from "ws";
import { CloseCode } from "../../../cluster/transport/connection.ts";
import type { PeerTransportOptions } from "../../../cluster/transport/peer-transport.ts";
import { FrameOpener, FrameSealer } from "../../../cluster/transport/session-cipher.ts";
import {
  CLUSTER_SECRET,
  createNode,
  heartbeat,
  listen,
  sleep,
  startCluster,
  stopAll,
  type TestNode,
  waitFor,
  waitForMesh,
  withMesh,
} from "./fixtures.ts";
import { RawPeer } from "./raw-peer.ts";

test("two nodes exchange messages both ways over the one socket the lower id dials", async () => {
  await withMesh(["n1", "n2"], async (nodes) => {
    const [n1, n2] = nodes as [TestNode, TestNode];
    n1.transport.send([heartbeat("n1", "n2", 1)]);
    n2.transport.send([heartbeat("n2", "n1", 2)]);
    await waitFor(() => n2.messagesFrom("n1").length === 1, "n2 hears n1");
    await waitFor(() => n1.messagesFrom("n2").length === 1, "n1 hears n2");
    assert.equal(n2.messagesFrom("n1"), [heartbeat("n1", "n2", 1)]);
    assert.equal(n1.messagesFrom("n2"), [heartbeat("n2", "n1", 2)]);
    assert.is(n1.raftUpgrades, 0, "n1 never accepts: it dials");
    assert.is(n2.raftUpgrades, 1, "n2 accepted exactly one socket");
    const [stateOfN2] = n1.transport.peerStates();
    assert.is(stateOfN2?.id, "n2");
    assert.is(stateOfN2?.connected, true);
    assert.match(stateOfN2?.remoteAddress ?? "", /^127\.0\.0\.1:\d+$/);
    assert.equal(n1.events.connected, ["n2"]);
    assert.equal(n2.events.connected, ["n1"]);
  });
});

test("a closed connection erases its session keys on both ends", async () => {
  const erased: string[] = [];
  const sealerErase = FrameSealer.prototype.erase;
  const openerErase = FrameOpener.prototype.erase;
  FrameSealer.prototype.erase = function (this: FrameSealer) {
    erased.push("sealer");
    sealerErase.call(this);
  };
  FrameOpener.prototype.erase = function (this: FrameOpener) {
    erased.push("opener");
    openerErase.call(this);
  };
  try {
    await withMesh(["n1", "n2"], async (nodes) => {
      const [n1, n2] = nodes as [TestNode, TestNode];
      n1.transport.send([heartbeat("n1", "n2", 1)]);
      await waitFor(() => n2.messagesFrom("n1").length === 1, "n2 hears n1");
      assert.equal(erased, [], "an open session keeps its keys");
      await n1.transport.close();
      await waitFor(() => erased.length === 4, "both ends erase both directions' keys");
      assert.equal([...erased].sort(), ["opener", "opener", "sealer", "sealer"]);
    });
  } finally {
    FrameSealer.prototype.erase = sealerErase;
    FrameOpener.prototype.erase = openerErase;
  }
});

test("three nodes keep one socket per pair and every pair talks both ways", async () => {
  const ids = ["n1", "n2", "n3"];
  const nodes = await startCluster(ids);
  try {
    await waitForMesh(nodes);
    for (const node of nodes) {
      node.transport.send(ids.filter((id) => id !== node.id).map((id) => heartbeat(node.id, id)));
    }
    await waitFor(
      () => nodes.every((node) => node.received.flatMap((batch) => batch.messages).length === 2),
      "every node hears both others",
    );
    for (const node of nodes) {
      const senders = node.received.map((batch) => batch.from).sort();
      assert.equal(
        senders,
        ids.filter((id) => id !== node.id),
        `${node.id} heard from each peer`,
      );
    }
    assert.equal(
      nodes.map((node) => node.raftUpgrades),
      [0, 1, 2],
      "n1 dials n2 and n3, n2 dials n3",
    );
  } finally {
    await stopAll(nodes);
  }
});

test("messages sent during one event-loop turn reach the peer as one frame, in order", async () => {
  await withMesh(["n1", "n2"], async (nodes) => {
    const [n1, n2] = nodes as [TestNode, TestNode];
    for (let call = 0; call < 5; call += 1) {
      n1.transport.send(Array.from({ length: 10 }, (_, i) => heartbeat("n1", "n2", call * 10 + i)));
    }
    await waitFor(() => n2.messagesFrom("n1").length === 50, "all 50 messages arrive");
    assert.is(n2.received.length, 1, "one frame carried the whole turn's messages");
    assert.equal(
      n2.messagesFrom("n1").map((message) => message.index),
      Array.from({ length: 50 }, (_, i) => i),
    );
  });
});

test("a batch bigger than the frame limit is split into frames the peer accepts", async () => {
  await withMesh(["n1", "n2"], { maxFrameBytes: 4096 }, async (nodes) => {
    const [n1, n2] = nodes as [TestNode, TestNode];
    const padding = "p".repeat(1000);
    n1.transport.send(Array.from({ length: 20 }, (_, i) => heartbeat("n1", "n2", i, padding)));
    await waitFor(() => n2.messagesFrom("n1").length === 20, "all 20 messages arrive");
    assert.ok(n2.received.length >= 5 && n2.received.length < 20, `${n2.received.length} frames`);
    assert.equal(
      n2.messagesFrom("n1").map((message) => message.index),
      Array.from({ length: 20 }, (_, i) => i),
    );
    assert.equal(n2.events.frameRejected, []);
  });
});

test("a message too large for any frame is dropped and counted while the others go", async () => {
  await withMesh(["n1", "n2"], { maxFrameBytes: 4096 }, async (nodes) => {
    const [n1, n2] = nodes as [TestNode, TestNode];
    n1.transport.send([
      heartbeat("n1", "n2", 1),
      heartbeat("n1", "n2", 2, "x".repeat(5000)),
      heartbeat("n1", "n2", 3),
    ]);
    await waitFor(() => n2.messagesFrom("n1").length === 2, "the two small messages arrive");
    assert.equal(
      n2.messagesFrom("n1").map((message) => message.index),
      [1, 3],
    );
    assert.is(n1.droppedFor("n2"), 1);
    assert.ok(n1.logs.some((line) => line.level === 50 && /frame limit/.test(line.msg)));
  });
});

test("messages for a peer with no connection are dropped at once and counted", async () => {
  const server = createServer();
  const port = await listen(server);
  // n2 is a member but nothing listens at its address.
  const n1 = createNode(
    "n1",
    server,
    port,
    new Map([
      ["n1", `ws://127.0.0.1:${port}`],
      ["n2", "ws://127.0.0.1:1"],
    ]),
  );
  try {
    n1.transport.send([heartbeat("n1", "n2"), heartbeat("n1", "n2"), heartbeat("n1", "n9")]);
    assert.equal(n1.events.dropped, [
      { peer: "n2", count: 2 },
      { peer: "n9", count: 1 },
    ]);
    assert.is(n1.transport.peerStates()[0]?.bufferedBytes, 0);
  } finally {
    await n1.stop();
  }
});

test("sending a message that is not from this node is a bug and throws", async () => {
  const nodes = await startCluster(["n1", "n2"]);
  const [n1] = nodes as [TestNode, TestNode];
  try {
    assert.throws(
      () => n1.transport.send([heartbeat("n3", "n2")]),
      /cannot send a message from n3/,
    );
  } finally {
    await stopAll(nodes);
  }
});

/** Starts `stopped` again on its old port, knowing `peer`; `overrides` as for createNode. */
async function restartOnSamePort(
  stopped: TestNode,
  peer: TestNode,
  overrides: Partial<PeerTransportOptions> = {},
): Promise<TestNode> {
  const server = createServer();
  await listen(server, stopped.port);
  const peers = new Map([
    [peer.id, peer.url],
    [stopped.id, stopped.url],
  ]);
  return createNode(stopped.id, server, stopped.port, peers, overrides);
}

test("the dialer reconnects after the peer's server goes away and comes back", async () => {
  const nodes = await startCluster(["n1", "n2"]);
  const [n1, n2] = nodes as [TestNode, TestNode];
  let revived: TestNode | undefined;
  try {
    await waitForMesh(nodes);
    await n2.stop();
    await waitFor(() => !n1.isConnectedTo("n2"), "n1 notices n2 is gone");
    assert.equal(n1.events.disconnected, ["n2"]);
    // Let a few dials fail so the back-off path runs.
    await sleep(100);
    // The same node comes back: the same identity key, from its DATA_DIR.
    revived = await restartOnSamePort(n2, n1, { identity: n2.identity });
    await waitFor(() => n1.isConnectedTo("n2"), "n1 reconnects to n2");
    n1.transport.send([heartbeat("n1", "n2", 7)]);
    await waitFor(() => revived?.messagesFrom("n1").length === 1, "the new n2 hears n1");
    assert.equal(n1.events.connected, ["n2", "n2"]);
    assert.ok(
      // Within its first seconds a node logs it at debug level (peers may be starting too).
      n1.logs.some((line) => /^no connection to peer/.test(String(line.msg))),
      "the outage is logged",
    );
  } finally {
    await stopAll(revived === undefined ? [n1] : [n1, revived]);
  }
});

test("a peer that comes back with another identity key is refused until an admin re-admits it", async () => {
  const nodes = await startCluster(["n1", "n2"]);
  const [n1, n2] = nodes as [TestNode, TestNode];
  let revived: TestNode | undefined;
  try {
    await waitForMesh(nodes);
    await n2.stop();
    // n2 lost its DATA_DIR: a fresh key under the same id and the same secret.
    revived = await restartOnSamePort(n2, n1);
    await waitFor(
      () => n1.events.handshakeRejected.includes("KEY_MISMATCH"),
      "n1 refuses n2's new key",
    );
    assert.not.ok(n1.isConnectedTo("n2"));
    // The re-admission commits the new key; n1's key book follows the committed state.
    n1.pins.set("n2", revived.identity.publicKey);
    await waitFor(() => n1.isConnectedTo("n2"), "n1 accepts the re-admitted n2");
  } finally {
    await stopAll(revived === undefined ? [n1] : [n1, revived]);
  }
});

test("a newer authenticated connection from the same peer replaces the older one", async () => {
  await withMesh(["n1", "n2"], async (nodes) => {
    const [n1, n2] = nodes as [TestNode, TestNode];
    // A second socket claiming n1, as after a reconnect racing the old socket's close.
    const duplicate = await RawPeer.connect(n2.url);
    await duplicate.authenticate("n1", "n2", CLUSTER_SECRET, { identity: n1.identity });
    // n2 keeps the newest, which closes n1's socket; n1 redials and in turn replaces the duplicate.
    const { code, reason } = await duplicate.closed();
    assert.is(code, CloseCode.REPLACED);
    assert.is(reason, "REPLACED");
    await waitForMesh(nodes);
    n1.transport.send([heartbeat("n1", "n2", 1)]);
    n2.transport.send([heartbeat("n2", "n1", 2)]);
    await waitFor(() => n2.messagesFrom("n1").length === 1, "n2 hears n1");
    await waitFor(() => n1.messagesFrom("n2").length === 1, "n1 hears n2");
    assert.is(
      n2.events.connected.length - n2.events.disconnected.length,
      1,
      "n2 counts exactly one live connection to n1",
    );
  });
});

test("messages for a slow peer are dropped once its buffer limit is reached", async () => {
  const maxBufferedBytesPerPeer = 256 * 1024;
  const maxFrameBytes = 64 * 1024;
  const server = createServer();
  const port = await listen(server);
  const n2 = createNode(
    "n2",
    server,
    port,
    new Map([
      ["n1", "ws://127.0.0.1:1"],
      ["n2", `ws://127.0.0.1:${port}`],
    ]),
    { maxBufferedBytesPerPeer, maxFrameBytes },
  );
  const slowPeer = await RawPeer.connect(n2.url);
  try {
    await slowPeer.authenticate("n1", "n2", CLUSTER_SECRET);
    await waitFor(() => n2.isConnectedTo("n1"), "n2 accepts n1");
    slowPeer.socket.pause();
    const padding = "p".repeat(16 * 1024);
    let highestBufferedBytes = 0;
    // Loopback socket buffers hold a few MiB; 4096 turns of 64 KiB is far more than that.
    for (let turn = 0; turn < 4096 && n2.droppedFor("n1") === 0; turn += 1) {
      n2.transport.send(Array.from({ length: 4 }, (_, i) => heartbeat("n2", "n1", i, padding)));
      await new Promise((resolve) => setImmediate(resolve));
      const state = n2.transport.peerStates().find((peer) => peer.id === "n1");
      highestBufferedBytes = Math.max(highestBufferedBytes, state?.bufferedBytes ?? 0);
    }
    assert.ok(n2.droppedFor("n1") > 0, "messages were dropped");
    assert.ok(
      highestBufferedBytes <= maxBufferedBytesPerPeer,
      `buffered ${highestBufferedBytes} bytes, limit ${maxBufferedBytesPerPeer}`,
    );
    assert.ok(n2.isConnectedTo("n1"), "a slow peer stays connected");
  } finally {
    slowPeer.socket.terminate();
    await n2.stop();
  }
});

test("a peer that stops answering pings is disconnected", async () => {
  const server = createServer();
  const port = await listen(server);
  const n2 = createNode(
    "n2",
    server,
    port,
    new Map([
      ["n1", "ws://127.0.0.1:1"],
      ["n2", `ws://127.0.0.1:${port}`],
    ]),
    { keepaliveIntervalMs: 50 },
  );
  const frozenPeer = await RawPeer.connect(n2.url);
  try {
    await frozenPeer.authenticate("n1", "n2", CLUSTER_SECRET);
    await waitFor(() => n2.isConnectedTo("n1"), "n2 accepts n1");
    // A paused socket reads nothing, so pings go unanswered as on a dead path.
    frozenPeer.socket.pause();
    await waitFor(() => !n2.isConnectedTo("n1"), "n2 drops the silent peer", 1000);
    assert.equal(n2.events.disconnected, ["n1"]);
    assert.ok(n2.logs.some((line) => /stopped answering pings/.test(line.msg)));
  } finally {
    frozenPeer.socket.terminate();
    await n2.stop();
  }
});

test("setPeers dials a new member and disconnects a removed one", async () => {
  const nodes = await startCluster(["n1", "n2", "n3"]);
  const [n1, n2, n3] = nodes as [TestNode, TestNode, TestNode];
  try {
    // n1 starts knowing only n2; n3 already knows n1.
    n1.transport.setPeers(new Map([["n2", n2.url]]));
    await waitFor(() => !n3.isConnectedTo("n1"), "n3 loses n1");
    assert.equal(
      n1.transport.peerStates().map((peer) => peer.id),
      ["n2"],
    );
    n1.transport.setPeers(
      new Map([
        ["n1", n1.url],
        ["n3", n3.url],
      ]),
    );
    await waitFor(() => n1.isConnectedTo("n3"), "n1 dials the new member n3");
    await waitFor(() => !n2.isConnectedTo("n1"), "n2 sees n1 leave after its removal");
    n1.transport.send([heartbeat("n1", "n3", 5)]);
    await waitFor(() => n3.messagesFrom("n1").some((m) => m.index === 5), "n3 hears n1");
    assert.ok(!n1.isConnectedTo("n2"));
  } finally {
    await stopAll(nodes);
  }
});

test("with otherUpgrades: leave, upgrades on other paths and plain HTTP requests are left to the server's own handlers", async () => {
  const server = createServer((request, response) => {
    response.writeHead(request.url === "/healthz" ? 200 : 404).end("ok");
  });
  server.on("upgrade", (request, socket) => {
    if (request.url === "/other") socket.end("HTTP/1.1 418 I'm a teapot\r\n\r\n");
  });
  const port = await listen(server);
  const node = createNode("n1", server, port, new Map(), { otherUpgrades: "leave" });
  try {
    const status = await new Promise<number | undefined>((resolve, reject) => {
      get(`http://127.0.0.1:${port}/healthz`, (response) => {
        response.resume();
        resolve(response.statusCode);
      }).on("error", reject);
    });
    assert.is(status, 200);
    const otherUpgradeStatus = await new Promise<number | undefined>((resolve) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/other`);
      socket.on("unexpected-response", (request, response) => {
        resolve(response.statusCode);
        request.destroy();
      });
      socket.on("error", () => {});
    });
    assert.is(otherUpgradeStatus, 418);
  } finally {
    await node.stop();
  }
});

test.run();
