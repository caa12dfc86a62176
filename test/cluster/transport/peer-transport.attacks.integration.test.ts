/**
 * Hostile and broken peers against a live transport. Node n3 is the target;
 * n1 is an honest member connected to it; attackers claim to be n2 (a member
 * with no process behind it) or someone else. After every attack n3 must
 * still talk to n1 and accept a fresh honest n2.
 */

import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { connect } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { WebSocketServer } from "ws";
import { generateNodeIdentity } from "../../../cluster/identity/node-identity.ts";
import type { Message } from "../../../cluster/raft/types.ts";
import { CloseCode } from "../../../cluster/transport/connection.ts";
import type { HelloFrame } from "../../../cluster/transport/frame.ts";
import {
  computeProof,
  createHello,
  encodeNonce,
  NONCE_BYTES,
  transcriptHash,
} from "../../../cluster/transport/handshake.ts";
import { generateEphemeralKeyPair } from "../../../cluster/transport/session-cipher.ts";
import {
  CLUSTER_SECRET,
  closeServer,
  createNode,
  heartbeat,
  listen,
  startCluster,
  stopAll,
  type TestNode,
  waitFor,
  waitForMesh,
  withMesh,
} from "./fixtures.ts";
import { RawPeer } from "./raw-peer.ts";
import { openUpgradedSocket } from "./upgraded-socket.ts";

const WRONG_SECRET = "not-the-cluster-secret-0123456789abcdef!";
const HANDSHAKE_TIMEOUT_MS = 300;
const MAX_FRAME_BYTES = 64 * 1024;
const MAX_PENDING_HANDSHAKES = 4;

interface Target {
  n1: TestNode;
  n3: TestNode;
}

async function withTarget(run: (target: Target) => Promise<void>): Promise<void> {
  const servers = [createServer(), createServer()] as const;
  const [port1, port3] = await Promise.all(servers.map((server) => listen(server)));
  const url1 = `ws://127.0.0.1:${port1}`;
  const url3 = `ws://127.0.0.1:${port3}`;
  const options = {
    handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS,
    helloTimeoutMs: HANDSHAKE_TIMEOUT_MS,
    maxFrameBytes: MAX_FRAME_BYTES,
    maxPendingHandshakes: MAX_PENDING_HANDSHAKES,
  };
  const n3 = createNode(
    "n3",
    servers[1],
    port3!,
    new Map([
      ["n1", url1],
      ["n2", "ws://127.0.0.1:1"],
      ["n3", url3],
    ]),
    options,
  );
  const n1 = createNode(
    "n1",
    servers[0],
    port1!,
    new Map([
      ["n1", url1],
      ["n3", url3],
    ]),
    options,
  );
  try {
    await waitFor(() => n3.isConnectedTo("n1") && n1.isConnectedTo("n3"), "n1 and n3 connect");
    await run({ n1, n3 });
    await assertStillServing({ n1, n3 });
  } finally {
    await stopAll([n1, n3]);
  }
}

/**
 * Sends an upgrade request for `path` and never says another word, as an
 * attacker holding sockets would; resolves with what the server answered once
 * it closed the socket, or says so after five seconds with the socket still open.
 */
function abandonedUpgrade(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    socket.on("data", (chunk: Buffer) => {
      answer += chunk.toString();
    });
    socket.on("error", reject);
    const timer = setTimeout(() => {
      resolve(`still open after 5 s; answered ${JSON.stringify(answer)}`);
      socket.destroy();
    }, 5000);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(answer);
    });
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
    );
  });
}

let probeIndex = 1000;
/** The one key n2 ever uses: n3 remembers the first key a member proves. */
const honestN2 = generateNodeIdentity();

function freshHello(from: string, to: string): HelloFrame {
  const identity = generateNodeIdentity();
  return createHello(
    { selfId: from, identity },
    to,
    encodeNonce(randomBytes(NONCE_BYTES)),
    generateEphemeralKeyPair(),
  );
}

