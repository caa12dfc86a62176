/**
 * The WireGuard probe over real UDP: against loopback sockets that play a
 * server (silent, garbage, lossy, under load), and against a real
 * wireguard-go server in a network namespace, probed from a second namespace
 * across a veth pair on 192.0.2.0/24. The namespace part needs root,
 * iproute2, wireguard-tools, wireguard-go and /dev/net/tun; without them it is
 * skipped, except under CI.
 */
import { randomBytes } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import type { AddressInfo } from "node:net";
import { suite, test } from "uvu";
import * as assert from "uvu/assert";
import { generateKeyPair } from "../../../shared/crypto/wireguard-keys.ts";
import { probeWireGuard } from "../../../shared/probe/wireguard-probe.ts";
import { missingNetworkPrerequisites, TestNetwork } from "../../support/network-namespace.ts";
import { probeInNamespace } from "./support/probe-in-namespace.ts";
import { cookieReply, respondToInitiation } from "./support/wireguard-responder.ts";

const server = generateKeyPair();
const probePeer = generateKeyPair();
const serverPrivateKey = Buffer.from(server.privateKey, "base64");

/** A loopback UDP socket standing in for a server; `answer` decides what each packet gets back. */
async function fakeServer(
  answer: (packet: Buffer, index: number) => Uint8Array[],
): Promise<{ port: number; received: Buffer[]; close: () => void }> {
  const socket: Socket = createSocket("udp4");
  const received: Buffer[] = [];
  socket.on("message", (packet, from) => {
    received.push(packet);
    for (const reply of answer(packet, received.length - 1)) {
      socket.send(reply, from.port, from.address);
    }
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const { port } = socket.address() as AddressInfo;
  return { port, received, close: () => socket.close() };
}

function respond(packet: Buffer) {
  const consumed = respondToInitiation(serverPrivateKey, packet, randomBytes(32), 77);
  assert.ok(consumed, "the probe's initiation authenticates");
  return consumed;
}

function target(port: number) {
  return {
    host: "127.0.0.1",
    port,
    serverPublicKey: server.publicKey,
    probeKey: probePeer.privateKey,
  };
}

test("a server that answers the handshake is ok, with the round-trip time", async () => {
  const fake = await fakeServer((packet) => [respond(packet).response]);
  try {
    const outcome = await probeWireGuard(target(fake.port), { timeoutMs: 5_000 });
    assert.ok(outcome.ok, JSON.stringify(outcome));
    assert.ok((outcome.rttMs ?? -1) >= 0 && (outcome.rttMs ?? 0) < 1_000, String(outcome.rttMs));
    assert.is(fake.received.length, 1, "one initiation was enough");
  } finally {
    fake.close();
  }
});

test("a silent server times out after three fresh initiations with rising timestamps", async () => {
  const fake = await fakeServer(() => []);
  try {
    const outcome = await probeWireGuard(target(fake.port), { timeoutMs: 900 });
    assert.equal(outcome, { ok: false, error: "generic_timeout_error" });
    assert.is(fake.received.length, 3);
    const consumed = fake.received.map(respond);
    assert.is(new Set(consumed.map((each) => each.senderIndex)).size, 3, "a new index each time");
    assert.is(new Set(fake.received.map((packet) => packet.toString("hex"))).size, 3);
    const timestamps = consumed.map((each) => Buffer.from(each.timestamp).toString("hex"));
    assert.equal([...timestamps].sort(), timestamps);
    assert.is(new Set(timestamps).size, 3, "strictly rising");
  } finally {
    fake.close();
  }
});

test("a lost first initiation is retried, and the answer to the retry is ok", async () => {
  const fake = await fakeServer((packet, index) => (index === 0 ? [] : [respond(packet).response]));
  try {
    const outcome = await probeWireGuard(target(fake.port), { timeoutMs: 1_500 });
    assert.ok(outcome.ok, JSON.stringify(outcome));
    assert.ok((outcome.rttMs ?? 1_000) < 500, "timed from the initiation that was answered");
    assert.is(fake.received.length, 2);
  } finally {
    fake.close();
  }
});

test("a port that answers garbage is wireguard_bad_response", async () => {
  const fake = await fakeServer(() => [randomBytes(92), Buffer.from("not wireguard")]);
  try {
    const outcome = await probeWireGuard(target(fake.port), { timeoutMs: 600 });
    assert.equal(outcome, { ok: false, error: "wireguard_bad_response" });
  } finally {
    fake.close();
  }
});

test("a valid answer that follows garbage is still ok", async () => {
  const fake = await fakeServer((packet) => [randomBytes(92), respond(packet).response]);
  try {
    const outcome = await probeWireGuard(target(fake.port), { timeoutMs: 5_000 });
    assert.ok(outcome.ok, JSON.stringify(outcome));
  } finally {
    fake.close();
  }
});

test("a cookie reply from a server under load is ok: it answered our initiation", async () => {
  const serverPublicKey = Buffer.from(server.publicKey, "base64");
  const fake = await fakeServer((packet) => [
    cookieReply(serverPublicKey, packet, randomBytes(24), randomBytes(16)),
  ]);
  try {
    const outcome = await probeWireGuard(target(fake.port), { timeoutMs: 5_000 });
    assert.ok(outcome.ok, JSON.stringify(outcome));
  } finally {
    fake.close();
  }
});

test("a closed UDP port answers with ICMP and is connection_refused", async () => {
  const fake = await fakeServer(() => []);
  const { port } = fake;
  fake.close();
  const outcome = await probeWireGuard(target(port), { timeoutMs: 5_000 });
  assert.equal(outcome, { ok: false, error: "connection_refused" });
});

test("keys that are not WireGuard keys are invalid_request, and nothing is sent", async () => {
  const fake = await fakeServer(() => []);
  try {
    for (const keys of [
      { serverPublicKey: "not a key", probeKey: probePeer.privateKey },
      { serverPublicKey: server.publicKey, probeKey: "" },
      { serverPublicKey: Buffer.alloc(32).toString("base64"), probeKey: probePeer.privateKey },
    ]) {
      const outcome = await probeWireGuard({ ...target(fake.port), ...keys }, { timeoutMs: 300 });
      assert.equal(outcome, { ok: false, error: "invalid_request" }, JSON.stringify(keys));
    }
    assert.is(fake.received.length, 0);
  } finally {
    fake.close();
  }
});

test("aborting the probe interrupts it at once", async () => {
  const fake = await fakeServer(() => []);
  try {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 50);
    const outcome = await probeWireGuard(target(fake.port), {
      timeoutMs: 10_000,
      signal: controller.signal,
    });
    assert.equal(outcome, { ok: false, error: "interrupted" });
    assert.ok(Date.now() - started < 5_000);
  } finally {
    fake.close();
  }
});

test.run();

const serverAddress = "192.0.2.1";
const listenPort = 51820;
const missing = missingNetworkPrerequisites();
const realServer = suite("a real wireguard-go server");

function wireGuardTarget(probeKey: string, port = listenPort) {
  return {
    host: serverAddress,
    port,
    protocol: "wireguard" as const,
    serverPublicKey: server.publicKey,
    probeKey,
  };
}

if (missing.length > 0 && !process.env.CI) {
  realServer.skip(`probes (needs ${missing.join(", ")})`, () => {});
} else {
  const network = new TestNetwork();
  let serverNamespace = "";
  let probeNamespace = "";
  let interfaceName = "";
  // Built once before the tests; each test awaits it, so a failed setup is reported by each.
  let ready: Promise<void> = Promise.resolve();

  realServer.before(() => {
    ready = (async () => {
      assert.equal(missing, [], "CI must provide root, the WireGuard tools and /dev/net/tun");
      serverNamespace = await network.addNamespace("wgs");
      probeNamespace = await network.addNamespace("wgp");
      await network.link(
        { namespace: serverNamespace, address: `${serverAddress}/24` },
        { namespace: probeNamespace, address: "192.0.2.2/24" },
      );
      interfaceName = await network.startWireGuard({
        namespace: serverNamespace,
        privateKey: server.privateKey,
        listenPort,
        // The probe peer's one allowed address is never used: it only ever handshakes.
        peers: [{ publicKey: probePeer.publicKey, allowedIps: ["10.66.0.99/32"] }],
      });
    })();
    ready.catch(() => {});
  });

  // Also when a test or the setup fails; tearing down twice is harmless.
  realServer.after(() => network.tearDown());

  realServer(
    "the server answers its probe peer, and learns the probe's address from it",
    async () => {
      await ready;
      const outcome = await probeInNamespace(
        network,
        probeNamespace,
        wireGuardTarget(probePeer.privateKey),
        10_000,
      );
      assert.ok(outcome.ok, JSON.stringify(outcome));
      assert.ok((outcome.rttMs ?? -1) >= 0);
      // A responder counts a handshake complete only on the first data packet, which a probe
      // never sends; but it takes the peer's endpoint from every initiation it accepts.
      const endpoints = await network.exec(serverNamespace, "wg", [
        "show",
        interfaceName,
        "endpoints",
      ]);
      const [publicKey, endpoint] = endpoints.trim().split(/\s+/);
      assert.is(publicKey, probePeer.publicKey);
      assert.match(endpoint ?? "", /^192\.0\.2\.2:\d+$/);
    },
  );

  realServer("a probe key the server does not know gets silence: a timeout", async () => {
    await ready;
    const stranger = generateKeyPair();
    const outcome = await probeInNamespace(
      network,
      probeNamespace,
      wireGuardTarget(stranger.privateKey),
      1_500,
    );
    assert.equal(outcome, { ok: false, error: "generic_timeout_error" });
  });

  realServer("a port the server does not listen on is connection_refused", async () => {
    await ready;
    const outcome = await probeInNamespace(
      network,
      probeNamespace,
      wireGuardTarget(probePeer.privateKey, listenPort + 1),
      5_000,
    );
    assert.equal(outcome, { ok: false, error: "connection_refused" });
  });

  realServer("tearing down leaves none of the test's namespaces behind", async () => {
    await ready;
    network.tearDown();
    assert.equal(network.leftoverNamespaces(), []);
  });
}

realServer.run();
