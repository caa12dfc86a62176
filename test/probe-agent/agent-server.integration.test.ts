/**
 * The probe agent's HTTP contract: only an authorized, valid `POST /v1/probe`
 * reaches the probe function; a probe's own failure is a 200 measurement;
 * everything else is a JSON error with a stable code, and nothing stops the
 * agent from serving the next request.
 */
import { request as httpsRequest } from "node:https";
import { type AddressInfo, createServer as createTcpServer } from "node:net";
import { pino } from "pino";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createProbeAgentServer, type ProbeFunction } from "../../probe-agent/agent-server.ts";
import { generateKeyPair } from "../../shared/crypto/wireguard-keys.ts";
import type { ProbeOutcome } from "../../shared/probe/probe-request.ts";
import { runProbe } from "../../shared/probe/run-probe.ts";
import { selfSignedCertificate } from "../support/self-signed-certificate.ts";
import {
  AGENT_TOKEN,
  answering,
  closeServer,
  listenOnLoopback,
  type RunningAgent,
  startAgent,
  waitFor,
} from "./support/running-agent.ts";

const tcpTarget = { host: "127.0.0.1", port: 4443, protocol: "tcp" } as const;

function postProbe(
  agent: RunningAgent,
  body: unknown,
  init: { token?: string | null; signal?: AbortSignal } = {},
): Promise<Response> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  const token = init.token === undefined ? AGENT_TOKEN : init.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  return fetch(`${agent.url}/v1/probe`, {
    method: "POST",
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...(init.signal ? { signal: init.signal } : {}),
  });
}

async function withAgent(
  probe: ProbeFunction,
  body: (agent: RunningAgent) => Promise<void>,
  maxConcurrentProbes = 8,
): Promise<void> {
  const agent = await startAgent(probe, { maxConcurrentProbes });
  try {
    await body(agent);
  } finally {
    await agent.close();
  }
}

async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  const body = (await response.json()) as { error: { code: string; message: string } };
  return body.error;
}

