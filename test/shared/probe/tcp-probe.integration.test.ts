/**
 * The TCP probe against loopback servers, and, for a timeout, from a network
 * namespace the test creates towards an address nobody holds on its link, so
 * the connection's packets vanish (needs root and iproute2; skipped without
 * them, except under CI).
 */
import { createServer } from "node:net";
import { suite, test } from "uvu";
import * as assert from "uvu/assert";
import { probeTcp } from "../../../shared/probe/tcp-probe.ts";
import { sleep } from "../../../shared/sleep.ts";
import { missingNetworkPrerequisites, TestNetwork } from "../../support/network-namespace.ts";
import { listenOnLoopback } from "./support/loopback-server.ts";
import { probeInNamespace } from "./support/probe-in-namespace.ts";

test("a port that accepts is ok, with the connect time, and the connection is closed", async () => {
  let closedByProbe = false;
  const server = await listenOnLoopback(
    createServer((socket) => {
      socket.resume();
      socket.on("close", () => {
        closedByProbe = true;
      });
    }),
  );
  try {
    const outcome = await probeTcp({ host: "127.0.0.1", port: server.port }, { timeoutMs: 5_000 });
    assert.ok(outcome.ok, JSON.stringify(outcome));
    assert.ok((outcome.rttMs ?? -1) >= 0 && (outcome.rttMs ?? 0) < 1_000, String(outcome.rttMs));
    for (let waited = 0; !closedByProbe && waited < 50; waited++) {
      await sleep(20);
    }
    assert.ok(closedByProbe, "the probe does not leave its connection open");
  } finally {
    await server.close();
  }
});

test("a host name is resolved, and reaching any of its addresses is ok", async () => {
  const server = await listenOnLoopback(createServer((socket) => socket.destroy()));
  try {
    const outcome = await probeTcp({ host: "localhost", port: server.port }, { timeoutMs: 5_000 });
    // Connecting tries every address of the name (::1 and 127.0.0.1): one of them listens.
    assert.ok(outcome.ok, JSON.stringify(outcome));
  } finally {
    await server.close();
  }
});

test("a closed port is connection_refused", async () => {
  const server = await listenOnLoopback(createServer());
  await server.close();
  const outcome = await probeTcp({ host: "127.0.0.1", port: server.port }, { timeoutMs: 5_000 });
  assert.equal(outcome, { ok: false, error: "connection_refused" });
});

test("an aborted signal interrupts the probe before it connects", async () => {
  const outcome = await probeTcp(
    { host: "127.0.0.1", port: 9 },
    { timeoutMs: 5_000, signal: AbortSignal.abort() },
  );
  assert.equal(outcome, { ok: false, error: "interrupted" });
});

test.run();

const missing = missingNetworkPrerequisites(["ip"]);
const silentNetwork = suite("a network that drops packets");

if (missing.length > 0 && !process.env.CI) {
  silentNetwork.skip(`a timeout (needs ${missing.join(", ")})`, () => {});
} else {
  const network = new TestNetwork();
  let namespace = "";
  // Built once before the tests; each test awaits it, so a failed setup is reported by each.
  let ready: Promise<void> = Promise.resolve();

  silentNetwork.before(() => {
    ready = (async () => {
      assert.equal(missing, [], "CI must provide root and iproute2");
      namespace = await network.addNamespace("tcp");
      const neighbour = await network.addNamespace("tcn");
      await network.link(
        { namespace, address: "192.0.2.1/24" },
        { namespace: neighbour, address: "192.0.2.2/24" },
      );
    })();
    ready.catch(() => {});
  });
  silentNetwork.after(() => network.tearDown());

  silentNetwork("a connection whose packets vanish is generic_timeout_error", async () => {
    await ready;
    // Nobody answers ARP for 192.0.2.7: the SYN never leaves, as if dropped on the way.
    const started = Date.now();
    const outcome = await probeInNamespace(
      network,
      namespace,
      { host: "192.0.2.7", port: 443, protocol: "tcp" },
      700,
    );
    assert.equal(outcome, { ok: false, error: "generic_timeout_error" });
    assert.ok(Date.now() - started >= 700);
  });

  silentNetwork("tearing down leaves none of the test's namespaces behind", async () => {
    await ready;
    network.tearDown();
    assert.equal(network.leftoverNamespaces(), []);
  });
}

silentNetwork.run();