/** n3 still talks with n1 both ways, never dropped it, and accepts a fresh honest peer. */
async function assertStillServing({ n1, n3 }: Target): Promise<void> {
  probeIndex += 1;
  const index = probeIndex;
  n1.transport.send([heartbeat("n1", "n3", index)]);
  n3.transport.send([heartbeat("n3", "n1", index)]);
  await waitFor(() => n3.messagesFrom("n1").some((m) => m.index === index), "n3 hears n1");
  await waitFor(() => n1.messagesFrom("n3").some((m) => m.index === index), "n1 hears n3");
  assert.not.ok(n3.events.disconnected.includes("n1"), "n1's connection was never disturbed");

  const fresh = await RawPeer.connect(n3.url);
  await fresh.authenticate("n2", "n3", CLUSTER_SECRET, { identity: honestN2 });
  fresh.sendMessages([heartbeat("n2", "n3", index)]);
  await waitFor(
    () => n3.messagesFrom("n2").some((m) => m.index === index),
    "n3 hears a fresh, honest n2",
  );
  await fresh.close();
}

function rejectionLogged(node: TestNode, reason: string): boolean {
  return node.logs.some((line) => line.level === 40 && line.reason === reason);
}

test("an unpinned member that does not know the enrollment secret is refused after the challenge", async () => {
  await withTarget(async ({ n3 }) => {
    const attacker = await RawPeer.connect(n3.url);
    await attacker.authenticate("n2", "n3", WRONG_SECRET, { trustAcceptor: true });
    attacker.sendMessages([heartbeat("n2", "n3")]);
    assert.equal(await attacker.closed(), {
      code: CloseCode.HANDSHAKE_REJECTED,
      reason: "BAD_PROOF",
    });
    assert.equal(n3.events.handshakeRejected, ["BAD_PROOF"]);
    assert.ok(rejectionLogged(n3, "BAD_PROOF"));
    assert.equal(n3.messagesFrom("n2"), [], "nothing behind the failed proof was delivered");
  });
});

test("the enrollment secret without a connected member's key cannot speak as it or displace it", async () => {
  await withTarget(async ({ n3 }) => {
    const impostor = await RawPeer.connect(n3.url);
    impostor.sendJson(freshHello("n1", "n3"));
    assert.equal(await impostor.closed(), {
      code: CloseCode.HANDSHAKE_REJECTED,
      reason: "KEY_MISMATCH",
    });
    assert.equal(impostor.frames, [], "no challenge for a key that is not the member's");
    assert.equal(n3.events.handshakeRejected, ["KEY_MISMATCH"]);
    assert.ok(rejectionLogged(n3, "KEY_MISMATCH"));
    assert.equal(n3.events.connected, ["n1"]);
  });
});

test("a pinned member is admitted by its key alone, whatever secret it holds", async () => {
  await withTarget(async ({ n3 }) => {
    n3.pins.set("n2", honestN2.publicKey);
    const member = await RawPeer.connect(n3.url);
    await member.authenticate("n2", "n3", WRONG_SECRET, {
      identity: honestN2,
      trustAcceptor: true,
    });
    member.sendMessages([heartbeat("n2", "n3", 7)]);
    await waitFor(() => n3.messagesFrom("n2").some((m) => m.index === 7), "n3 hears the pinned n2");
    await member.close();
  });
});

test("an unknown node id is refused before it gets a challenge", async () => {
  await withTarget(async ({ n3 }) => {
    const stranger = await RawPeer.connect(n3.url);
    stranger.sendJson(freshHello("n0", "n3"));
    assert.equal(await stranger.closed(), {
      code: CloseCode.HANDSHAKE_REJECTED,
      reason: "UNKNOWN_PEER",
    });
    assert.equal(stranger.frames, [], "no challenge, so no proof to study");
    assert.equal(n3.events.handshakeRejected, ["UNKNOWN_PEER"]);
  });
});

test("a hello addressed to another node is refused", async () => {
  await withTarget(async ({ n3 }) => {
    const misdirected = await RawPeer.connect(n3.url);
    misdirected.sendJson(freshHello("n2", "n4"));
    assert.is((await misdirected.closed()).reason, "WRONG_TARGET");
    assert.equal(n3.events.handshakeRejected, ["WRONG_TARGET"]);
  });
});