test("a valid request runs the probe with its target and timeout and answers 200 with the outcome", async () => {
  await withAgent(answering({ ok: true, rttMs: 12.5 }), async (agent) => {
    const response = await postProbe(agent, { target: tcpTarget, timeoutMs: 3000 });
    assert.is(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
    assert.equal(await response.json(), { ok: true, rttMs: 12.5 });
    assert.is(agent.calls.length, 1);
    assert.equal(agent.calls[0]!.target, tcpTarget);
    assert.is(agent.calls[0]!.timeoutMs, 3000);
  });
});

test("a probe that fails is still a measurement: 200 with ok false and the failure's name", async () => {
  await withAgent(answering({ ok: false, error: "connection_reset" }), async (agent) => {
    const response = await postProbe(agent, { target: tcpTarget, timeoutMs: 1000 });
    assert.is(response.status, 200);
    assert.equal(await response.json(), { ok: false, error: "connection_reset" });
  });
});

test("a wireguard target with both keys is probed", async () => {
  await withAgent(answering({ ok: true, rttMs: 40 }), async (agent) => {
    const target = {
      host: "vpn1.example.net",
      port: 51820,
      protocol: "wireguard",
      serverPublicKey: generateKeyPair().publicKey,
      probeKey: generateKeyPair().privateKey,
    };
    const response = await postProbe(agent, { target, timeoutMs: 5000 });
    assert.is(response.status, 200);
    assert.equal(agent.calls[0]!.target, target);
  });
});

const shadowsocksTarget = {
  host: "vpn1.example.net",
  port: 8388,
  protocol: "shadowsocks",
  shadowsocks: {
    method: "chacha20-ietf-poly1305",
    password: "the server's probe password",
    relayTo: { host: "vpn1.example.net", port: 7001 },
  },
};

test("a shadowsocks target with its method, password and relayed target is probed", async () => {
  await withAgent(answering({ ok: true, rttMs: 55 }), async (agent) => {
    const response = await postProbe(agent, { target: shadowsocksTarget, timeoutMs: 5000 });
    assert.is(response.status, 200);
    assert.equal(await response.json(), { ok: true, rttMs: 55 });
    assert.equal(agent.calls[0]!.target, shadowsocksTarget);
  });
});

test("a shadowsocks target without its credentials, or with a method it does not know, is refused with 400", async () => {
  await withAgent(answering({ ok: true, rttMs: 1 }), async (agent) => {
    const bare = { host: "127.0.0.1", port: 8388, protocol: "shadowsocks" };
    const missing = await postProbe(agent, { target: bare, timeoutMs: 1000 });
    assert.is(missing.status, 400);
    assert.match((await errorOf(missing)).message, /a shadowsocks probe needs shadowsocks/);
    const rc4 = {
      ...shadowsocksTarget,
      shadowsocks: { ...shadowsocksTarget.shadowsocks, method: "rc4-md5" },
    };
    const unknown = await postProbe(agent, { target: rc4, timeoutMs: 1000 });
    assert.is(unknown.status, 400);
    assert.match((await errorOf(unknown)).message, /method/);
    assert.is(agent.calls.length, 0);
  });
});

/** The bland 404 any web server gives: what a scanner or a wrong token sees. */
async function assertBland(response: Response): Promise<void> {
  assert.is(response.status, 404);
  assert.is(await response.text(), "Not Found");
  assert.is(response.headers.get("www-authenticate"), null);
}

test("a wrong token gets a plain 404 that names nothing, and the probe never runs", async () => {
  await withAgent(answering({ ok: true, rttMs: 1 }), async (agent) => {
    const response = await postProbe(
      agent,
      { target: tcpTarget, timeoutMs: 1000 },
      {
        token: `${AGENT_TOKEN}x`,
      },
    );
    await assertBland(response);
    assert.is(agent.calls.length, 0);
  });
});

test("a missing token, a wrong one and an unknown path all get the same plain 404", async () => {
  await withAgent(answering({ ok: true, rttMs: 1 }), async (agent) => {
    const request = { target: tcpTarget, timeoutMs: 1000 };
    await assertBland(await postProbe(agent, request, { token: null }));
    await assertBland(await postProbe(agent, request, { token: "not-the-token-at-all" }));
    await assertBland(await fetch(`${agent.url}/`));
    await assertBland(await fetch(`${agent.url}/v1/status`));
    await assertBland(await fetch(`${agent.url}/v1/probe`));
    assert.is(agent.calls.length, 0);
  });
});

test("a token sent with another scheme than Bearer is refused", async () => {
  await withAgent(answering({ ok: true, rttMs: 1 }), async (agent) => {
    const response = await fetch(`${agent.url}/v1/probe`, {
      method: "POST",
      headers: { Authorization: `Basic ${AGENT_TOKEN}` },
      body: JSON.stringify({ target: tcpTarget, timeoutMs: 1000 }),
    });
    await assertBland(response);
  });
});

test("a body that is not JSON is refused with 400 INVALID_JSON", async () => {
  await withAgent(answering({ ok: true, rttMs: 1 }), async (agent) => {
    const response = await postProbe(agent, '{"target": {"host": ');
    assert.is(response.status, 400);
    assert.is((await errorOf(response)).code, "INVALID_JSON");
    assert.is(agent.calls.length, 0);
  });
});

test("a wireguard target without its keys is refused with 400 INVALID_BODY naming the target", async () => {
  await withAgent(answering({ ok: true, rttMs: 1 }), async (agent) => {
    const target = { host: "127.0.0.1", port: 51820, protocol: "wireguard" };
    const response = await postProbe(agent, { target, timeoutMs: 1000 });
    assert.is(response.status, 400);
    const error = await errorOf(response);
    assert.is(error.code, "INVALID_BODY");
    assert.match(error.message, /^target: a wireguard probe needs serverPublicKey and probeKey/);
    assert.is(agent.calls.length, 0);
  });
});

test("a bad field is refused with a message naming it", async () => {
  await withAgent(answering({ ok: true, rttMs: 1 }), async (agent) => {
    const tooLong = await postProbe(agent, { target: tcpTarget, timeoutMs: 600_000 });
    assert.is(tooLong.status, 400);
    assert.match((await errorOf(tooLong)).message, /^timeoutMs: /);
    const badPort = await postProbe(agent, { target: { ...tcpTarget, port: 0 }, timeoutMs: 10 });
    assert.match((await errorOf(badPort)).message, /^target\.port: /);
    const unknownField = await postProbe(agent, { target: tcpTarget, timeoutMs: 10, extra: 1 });
    assert.is(unknownField.status, 400);
    assert.match((await errorOf(unknownField)).message, /extra/);
    const empty = await postProbe(agent, "");
    assert.is(empty.status, 400);
    assert.match((await errorOf(empty)).message, /target/);
    assert.is(agent.calls.length, 0);
  });
});

test("an oversized body is refused with 413 BODY_TOO_LARGE", async () => {
  await withAgent(answering({ ok: true, rttMs: 1 }), async (agent) => {
    const body = JSON.stringify({
      target: { ...tcpTarget, host: "a".repeat(100 * 1024) },
      timeoutMs: 1000,
    });
    const response = await postProbe(agent, body);
    assert.is(response.status, 413);
    assert.is((await errorOf(response)).code, "BODY_TOO_LARGE");
    assert.is(agent.calls.length, 0);
  });
});

test("with the token, an unknown path is 404 NOT_FOUND and a wrong method 405 with Allow, both as JSON", async () => {
  await withAgent(answering({ ok: true, rttMs: 1 }), async (agent) => {
    const unknown = await fetch(`${agent.url}/v1/status`, {
      headers: { Authorization: `Bearer ${AGENT_TOKEN}` },
    });
    assert.is(unknown.status, 404);
    assert.is((await errorOf(unknown)).code, "NOT_FOUND");
    const getProbe = await fetch(`${agent.url}/v1/probe`, {
      headers: { Authorization: `Bearer ${AGENT_TOKEN}` },
    });
    assert.is(getProbe.status, 405);
    assert.is(getProbe.headers.get("allow"), "POST");
    assert.is((await errorOf(getProbe)).code, "METHOD_NOT_ALLOWED");
    const postHealth = await fetch(`${agent.url}/healthz`, {
      method: "POST",
      headers: { Authorization: `Bearer ${AGENT_TOKEN}` },
    });
    assert.is(postHealth.status, 405);
    assert.is(postHealth.headers.get("allow"), "GET");
  });
});

test("GET /healthz answers 200 {ok:true} without a token", async () => {
  await withAgent(answering({ ok: true, rttMs: 1 }), async (agent) => {
    const response = await fetch(`${agent.url}/healthz`);
    assert.is(response.status, 200);
    assert.equal(await response.json(), { ok: true });
  });
});

test("probes beyond maxConcurrentProbes are refused with 429 until a running one finishes", async () => {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const heldProbe: ProbeFunction = async () => {
    await released;
    return { ok: true, rttMs: 3 };
  };
  await withAgent(
    heldProbe,
    async (agent) => {
      const request = { target: tcpTarget, timeoutMs: 1000 };
      const running = [postProbe(agent, request), postProbe(agent, request)];
      await waitFor(() => agent.calls.length === 2, "two probes running");
      const refused = await postProbe(agent, request);
      assert.is(refused.status, 429);
      assert.is(refused.headers.get("retry-after"), "1");
      assert.is((await errorOf(refused)).code, "TOO_MANY_PROBES");
      assert.is(agent.calls.length, 2);
      release();
      for (const response of await Promise.all(running)) assert.is(response.status, 200);
      const after = await postProbe(agent, request);
      assert.is(after.status, 200);
    },
    2,
  );
});

test("a client that hangs up aborts its probe through the AbortSignal and frees its slot", async () => {
  let started = 0;
  // The first probe runs until it is aborted; later ones answer at once.
  const probeFirstUntilAborted: ProbeFunction = (_target, { signal }) =>
    new Promise<ProbeOutcome>((resolve) => {
      started++;
      if (started > 1) resolve({ ok: true, rttMs: 1 });
      signal?.addEventListener("abort", () =>
        resolve({ ok: false, error: "generic_timeout_error" }),
      );
    });
  await withAgent(
    probeFirstUntilAborted,
    async (agent) => {
      const hangUp = new AbortController();
      const request = postProbe(agent, { target: tcpTarget, timeoutMs: 30_000 }, hangUp);
      await waitFor(() => agent.calls.length === 1, "the probe to start");
      const signal = agent.calls[0]!.signal!;
      assert.is(signal.aborted, false);
      hangUp.abort();
      await request.catch(() => undefined);
      await waitFor(() => signal.aborted, "the probe's signal to abort");
      const next = await postProbe(agent, { target: tcpTarget, timeoutMs: 1000 });
      assert.is(next.status, 200);
    },
    1,
  );
});

test("a probe function that throws answers 500 INTERNAL and the agent keeps serving", async () => {
  let calls = 0;
  const flakyProbe: ProbeFunction = async () => {
    calls++;
    if (calls === 1) throw new Error("probe bug");
    return { ok: true, rttMs: 2 };
  };
  await withAgent(flakyProbe, async (agent) => {
    const request = { target: tcpTarget, timeoutMs: 1000 };
    const failed = await postProbe(agent, request);
    assert.is(failed.status, 500);
    assert.is((await errorOf(failed)).code, "INTERNAL");
    const next = await postProbe(agent, request);
    assert.is(next.status, 200);
  });
});

test("the probe's log line never names a shadowsocks password", async () => {
  const lines: string[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => lines.push(line) });
  const agent = await startAgent(answering({ ok: false, error: "generic_timeout_error" }), {
    logger,
  });
  try {
    assert.is((await postProbe(agent, { target: shadowsocksTarget, timeoutMs: 1000 })).status, 200);
    assert.ok(
      lines.some((line) => line.includes('"probed"')),
      lines.join("\n"),
    );
    assert.not.match(lines.join("\n"), shadowsocksTarget.shadowsocks.password);
  } finally {
    await agent.close();
  }
});

