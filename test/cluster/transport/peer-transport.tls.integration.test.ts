/**
 * wss:// between peers: the acceptor serves a self-signed certificate made
 * here with openssl; a dialer that trusts it as its CA connects, one that
 * does not refuses the server and never gets as far as the handshake.
 */
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { NodeId } from "../../../cluster/raft/types.ts";
import type { PeerTransportOptions } from "../../../cluster/transport/peer-transport.ts";
import { selfSignedCertificate } from "../../support/self-signed-certificate.ts";
import { createNode, heartbeat, listen, sleep, type TestNode, waitFor } from "./fixtures.ts";

interface Context {
  certificate: Buffer;
  /** n2 serving wss:// on an HTTPS server. */
  acceptor: TestNode;
}

const tls = suite<Context>("wss://");

tls.before(async (context) => {
  const certificate = selfSignedCertificate();
  assert.ok(certificate, "openssl must be installed to make the test certificate");
  context.certificate = certificate.cert;
  const server = createHttpsServer(certificate);
  const port = await listen(server);
  context.acceptor = createNode(
    "n2",
    server,
    port,
    new Map([
      ["n1", "ws://127.0.0.1:1"],
      ["n2", `wss://127.0.0.1:${port}`],
    ]),
  );
});

tls.after(async (context) => {
  await context.acceptor?.stop();
});

async function startDialer(
  acceptor: TestNode,
  tlsOptions: PeerTransportOptions["tls"],
): Promise<TestNode> {
  const server = createHttpServer();
  const port = await listen(server);
  const peers = new Map<NodeId, string>([["n2", `wss://127.0.0.1:${acceptor.port}`]]);
  return createNode("n1", server, port, peers, { tls: tlsOptions });
}

tls(
  "a dialer that trusts the cluster CA connects over wss:// and messages flow",
  async ({ acceptor, certificate }) => {
    const dialer = await startDialer(acceptor, { ca: certificate });
    try {
      await waitFor(() => dialer.isConnectedTo("n2") && acceptor.isConnectedTo("n1"), "wss link");
      dialer.transport.send([heartbeat("n1", "n2", 1)]);
      acceptor.transport.send([heartbeat("n2", "n1", 2)]);
      await waitFor(() => acceptor.messagesFrom("n1").length === 1, "n2 hears n1");
      await waitFor(() => dialer.messagesFrom("n2").length === 1, "n1 hears n2");
    } finally {
      await dialer.stop();
      await waitFor(() => !acceptor.isConnectedTo("n1"), "n2 sees n1 leave");
    }
  },
);

tls(
  "a dialer without the CA refuses the self-signed server and never connects",
  async ({ acceptor }) => {
    const upgradesBefore = acceptor.raftUpgrades;
    const dialer = await startDialer(acceptor, {});
    try {
      await waitFor(
        () => dialer.logs.some((line) => /self-signed certificate/.test(String(line.error))),
        "the certificate is refused",
      );
      // Several reconnect attempts, all refused at the TLS layer.
      await sleep(150);
      assert.not.ok(dialer.isConnectedTo("n2"));
      assert.is(acceptor.raftUpgrades, upgradesBefore, "no upgrade request ever reached n2");
      assert.equal(acceptor.events.handshakeRejected, [], "nothing got as far as the handshake");
    } finally {
      await dialer.stop();
    }
  },
);

tls.run();