test("a hello and auth replayed from an earlier connection are refused", async () => {
  await withTarget(async ({ n3 }) => {
    const recorded = await RawPeer.connect(n3.url);
    const captured = await recorded.authenticate("n2", "n3", CLUSTER_SECRET, {
      identity: honestN2,
    });
    await waitFor(() => n3.isConnectedTo("n2"), "the recorded session authenticates");
    await recorded.close();

    const replayer = await RawPeer.connect(n3.url);
    replayer.sendJson(captured.hello);
    const challenge = await replayer.frame(1);
    assert.is.not(challenge.nonce, undefined);
    replayer.sendJson(captured.auth);
    assert.equal(await replayer.closed(), {
      code: CloseCode.HANDSHAKE_REJECTED,
      reason: "BAD_SIGNATURE",
    });
    assert.equal(n3.events.handshakeRejected, ["BAD_SIGNATURE"]);
  });
});

test("a handshake that stalls after hello is closed when the timeout expires", async () => {
  await withTarget(async ({ n3 }) => {
    const staller = await RawPeer.connect(n3.url);
    const startedAt = Date.now();
    await staller.hello("n2", "n3", honestN2);
    assert.equal(await staller.closed(), {
      code: CloseCode.HANDSHAKE_TIMEOUT,
      reason: "TIMEOUT",
    });
    assert.ok(Date.now() - startedAt >= HANDSHAKE_TIMEOUT_MS - 50, "not before the timeout");
    assert.equal(n3.events.handshakeRejected, ["TIMEOUT"]);
  });
});

test("a silent socket is cut off, without a close handshake, when the hello deadline passes", async () => {
  await withTarget(async ({ n3 }) => {
    const startedAt = Date.now();
    const silent = await RawPeer.connect(n3.url);
    assert.is((await silent.closed()).code, 1006, "terminated, not closed politely");
    assert.ok(Date.now() - startedAt < HANDSHAKE_TIMEOUT_MS + 1000);
    assert.equal(n3.events.handshakeRejected, ["HELLO_TIMEOUT"]);
  });
});

test("strangers squatting pre-auth slots from another address do not keep a member out", async () => {
  const nodes = await startCluster(["n1", "n3"], {
    helloTimeoutMs: 60_000,
    maxPendingHandshakes: 8,
    maxPendingHandshakesPerAddress: 4,
  });
  const [n1, n3] = nodes as [TestNode, TestNode];
  const squatters: RawPeer[] = [];
  try {
    await waitForMesh(nodes);
    // 40 silent sockets from 127.0.0.2, held for longer than the test.
    const attempts = await Promise.all(
      Array.from({ length: 40 }, () =>
        RawPeer.connect(n3.url, "127.0.0.2").then(
          (peer) => peer,
          () => undefined,
        ),
      ),
    );
    for (const peer of attempts) if (peer) squatters.push(peer);
    assert.is(squatters.length, 4, "one address holds no more than its share");
    // n1 reconnects (as after a restart) while the squatters hold their slots.
    n1.revoked.add(n3.identity.publicKey);
    n1.transport.recheckKeys();
    await waitFor(() => !n1.isConnectedTo("n3"), "n1 drops n3");
    n1.revoked.clear();
    await waitFor(() => n1.isConnectedTo("n3") && n3.isConnectedTo("n1"), "n1 is back", 5000);
  } finally {
    await Promise.all(squatters.map((squatter) => squatter.close()));
    await stopAll(nodes);
  }
});

test("a member keeps room even when strangers fill every pre-auth slot", async () => {
  const nodes = await startCluster(["n1", "n3"], {
    helloTimeoutMs: 60_000,
    maxPendingHandshakes: 4,
    maxPendingHandshakesPerAddress: 2,
  });
  const [n1, n3] = nodes as [TestNode, TestNode];
  const squatters: RawPeer[] = [];
  try {
    await waitForMesh(nodes);
    for (const address of ["127.0.0.2", "127.0.0.3", "127.0.0.4"]) {
      for (let i = 0; i < 2; i++) {
        const peer = await RawPeer.connect(n3.url, address).then(
          (connected) => connected,
          () => undefined,
        );
        if (peer) squatters.push(peer);
      }
    }
    assert.is(squatters.length, 4, "strangers fill the global cap");
    n1.revoked.add(n3.identity.publicKey);
    n1.transport.recheckKeys();
    await waitFor(() => !n1.isConnectedTo("n3"), "n1 drops n3");
    n1.revoked.clear();
    await waitFor(() => n1.isConnectedTo("n3"), "n1, from a member's address, still gets in", 5000);
  } finally {
    await Promise.all(squatters.map((squatter) => squatter.close()));
    await stopAll(nodes);
  }
});