test("the probe's log line names the target but never its WireGuard keys", async () => {
  const lines: string[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => lines.push(line) });
  const agent = await startAgent(answering({ ok: true, rttMs: 9 }), { logger });
  try {
    const probeKey = generateKeyPair().privateKey;
    const target = {
      host: "127.0.0.1",
      port: 51820,
      protocol: "wireguard",
      serverPublicKey: generateKeyPair().publicKey,
      probeKey,
    };
    assert.is((await postProbe(agent, { target, timeoutMs: 1000 })).status, 200);
    const probed = lines.find((line) => line.includes('"probed"'));
    assert.ok(probed, lines.join("\n"));
    assert.match(probed, '"host":"127.0.0.1"');
    assert.not.match(lines.join("\n"), probeKey);
  } finally {
    await agent.close();
  }
});

test("with a certificate and key the agent serves HTTPS", async () => {
  const certificate = selfSignedCertificate();
  assert.ok(certificate, "openssl must be installed to make the test certificate");
  const server = createProbeAgentServer({
    token: AGENT_TOKEN,
    probe: answering({ ok: true, rttMs: 7 }),
    maxConcurrentProbes: 1,
    tls: certificate,
  });
  const port = await listenOnLoopback(server);
  try {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpsRequest(
        {
          host: "127.0.0.1",
          port,
          path: "/v1/probe",
          method: "POST",
          ca: certificate.cert,
          headers: { Authorization: `Bearer ${AGENT_TOKEN}` },
          timeout: 10_000,
        },
        (response) => {
          let body = "";
          response.setEncoding("utf8");
          response.on("data", (chunk: string) => {
            body += chunk;
          });
          response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
        },
      );
      request.on("error", reject);
      request.on("timeout", () => request.destroy(new Error("no answer over HTTPS")));
      request.end(JSON.stringify({ target: tcpTarget, timeoutMs: 1000 }));
    });
    assert.is(answer.status, 200);
    assert.equal(JSON.parse(answer.body), { ok: true, rttMs: 7 });
  } finally {
    await closeServer(server);
  }
});

test("with the real runProbe, a listening loopback port is ok and a closed one connection_refused", async () => {
  const tcpServer = createTcpServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => tcpServer.listen(0, "127.0.0.1", resolve));
  const openPort = (tcpServer.address() as AddressInfo).port;
  const closedServer = createTcpServer();
  await new Promise<void>((resolve) => closedServer.listen(0, "127.0.0.1", resolve));
  const closedPort = (closedServer.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closedServer.close(() => resolve()));
  const agent = await startAgent(runProbe);
  try {
    const open = await postProbe(agent, {
      target: { host: "127.0.0.1", port: openPort, protocol: "tcp" },
      timeoutMs: 5000,
    });
    assert.is(open.status, 200);
    const opened = (await open.json()) as ProbeOutcome;
    assert.is(opened.ok, true);
    assert.type(opened.rttMs, "number");
    const closed = await postProbe(agent, {
      target: { host: "127.0.0.1", port: closedPort, protocol: "tcp" },
      timeoutMs: 5000,
    });
    assert.is(closed.status, 200);
    assert.equal(await closed.json(), { ok: false, error: "connection_refused" });
  } finally {
    await agent.close();
    await new Promise<void>((resolve) => tcpServer.close(() => resolve()));
  }
});

test.run();
