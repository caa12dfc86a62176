/**
 * Vantage probe tokens travel only over TLS the leader has checked, end to
 * end: a real probe agent process (`probe-agent/main.ts`) makes its
 * self-signed certificate on first start and logs its fingerprint; an admin
 * adds probes through the admin API of a one-node cluster; ban checks
 * (ServerChecker with the real vantage client) ask them. A pinned agent
 * answers; someone in the middle with another certificate, a wrong pin, or
 * an unpinned self-signed certificate is refused with a code that shows in
 * the verdict's evidence, and the token never reaches them; an http:// URL
 * is refused when it is added unless it is marked insecure, and an insecure
 * agent is then asked and listed as such.
 */

import { createHash, X509Certificate } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import type { Server } from "node:http";
import {
  type AddressInfo,
  createServer as createTcpServer,
  type Server as TcpServer,
} from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer as createTlsServer, type TLSSocket } from "node:tls";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ServerChecker } from "../../bot/jobs/server-checker.ts";
import { askVantageProbe } from "../../bot/jobs/vantage-probe-client.ts";
import { notLeaderAnswer } from "../../cluster/api/not-leader.ts";
import { addProbeRoutes } from "../../cluster/api/probe-routes.ts";
import { Router } from "../../cluster/api/router.ts";
import type { ControlPlaneService } from "../../cluster/control-plane-service.ts";
import { createNodeServer } from "../../cluster/http.ts";
import { NodeMetrics } from "../../cluster/metrics.ts";
import { SealedSecrets } from "../../cluster/sealed-secrets.ts";
import {
  agentCertificate,
  makeSelfSignedCertificate,
  selfSignedPaths,
} from "../../probe-agent/agent-tls.ts";
import { findFreePort } from "../../scripts/lib/free-port.ts";
import { type HttpJsonRequest, requestJson } from "../../scripts/lib/http-json.ts";
import { generateKeyPair } from "../../shared/crypto/wireguard-keys.ts";
import { runProbe } from "../../shared/probe/run-probe.ts";
import { silentLogger } from "../../shared/silent-logger.ts";
import { sleep } from "../../shared/sleep.ts";
import { startInMemoryCluster, TEST_DATA_KEYS } from "../cluster/support/in-memory-cluster.ts";
import { type NamespaceProcess, startScript } from "../support/namespace-process.ts";

const agentMain = fileURLToPath(new URL("../../probe-agent/main.ts", import.meta.url));
const AGENT_TOKEN = "probe-agent-tls-suite-token-0123456789";
const ADMIN_API_TOKEN = "probe-agent-tls-admin-token";
const STARTUP_MS = 30_000;
const SERVER_ID = "n1";

const sealing = new SealedSecrets(TEST_DATA_KEYS);

interface AgentProcess {
  process: NamespaceProcess;
  url: string;
  /** Undefined for an agent serving plain HTTP. */
  certSha256: string | undefined;
  /** How many requests it logged: probes it ran and requests it refused. */
  requestsLogged(): number;
}

/** Starts the agent as an operator would, in `dir` (its working directory, where `.data/` goes). */
async function startAgentProcess(
  dir: string,
  env: Record<string, string | undefined> = {},
): Promise<AgentProcess> {
  const port = await findFreePort();
  const agent = startScript(agentMain, [], {
    cwd: dir,
    env: {
      PROBE_AGENT_TOKEN: AGENT_TOKEN,
      PROBE_AGENT_LISTEN: `127.0.0.1:${port}`,
      PROBE_AGENT_TLS_CERT_FILE: undefined,
      PROBE_AGENT_TLS_KEY_FILE: undefined,
      PROBE_AGENT_DATA_DIR: undefined,
      PROBE_AGENT_INSECURE_HTTP: undefined,
      LOG_LEVEL: "info",
      ...env,
    },
  });
  cleanups.push(() => agent.stop());
  await agent.waitForOutput(/probe agent listening/, STARTUP_MS);
  const listening = agent
    .output()
    .split("\n")
    .find((line) => line.includes('"probe agent listening"'))!;
  const logged = JSON.parse(listening) as { url: string; certSha256?: string };
  // The line that tells the admin what to pin follows.
  if (logged.certSha256 !== undefined) await agent.waitForOutput(/pin it with/, STARTUP_MS);
  return {
    process: agent,
    url: logged.url,
    certSha256: logged.certSha256,
    requestsLogged: () =>
      (agent.output().match(/"msg":"(probed|refused a request)"/g) ?? []).length,
  };
}

const cleanups: Array<() => Promise<void> | void> = [];
const workDir = mkdtempSync(join(tmpdir(), "nexaloak-probe-agent-tls-"));
cleanups.push(() => rmSync(workDir, { recursive: true, force: true }));