test("strangers holding unauthenticated sockets cannot pile up beyond the limit", async () => {
  await withTarget(async ({ n3 }) => {
    const squatters = await Promise.all(
      Array.from({ length: MAX_PENDING_HANDSHAKES }, () => RawPeer.connect(n3.url)),
    );
    const refusal = await RawPeer.connect(n3.url).then(
      () => "accepted",
      (error: Error) => error.message,
    );
    assert.match(refusal, /503/);
    assert.equal(n3.events.handshakeRejected, ["TOO_MANY_HANDSHAKES"]);
    await Promise.all(squatters.map((squatter) => squatter.close()));
  });
});

test("an upgrade to any other path is answered 404 and its socket closed, however many come", async () => {
  await withTarget(async ({ n3 }) => {
    const { port } = new URL(n3.url);
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => abandonedUpgrade(Number(port), "/not-raft")),
    );
    assert.ok(
      answers.every((answer) => answer.startsWith("HTTP/1.1 404")),
      answers.find((answer) => !answer.startsWith("HTTP/1.1 404")),
    );
  });
});

test("an unauthenticated peer streaming a big frame is cut off as soon as it passes a handshake's size, not once the frame is whole", async () => {
  await withTarget(async ({ n3 }) => {
    const { port } = new URL(n3.url);
    const outcome = await new Promise<{ sentBytes: number; closed: boolean }>((resolve) => {
      const socket = connect(Number(port), "127.0.0.1");
      let upgraded = false;
      let sentBytes = 0;
      const timer = setTimeout(() => {
        resolve({ sentBytes, closed: false });
        socket.destroy();
      }, 5000);
      socket.on("error", () => undefined);
      socket.on("close", () => {
        clearTimeout(timer);
        resolve({ sentBytes, closed: true });
      });
      socket.on("data", (chunk: Buffer) => {
        if (upgraded || !chunk.toString().startsWith("HTTP/1.1 101")) return;
        upgraded = true;
        // A masked text frame that announces 60 KiB (within the frame limit, so
        // only its size before authentication is wrong), then 1 KiB at a time.
        const header = Buffer.from([0x81, 0xfe, 0xf0, 0x00, 1, 2, 3, 4]);
        socket.write(header);
        const piece = Buffer.alloc(1024, 0x61);
        const pump = () => {
          if (socket.destroyed || sentBytes >= 60 * 1024) return;
          sentBytes += piece.length;
          socket.write(piece, () => setImmediate(pump));
        };
        pump();
      });
      socket.write(
        "GET /raft HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
      );
    });
    assert.ok(outcome.closed, "the node closed the connection");
    assert.ok(n3.events.frameRejected.some((rejection) => rejection.reason === "TOO_LARGE"));
    // What the node read before it dropped the socket (the client's count includes its kernel buffers).
    const dropped = n3.logs.find((line) => /sent more than a handshake needs/.test(line.msg));
    assert.ok(dropped, "the drop is logged");
    // At most one socket read past the limit: well before the 60 KiB frame is whole.
    assert.ok(Number(dropped.bytes) < 60 * 1024, `read ${dropped.bytes} bytes before dropping`);
  });
});

test("raft messages before authentication are refused and never delivered", async () => {
  await withTarget(async ({ n3 }) => {
    const eager = await RawPeer.connect(n3.url);
    eager.sendJson({ v: 2, type: "msgs", messages: [heartbeat("n2", "n3")] });
    assert.equal(await eager.closed(), {
      code: CloseCode.HANDSHAKE_REJECTED,
      reason: "UNEXPECTED_FRAME",
    });
    assert.equal(n3.messagesFrom("n2"), []);
  });
});

