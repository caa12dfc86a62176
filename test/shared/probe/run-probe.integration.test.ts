import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { generateKeyPair } from "../../../shared/crypto/wireguard-keys.ts";
import type { ProbeTarget } from "../../../shared/probe/probe-request.ts";
import { runProbe } from "../../../shared/probe/run-probe.ts";
import { listenOnLoopback } from "./support/loopback-server.ts";
import { respondToInitiation } from "./support/wireguard-responder.ts";

test("a tcp target is probed with a TCP connect", async () => {
  const server = await listenOnLoopback(createServer((socket) => socket.destroy()));
  try {
    const outcome = await runProbe(
      { host: "127.0.0.1", port: server.port, protocol: "tcp" },
      { timeoutMs: 5_000 },
    );
    assert.ok(outcome.ok, JSON.stringify(outcome));
  } finally {
    await server.close();
  }
});

test("a tls target is probed with a TLS handshake", async () => {
  // A plain TCP server that hangs up: TCP would be ok, the TLS handshake is not.
  const server = await listenOnLoopback(createServer((socket) => socket.end()));
  try {
    const outcome = await runProbe(
      { host: "127.0.0.1", port: server.port, protocol: "tls" },
      { timeoutMs: 5_000 },
    );
    assert.equal(outcome, { ok: false, error: "eof_error" });
  } finally {
    await server.close();
  }
});

test("a wireguard target is probed with a handshake as its probe peer", async () => {
  const serverKeys = generateKeyPair();
  const probePeer = generateKeyPair();
  const socket = createSocket("udp4");
  socket.on("message", (packet, from) => {
    const consumed = respondToInitiation(
      Buffer.from(serverKeys.privateKey, "base64"),
      packet,
      randomBytes(32),
      1,
    );
    if (consumed) socket.send(consumed.response, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  try {
    const outcome = await runProbe(
      {
        host: "127.0.0.1",
        port: (socket.address() as AddressInfo).port,
        protocol: "wireguard",
        serverPublicKey: serverKeys.publicKey,
        probeKey: probePeer.privateKey,
      },
      { timeoutMs: 5_000 },
    );
    assert.ok(outcome.ok, JSON.stringify(outcome));
  } finally {
    socket.close();
  }
});

test("a target or timeout that fails validation is invalid_request, without a probe", async () => {
  const keys = generateKeyPair();
  const invalid: [unknown, number][] = [
    [{ host: "127.0.0.1", port: 1, protocol: "wireguard" }, 1_000],
    [{ host: "127.0.0.1", port: 1, protocol: "wireguard", serverPublicKey: keys.publicKey }, 1_000],
    [{ host: "127.0.0.1", port: 0, protocol: "tcp" }, 1_000],
    [{ host: "127.0.0.1", port: 70_000, protocol: "tcp" }, 1_000],
    [{ host: "", port: 1, protocol: "tcp" }, 1_000],
    [{ host: "a b", port: 1, protocol: "tcp" }, 1_000],
    [{ host: "127.0.0.1", port: 1, protocol: "udp" }, 1_000],
    [{ host: "127.0.0.1", port: 1, protocol: "tcp", extra: true }, 1_000],
    [null, 1_000],
    [{ host: "127.0.0.1", port: 1, protocol: "tcp" }, 0],
    [{ host: "127.0.0.1", port: 1, protocol: "tcp" }, 30_001],
    [{ host: "127.0.0.1", port: 1, protocol: "tcp" }, Number.NaN],
  ];
  for (const [target, timeoutMs] of invalid) {
    const outcome = await runProbe(target as ProbeTarget, { timeoutMs });
    assert.equal(outcome, { ok: false, error: "invalid_request" }, JSON.stringify(target));
  }
});

test("an aborted signal is interrupted", async () => {
  const outcome = await runProbe(
    { host: "127.0.0.1", port: 9, protocol: "tcp" },
    { timeoutMs: 5_000, signal: AbortSignal.abort() },
  );
  assert.equal(outcome, { ok: false, error: "interrupted" });
});

test.run();
