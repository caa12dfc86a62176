/**
 * The TLS probe against loopback servers: a TLS server with a self-signed
 * certificate made by `openssl` for this run, and servers that close, reset
 * or answer something that is not TLS. Without openssl the suite is skipped,
 * except under CI.
 */
import { createServer as createTcpServer, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { probeTls } from "../../../shared/probe/tls-probe.ts";
import { selfSignedCertificate } from "../../support/self-signed-certificate.ts";
import { listenOnLoopback } from "./support/loopback-server.ts";

/** Runs `body` against a loopback TCP server whose every connection gets `onConnection`. */
async function withTcpServer(
  onConnection: (socket: Socket) => void,
  body: (port: number) => Promise<void>,
): Promise<void> {
  const server = await listenOnLoopback(createTcpServer(onConnection));
  try {
    await body(server.port);
  } finally {
    await server.close();
  }
}

const certificate = selfSignedCertificate();

if (!certificate && !process.env.CI) {
  test.skip("a TLS handshake (needs openssl)", () => {});
} else {
  test("a handshake with a self-signed certificate is ok: the certificate is not judged", async () => {
    assert.ok(certificate, "CI must provide openssl");
    const server = await listenOnLoopback(createTlsServer(certificate));
    try {
      const outcome = await probeTls(
        { host: "127.0.0.1", port: server.port },
        { timeoutMs: 5_000 },
      );
      assert.ok(outcome.ok, JSON.stringify(outcome));
      assert.ok((outcome.rttMs ?? -1) >= 0 && (outcome.rttMs ?? 0) < 2_000, String(outcome.rttMs));
    } finally {
      await server.close();
    }
  });

  test("a DNS name is sent as SNI, an IP address is not", async () => {
    assert.ok(certificate, "CI must provide openssl");
    const names: string[] = [];
    const server = await listenOnLoopback(
      createTlsServer({
        ...certificate,
        SNICallback: (name, done) => {
          names.push(name);
          done(null);
        },
      }),
    );
    const { port } = server;
    try {
      const byName = await probeTls({ host: "localhost", port }, { timeoutMs: 5_000 });
      assert.ok(byName.ok, JSON.stringify(byName));
      assert.equal(names, ["localhost"]);
      const byAddress = await probeTls({ host: "127.0.0.1", port }, { timeoutMs: 5_000 });
      assert.ok(byAddress.ok, JSON.stringify(byAddress));
      assert.equal(names, ["localhost"]);
    } finally {
      await server.close();
    }
  });
}

test("a server that closes without a handshake is eof_error", async () => {
  await withTcpServer(
    (socket) => socket.end(),
    async (port) => {
      const outcome = await probeTls({ host: "127.0.0.1", port }, { timeoutMs: 5_000 });
      assert.equal(outcome, { ok: false, error: "eof_error" });
    },
  );
});

test("a server that resets the connection is connection_reset", async () => {
  await withTcpServer(
    (socket) => socket.once("data", () => socket.resetAndDestroy()),
    async (port) => {
      const outcome = await probeTls({ host: "127.0.0.1", port }, { timeoutMs: 5_000 });
      assert.equal(outcome, { ok: false, error: "connection_reset" });
    },
  );
});

test("a server that answers something other than TLS is ssl_failed_handshake", async () => {
  await withTcpServer(
    (socket) => socket.once("data", () => socket.write("HTTP/1.1 400 Bad Request\r\n\r\n")),
    async (port) => {
      const outcome = await probeTls({ host: "127.0.0.1", port }, { timeoutMs: 5_000 });
      assert.equal(outcome, { ok: false, error: "ssl_failed_handshake" });
    },
  );
});

test("a server that never answers the ClientHello is generic_timeout_error", async () => {
  await withTcpServer(
    () => {},
    async (port) => {
      const outcome = await probeTls({ host: "127.0.0.1", port }, { timeoutMs: 300 });
      assert.equal(outcome, { ok: false, error: "generic_timeout_error" });
    },
  );
});

test("a closed port is connection_refused", async () => {
  const server = await listenOnLoopback(createTcpServer());
  await server.close();
  const outcome = await probeTls({ host: "127.0.0.1", port: server.port }, { timeoutMs: 5_000 });
  assert.equal(outcome, { ok: false, error: "connection_refused" });
});

test.run();