test("a frame bigger than any handshake frame is refused before authentication", async () => {
  await withTarget(async ({ n3 }) => {
    const bloated = await RawPeer.connect(n3.url);
    bloated.sendText(JSON.stringify({ v: 2, type: "hello", padding: "x".repeat(2000) }));
    assert.equal(await bloated.closed(), {
      code: CloseCode.FRAME_REJECTED,
      reason: "TOO_LARGE",
    });
    assert.equal(n3.events.frameRejected, [{ peer: undefined, reason: "TOO_LARGE" }]);
  });
});

test("garbage bytes on an upgraded socket close only that socket", async () => {
  await withTarget(async ({ n3 }) => {
    const socket = await openUpgradedSocket(n3.port);
    let socketClosed = false;
    socket.on("close", () => {
      socketClosed = true;
    });
    socket.resume();
    socket.write(Buffer.alloc(64, 0xff));
    await waitFor(() => socketClosed, "the garbage socket is closed");
    assert.equal(n3.events.frameRejected, [{ peer: undefined, reason: "PROTOCOL_ERROR" }]);
    assert.ok(rejectionLogged(n3, "PROTOCOL_ERROR"));
  });
});

/** Frames an authenticated n2 sends that must get its connection closed. */
const badFramesAfterAuthentication: Array<{
  what: string;
  send(peer: RawPeer): void;
  reason: string;
  closeCode: number;
}> = [
  {
    what: "a plaintext frame (an on-path injection)",
    send: (peer) => peer.sendJson({ v: 2, type: "msgs", messages: [heartbeat("n2", "n3")] }),
    reason: "PLAINTEXT_FRAME",
    closeCode: CloseCode.FRAME_REJECTED,
  },
  {
    what: "a binary frame that is not sealed with the session key",
    send: (peer) => peer.sendBinary(randomBytes(64)),
    reason: "BAD_CIPHERTEXT",
    closeCode: CloseCode.FRAME_REJECTED,
  },
  {
    what: "sealed text that is not JSON",
    send: (peer) => peer.sendSealed('{"v":2,"type":"msgs","messages":['),
    reason: "BAD_JSON",
    closeCode: CloseCode.FRAME_REJECTED,
  },
  {
    what: "a sealed frame of another version",
    send: (peer) =>
      peer.sendSealed(JSON.stringify({ v: 1, type: "msgs", messages: [heartbeat("n2", "n3")] })),
    reason: "BAD_VERSION",
    closeCode: CloseCode.FRAME_REJECTED,
  },
  {
    what: "a message that breaks the schema",
    send: (peer) => peer.sendMessages([{ ...heartbeat("n2", "n3"), term: -1 }]),
    reason: "BAD_SCHEMA",
    closeCode: CloseCode.FRAME_REJECTED,
  },
  {
    what: "a message of an unknown type",
    send: (peer) =>
      peer.sendMessages([{ ...heartbeat("n2", "n3"), type: "becomeLeader" } as unknown as Message]),
    reason: "BAD_SCHEMA",
    closeCode: CloseCode.FRAME_REJECTED,
  },
  {
    what: "a message spoofing another member as sender",
    send: (peer) => peer.sendMessages([heartbeat("n2", "n3"), heartbeat("n1", "n3")]),
    reason: "WRONG_SENDER",
    closeCode: CloseCode.FRAME_REJECTED,
  },
  {
    what: "a message addressed to another node",
    send: (peer) => peer.sendMessages([heartbeat("n2", "n1")]),
    reason: "WRONG_RECIPIENT",
    closeCode: CloseCode.FRAME_REJECTED,
  },
  {
    what: "a sealed handshake frame",
    send: (peer) => peer.sendSealed(JSON.stringify(freshHello("n2", "n3"))),
    reason: "UNEXPECTED_FRAME",
    closeCode: CloseCode.FRAME_REJECTED,
  },
  {
    what: "a frame over the size limit",
    send: (peer) => peer.sendBinary(Buffer.alloc(MAX_FRAME_BYTES + 17)),
    reason: "TOO_LARGE",
    // ws refuses the frame itself, with the standard "message too big" code.
    closeCode: 1009,
  },
];