/** The server the ban checks probe: a loopback port that accepts connections. */
async function startTarget(): Promise<{ server: TcpServer; port: number }> {
  const server = createTcpServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { server, port: (server.address() as AddressInfo).port };
}

interface Fleet {
  service: ControlPlaneService;
  checker: ServerChecker;
  api(path: string, options?: HttpJsonRequest): ReturnType<typeof requestJson>;
}

/** A one-node cluster with its admin API, a registered server on `targetPort`, and ban checks over it. */
async function startFleet(targetPort: number): Promise<Fleet> {
  const cluster = await startInMemoryCluster(1);
  cleanups.push(() => cluster.stop());
  const leader = await cluster.leader();
  const service = leader.assembled.service;
  await service.run({
    type: "registerServer",
    serverId: SERVER_ID,
    publicKey: generateKeyPair().publicKey,
    listenPort: 51820,
    apiPort: targetPort,
    endpointHost: "127.0.0.1",
    capacity: 10,
    region: "default",
    at: service.now(),
  });
  const router = new Router();
  addProbeRoutes(router, service);
  const server: Server = createNodeServer({
    router,
    adminApiTokenSha256s: [createHash("sha256").update(ADMIN_API_TOKEN).digest("hex")],
    metrics: new NodeMetrics(),
    readiness: () => ({ ready: true }),
    observedAddress: () => ({ status: 404, body: {} }),
    apiUnavailableReason: () => undefined,
    notLeaderAnswer: () => notLeaderAnswer(leader.node.status()),
    logger: silentLogger,
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => {
    server.closeAllConnections();
    server.close();
  });
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const checker = new ServerChecker({
    service,
    sealing,
    probing: { probe: runProbe, askVantage: askVantageProbe },
    // One answering vantage is enough for a verdict here: each test asks one or two.
    settings: {
      banAfter: 2,
      downAfter: 2,
      probeTimeoutMs: 2000,
      policy: { minAnswers: 1, failingToFilter: 2 },
    },
    logger: silentLogger,
  });
  return {
    service,
    checker,
    api: (path, options = {}) =>
      requestJson(`${apiUrl}${path}`, {
        bearerToken: ADMIN_API_TOKEN,
        timeoutMs: 10_000,
        ...options,
      }),
  };
}

/** The on-path censor answering at an address in the agent's place, with its own certificate; it records every byte. */
async function startImpostor(): Promise<{ url: string; received(): Promise<string> }> {
  const made = await makeSelfSignedCertificate();
  let bytes = "";
  const sockets = new Set<TLSSocket>();
  const server = createTlsServer({ cert: made.cert, key: made.key }, (socket) => {
    sockets.add(socket);
    socket.on("data", (chunk: Buffer) => {
      bytes += chunk.toString("latin1");
    });
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received: async () => {
      await sleep(200);
      return bytes;
    },
  };
}

async function addProbe(fleet: Fleet, body: Record<string, unknown>): Promise<void> {
  const added = await fleet.api("/v1/probes", {
    method: "POST",
    body: { token: AGENT_TOKEN, isp: "test-isp", ...body },
  });
  assert.is(added.status, 201, added.text);
}

async function removeEveryProbe(fleet: Fleet): Promise<void> {
  for (const probe of await fleet.service.vantageProbes())
    await fleet.api(`/v1/probes/${probe.id}`, { method: "DELETE" });
}

async function evidenceOfCheck(fleet: Fleet): Promise<string> {
  const recorded = await fleet.checker.check(SERVER_ID, "now");
  assert.ok(recorded, "the check recorded a verdict");
  return recorded!.evidence;
}

let fleet: Fleet;
let agent: AgentProcess;
const agentDir = join(workDir, "agent");

test.before(async () => {
  const target = await startTarget();
  fleet = await startFleet(target.port);
});

// A test that failed halfway must not leave its probes to the next one.
test.before.each(async () => {
  await removeEveryProbe(fleet);
});

test.after(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

test("the agent makes a self-signed certificate on first start, logs its fingerprint, and keeps it across restarts", async () => {
  mkdirSync(agentDir);
  const first = await startAgentProcess(agentDir);
  assert.match(first.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  assert.match(first.process.output(), /made a self-signed certificate and key/);
  const paths = selfSignedPaths(join(agentDir, ".data/probe-agent"));
  assert.is(statSync(paths.key).mode & 0o777, 0o600);
  const certificate = new X509Certificate(readFileSync(paths.cert));
  assert.is(
    first.certSha256,
    certificate.fingerprint256,
    "the logged fingerprint is the certificate's",
  );
  assert.match(first.process.output(), `sha256=${certificate.fingerprint256}`);
  await first.process.stop();
  agent = await startAgentProcess(agentDir);
  assert.is(agent.certSha256, first.certSha256, "the same certificate after a restart");
  assert.not.match(agent.process.output(), /made a self-signed certificate/);
});

test("pinned by its fingerprint (as an admin types it), the agent is asked and its measurement counts", async () => {
  await addProbe(fleet, {
    id: "pinned",
    url: agent.url,
    certSha256: agent.certSha256!.toLowerCase(),
  });
  const listed = await fleet.api("/v1/probes");
  const [probe] = (listed.body as { probes: { certSha256: string; insecure: boolean }[] }).probes;
  assert.equal([probe?.certSha256, probe?.insecure], [agent.certSha256, false]);
  const before = agent.requestsLogged();
  assert.is(await evidenceOfCheck(fleet), "ok: 0/1 answering vantages fail; control ok");
  // The agent's log line travels through a pipe and may land after the answer did.
  for (let attempt = 0; attempt < 100 && agent.requestsLogged() === before; attempt++)
    await sleep(20);
  assert.match(agent.process.output(), /"msg":"probed"/);
  assert.is(agent.requestsLogged(), before + 1);
  await removeEveryProbe(fleet);
});

test("the censor in the middle with its own certificate, and the agent under a wrong pin: VANTAGE_CERT_MISMATCH in the evidence, and the token reaches neither", async () => {
  const impostor = await startImpostor();
  const other = await makeSelfSignedCertificate();
  const otherPin = agentCertificate(Buffer.from(other.cert), Buffer.from(other.key), "other");
  assert.ok(otherPin.ok);
  // The right pin, but the connection lands at the censor's server.
  await addProbe(fleet, { id: "mitm", url: impostor.url, certSha256: agent.certSha256 });
  await addProbe(fleet, {
    id: "wrongpin",
    url: agent.url,
    certSha256: otherPin.ok ? otherPin.value.certSha256 : "",
  });
  const before = agent.requestsLogged();
  assert.is(
    await evidenceOfCheck(fleet),
    "inconclusive: 0 vantages answered, 1 needed, 2 of 2 gave no answer (VANTAGE_CERT_MISMATCH: mitm, wrongpin); control ok",
  );
  const received = await impostor.received();
  assert.is(received, "", "not a byte after the handshake");
  assert.not.match(received, AGENT_TOKEN);
  assert.is(agent.requestsLogged(), before, "the agent saw no request");
  await removeEveryProbe(fleet);
});

test("the agent's self-signed certificate without a pin: VANTAGE_CERT_UNTRUSTED, and the agent sees no request", async () => {
  await addProbe(fleet, { id: "unpinned", url: agent.url });
  const before = agent.requestsLogged();
  assert.is(
    await evidenceOfCheck(fleet),
    "inconclusive: 0 vantages answered, 1 needed, 1 of 1 gave no answer (VANTAGE_CERT_UNTRUSTED: unpinned); control ok",
  );
  assert.is(agent.requestsLogged(), before);
  await removeEveryProbe(fleet);
});

test("an http:// URL is refused when added; marked insecure, a plain-HTTP agent is asked and listed as insecure", async () => {
  const insecureDir = join(workDir, "insecure-agent");
  mkdirSync(insecureDir);
  const plain = await startAgentProcess(insecureDir, { PROBE_AGENT_INSECURE_HTTP: "true" });
  assert.match(plain.url, /^http:\/\//);
  assert.is(plain.certSha256, undefined);
  assert.match(
    plain.process.output(),
    /"level":"warn".*serving plain HTTP \(PROBE_AGENT_INSECURE_HTTP\)/,
  );
  const refused = await fleet.api("/v1/probes", {
    method: "POST",
    body: { id: "plain", url: plain.url, token: AGENT_TOKEN },
  });
  assert.is(refused.status, 400, refused.text);
  assert.match(
    (refused.body as { error: { message: string } }).error.message,
    /^url: http:\/\/ would send the probe's token and keys unencrypted/,
  );
  assert.equal(await fleet.service.vantageProbes(), []);
  await addProbe(fleet, { id: "plain", url: plain.url, insecure: true });
  const listed = await fleet.api("/v1/probes");
  const [probe] = (listed.body as { probes: { certSha256: string | null; insecure: boolean }[] })
    .probes;
  assert.equal([probe?.certSha256, probe?.insecure], [null, true]);
  assert.is(await evidenceOfCheck(fleet), "ok: 0/1 answering vantages fail; control ok");
  assert.match(plain.process.output(), /"msg":"probed"/);
  await removeEveryProbe(fleet);
});

test.run();