for (const bad of badFramesAfterAuthentication) {
  test(`an authenticated peer sending ${bad.what} is disconnected with ${bad.reason}`, async () => {
    await withTarget(async ({ n3 }) => {
      const peer = await RawPeer.connect(n3.url);
      await peer.authenticate("n2", "n3", CLUSTER_SECRET, { identity: honestN2 });
      await waitFor(() => n3.isConnectedTo("n2"), "n3 accepts n2");
      bad.send(peer);
      assert.is((await peer.closed()).code, bad.closeCode);
      assert.equal(n3.events.frameRejected, [{ peer: "n2", reason: bad.reason }]);
      assert.ok(rejectionLogged(n3, bad.reason), "the rejection is logged with its reason");
      assert.equal(n3.messagesFrom("n2"), [], "no message from a rejected frame is delivered");
      assert.equal(n3.messagesFrom("n1"), [], "nothing was delivered as if from n1");
    });
  });
}

test("a dialer refuses an unpinned acceptor that cannot prove the secret and never signs for it", async () => {
  const impostorServer = createServer();
  const impostorPort = await listen(impostorServer);
  const impostor = new WebSocketServer({ server: impostorServer, path: "/raft" });
  const impostorIdentity = generateNodeIdentity();
  const heard: unknown[] = [];
  const closeCodes: number[] = [];
  impostor.on("connection", (socket) => {
    socket.on("close", (code) => closeCodes.push(code));
    socket.on("message", (data) => {
      const frame = JSON.parse(data.toString()) as HelloFrame;
      heard.push(frame);
      if (frame.type !== "hello") return;
      // A well-formed challenge with a real signature of its own key, but a proof
      // under the wrong secret: it is not the member the dialer wanted.
      const nonce = encodeNonce(randomBytes(NONCE_BYTES));
      const ours = {
        nonce,
        key: impostorIdentity.publicKey,
        ephemeral: generateEphemeralKeyPair().publicKey,
      };
      const hash = transcriptHash(frame, ours);
      socket.send(
        JSON.stringify({
          v: 2,
          type: "challenge",
          from: frame.to,
          to: frame.from,
          ...ours,
          signature: impostorIdentity
            .sign(Buffer.concat([Buffer.from("nexaloak-raft/2 acceptor signature\n"), hash]))
            .toString("base64url"),
          proof: computeProof(WRONG_SECRET, "acceptor", hash),
        }),
      );
    });
  });
  const ownServer = createServer();
  const ownPort = await listen(ownServer);
  const dialer = createNode(
    "n1",
    ownServer,
    ownPort,
    new Map([["n5", `ws://127.0.0.1:${impostorPort}`]]),
  );
  try {
    await waitFor(() => closeCodes.length >= 1, "the dialer hangs up on the impostor");
    assert.is(closeCodes[0], CloseCode.HANDSHAKE_REJECTED);
    assert.is(dialer.events.handshakeRejected[0], "BAD_PROOF");
    assert.ok(
      heard.every((frame) => (frame as HelloFrame).type === "hello"),
      "the impostor only ever heard hellos",
    );
    assert.not.ok(dialer.isConnectedTo("n5"));
  } finally {
    await dialer.stop();
    for (const client of impostor.clients) client.terminate();
    impostor.close();
    await closeServer(impostorServer);
  }
});

test("a connection whose key the committed state later revokes or replaces is closed", async () => {
  await withMesh(["n1", "n3"], async (nodes) => {
    const [n1, n3] = nodes as [TestNode, TestNode];
    n3.revoked.add(n1.identity.publicKey);
    n3.transport.recheckKeys();
    await waitFor(() => n3.events.disconnected.includes("n1"), "n3 drops the revoked n1");
    assert.ok(n3.events.handshakeRejected.includes("KEY_REVOKED"));
    // n1 keeps redialing with the revoked key and keeps being refused.
    await waitFor(
      () => n3.events.handshakeRejected.filter((reason) => reason === "KEY_REVOKED").length >= 2,
      "n1's redial is refused too",
    );
    assert.not.ok(n3.isConnectedTo("n1"));
    n3.revoked.clear();
    await waitFor(() => n3.isConnectedTo("n1"), "n1 reconnects once its key is admitted again");
  });
});

test.run();
