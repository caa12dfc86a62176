/**
 * The leader's client for vantage probes: a measurement (even a failed probe)
 * comes back as a value; a vantage that does not answer usefully comes back
 * as a typed error, so the ban check can count it as "no answer". Over
 * https:// a pinned certificate is accepted exactly, any other is refused
 * before the token is written; http:// only for a probe marked insecure (the
 * plain-HTTP servers below stand for such probes).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createTlsServer, type TLSSocket, connect as tlsConnect } from "node:tls";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  askVantageProbe,
  probeEndpoint,
  type VantageProbeResult,
} from "../../../bot/jobs/vantage-probe-client.ts";
import { agentCertificate, makeSelfSignedCertificate } from "../../../probe-agent/agent-tls.ts";
import { shortCertSha256 } from "../../../shared/cert-fingerprint.ts";
import type { ServerTls } from "../../../shared/http-server.ts";
import type { ProbeRequest } from "../../../shared/probe/probe-request.ts";
import { sleep } from "../../../shared/sleep.ts";
import {
  AGENT_TOKEN,
  answering,
  closeServer,
  listenOnLoopback,
  startAgent,
} from "../../probe-agent/support/running-agent.ts";

const request: ProbeRequest = {
  target: { host: "127.0.0.1", port: 4443, protocol: "tls" },
  timeoutMs: 2000,
};

/** Runs `body` against an HTTP server on 127.0.0.1 that answers with `handler`. */
async function withServer(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
  body: (url: string) => Promise<void>,
): Promise<void> {
  const server = createServer(handler);
  const port = await listenOnLoopback(server);
  try {
    await body(`http://127.0.0.1:${port}`);
  } finally {
    await closeServer(server);
  }
}

/** Asks as ban checks ask a probe marked insecure: the plain-HTTP servers here are such probes. */
function ask(url: string, overrides: { token?: string; signal?: AbortSignal } = {}) {
  return askVantageProbe({
    url,
    token: overrides.token ?? AGENT_TOKEN,
    request,
    fetchTimeoutMs: 5000,
    insecure: true,
    ...(overrides.signal ? { signal: overrides.signal } : {}),
  });
}

/** A self-signed certificate as the agent makes one (for `localhost`), with its fingerprint. */
async function agentCertificateForTest(): Promise<ServerTls & { certSha256: string }> {
  const made = await makeSelfSignedCertificate();
  const checked = agentCertificate(Buffer.from(made.cert), Buffer.from(made.key), "test");
  if (!checked.ok) throw new Error(checked.error.message);
  return checked.value;
}

const agentTls = await agentCertificateForTest();
/** The censor's own certificate, presented by whoever sits in the middle. */
const impostorTls = await agentCertificateForTest();

function askOverTls(url: string, pin: string | null, token = AGENT_TOKEN) {
  return askVantageProbe({ url, token, request, fetchTimeoutMs: 5000, certSha256: pin });
}

/**
 * A TLS server that completes handshakes with `tls` and records every byte a
 * client sends after them (decrypted), answering nothing: the on-path censor
 * posing as the agent, hoping for the token.
 */
async function withImpostor(
  body: (
    url: string,
    received: () => Promise<{ connections: number; bytes: string }>,
  ) => Promise<void>,
): Promise<void> {
  let connections = 0;
  let bytes = "";
  const sockets = new Set<TLSSocket>();
  const server = createTlsServer({ cert: impostorTls.cert, key: impostorTls.key }, (socket) => {
    sockets.add(socket);
    socket.on("data", (chunk: Buffer) => {
      bytes += chunk.toString("latin1");
    });
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  try {
    await body(`https://127.0.0.1:${port}`, async () => {
      // Anything the client wrote after the handshake has had time to arrive.
      await sleep(200);
      return { connections, bytes };
    });
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function errorCodeOf(result: VantageProbeResult): string {
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.value)}`);
  return result.error.code;
}

/** A server whose every answer is `status` with `body` written as it is. */
function answeringRaw(status: number, body: string) {
  return (_request: IncomingMessage, response: ServerResponse) => {
    response.writeHead(status, { "Content-Type": "application/json" });
    response.end(body);
  };
}

test("the probe endpoint is v1/probe below the url's path, unless the path already ends in it", () => {
  const endpoint = (url: string) => probeEndpoint(url).href;
  assert.is(endpoint("http://10.0.0.5:9190"), "http://10.0.0.5:9190/v1/probe");
  assert.is(endpoint("http://10.0.0.5:9190/"), "http://10.0.0.5:9190/v1/probe");
  assert.is(endpoint("https://probe.example/ru-1/"), "https://probe.example/ru-1/v1/probe");
  assert.is(endpoint("https://probe.example/ru-1/v1/probe"), "https://probe.example/ru-1/v1/probe");
  assert.is(endpoint("http://10.0.0.5:9190/v1/probe#x"), "http://10.0.0.5:9190/v1/probe");
});

test("against the real agent, a probe that succeeded comes back with its round-trip time", async () => {
  const agent = await startAgent(answering({ ok: true, rttMs: 23 }));
  try {
    const result = await ask(agent.url);
    assert.equal(result, { ok: true, value: { ok: true, rttMs: 23 } });
    assert.equal(agent.calls[0]!.target, request.target);
    assert.is(agent.calls[0]!.timeoutMs, request.timeoutMs);
  } finally {
    await agent.close();
  }
});

test("against the real agent, a failed probe is a measurement, not an error", async () => {
  const agent = await startAgent(answering({ ok: false, error: "connection_reset" }));
  try {
    assert.equal(await ask(agent.url), {
      ok: true,
      value: { ok: false, error: "connection_reset" },
    });
  } finally {
    await agent.close();
  }
});

test("against the real agent, a wrong token is VANTAGE_UNAUTHORIZED", async () => {
  const agent = await startAgent(answering({ ok: true, rttMs: 1 }));
  try {
    const result = await ask(agent.url, { token: "another-token-entirely" });
    assert.is(errorCodeOf(result), "VANTAGE_UNAUTHORIZED");
    assert.is(agent.calls.length, 0);
  } finally {
    await agent.close();
  }
});

test("against a busy agent, the 429 is VANTAGE_HTTP_ERROR with the status and the agent's code", async () => {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const agent = await startAgent(
    async () => {
      await released;
      return { ok: true, rttMs: 1 };
    },
    { maxConcurrentProbes: 1 },
  );
  try {
    const running = ask(agent.url);
    const deadline = Date.now() + 5000;
    while (agent.calls.length === 0 && Date.now() < deadline) {
      await sleep(5);
    }
    const busy = await ask(agent.url);
    assert.ok(!busy.ok);
    assert.is(busy.error.code, "VANTAGE_HTTP_ERROR");
    assert.is(busy.error.status, 429);
    assert.match(busy.error.message, /TOO_MANY_PROBES/);
    release();
    assert.ok((await running).ok);
  } finally {
    release();
    await agent.close();
  }
});

test("the request carries the bearer token and the probe request as JSON", async () => {
  let seen: { method?: string; url?: string; authorization?: string; body?: string } = {};
  await withServer(
    (incoming, response) => {
      let body = "";
      incoming.on("data", (chunk: Buffer) => {
        body += chunk.toString("utf8");
      });
      incoming.on("end", () => {
        seen = {
          method: incoming.method ?? "",
          url: incoming.url ?? "",
          authorization: incoming.headers.authorization ?? "",
          body,
        };
        answeringRaw(200, '{"ok":true,"rttMs":5}')(incoming, response);
      });
    },
    async (url) => {
      assert.ok((await ask(`${url}/agent/`)).ok);
      assert.equal(seen, {
        method: "POST",
        url: "/agent/v1/probe",
        authorization: `Bearer ${AGENT_TOKEN}`,
        body: JSON.stringify(request),
      });
    },
  );
});

test("a server answering 500 is VANTAGE_HTTP_ERROR with status 500", async () => {
  await withServer(
    answeringRaw(500, '{"error":{"code":"INTERNAL","message":"the agent failed; see its log"}}'),
    async (url) => {
      const result = await ask(url);
      assert.ok(!result.ok);
      assert.is(result.error.code, "VANTAGE_HTTP_ERROR");
      assert.is(result.error.status, 500);
      assert.match(
        result.error.message,
        /HTTP 500 \("INTERNAL": "the agent failed; see its log"\)/,
      );
    },
  );
});

test("a redirect is VANTAGE_HTTP_ERROR and is not followed with the token", async () => {
  let requests = 0;
  await withServer(
    (_incoming, response) => {
      requests++;
      response.writeHead(302, { Location: "http://127.0.0.1:1/elsewhere" });
      response.end();
    },
    async (url) => {
      const result = await ask(url);
      assert.ok(!result.ok);
      assert.is(result.error.code, "VANTAGE_HTTP_ERROR");
      assert.is(result.error.status, 302);
      assert.is(requests, 1);
    },
  );
});

test("a 200 that is not JSON is VANTAGE_BAD_REPLY", async () => {
  await withServer(answeringRaw(200, "<html>captive portal</html>"), async (url) => {
    assert.is(errorCodeOf(await ask(url)), "VANTAGE_BAD_REPLY");
  });
});

test("a 200 that is JSON but not a probe outcome is VANTAGE_BAD_REPLY", async () => {
  for (const body of [
    "[]",
    '{"ok":"yes"}',
    '{"ok":true,"rttMs":-1}',
    '{"ok":true,"rttMs":1,"extra":1}',
    '{"ok":false}',
    '{"ok":true,"rttMs":1,"error":"connection_reset"}',
    JSON.stringify({ ok: false, error: "x".repeat(201) }),
  ]) {
    await withServer(answeringRaw(200, body), async (url) => {
      assert.is(errorCodeOf(await ask(url)), "VANTAGE_BAD_REPLY", body);
    });
  }
});

test("a reply larger than any probe outcome is VANTAGE_BAD_REPLY", async () => {
  const huge = JSON.stringify({ ok: true, rttMs: 1, padding: "x".repeat(1024 * 1024) });
  await withServer(answeringRaw(200, huge), async (url) => {
    const result = await ask(url);
    assert.ok(!result.ok);
    assert.is(result.error.code, "VANTAGE_BAD_REPLY");
    assert.match(result.error.message, /larger than/);
  });
});

test("nothing listening is VANTAGE_UNREACHABLE", async () => {
  const server = createServer();
  const port = await listenOnLoopback(server);
  await closeServer(server);
  const result = await ask(`http://127.0.0.1:${port}`);
  assert.ok(!result.ok);
  assert.is(result.error.code, "VANTAGE_UNREACHABLE");
  assert.match(result.error.message, /ECONNREFUSED/);
});

test("a server that never answers is VANTAGE_TIMEOUT after timeoutMs plus fetchTimeoutMs", async () => {
  await withServer(
    () => {},
    async (url) => {
      const startedAt = Date.now();
      const result = await askVantageProbe({
        url,
        token: AGENT_TOKEN,
        insecure: true,
        request: { ...request, timeoutMs: 100 },
        fetchTimeoutMs: 200,
      });
      const elapsedMs = Date.now() - startedAt;
      assert.is(errorCodeOf(result), "VANTAGE_TIMEOUT");
      assert.ok(elapsedMs >= 250, `gave up after ${elapsedMs} ms`);
      assert.ok(elapsedMs < 5000, `gave up after ${elapsedMs} ms`);
    },
  );
});

test("a server that sends headers and then stalls is VANTAGE_TIMEOUT too", async () => {
  await withServer(
    (_incoming, response) => {
      response.writeHead(200, { "Content-Type": "application/json" });
      response.write('{"ok":');
    },
    async (url) => {
      const result = await askVantageProbe({
        url,
        token: AGENT_TOKEN,
        insecure: true,
        request: { ...request, timeoutMs: 50 },
        fetchTimeoutMs: 200,
      });
      assert.is(errorCodeOf(result), "VANTAGE_TIMEOUT");
    },
  );
});

test("the caller's abort ends the request at once as VANTAGE_ABORTED", async () => {
  await withServer(
    () => {},
    async (url) => {
      const caller = new AbortController();
      const startedAt = Date.now();
      setTimeout(() => caller.abort(), 50);
      const result = await ask(url, { signal: caller.signal });
      assert.is(errorCodeOf(result), "VANTAGE_ABORTED");
      assert.ok(Date.now() - startedAt < 4000);
    },
  );
});

test("over https, the agent's self-signed certificate pinned by its fingerprint: the probe works", async () => {
  const agent = await startAgent(answering({ ok: true, rttMs: 17 }), { tls: agentTls });
  try {
    assert.match(agent.url, /^https:/);
    // The certificate is for localhost and the URL names 127.0.0.1: with a pin only the pin counts.
    const result = await askOverTls(agent.url, agentTls.certSha256);
    assert.equal(result, { ok: true, value: { ok: true, rttMs: 17 } });
    assert.is(agent.requests.length, 1);
    assert.is(agent.requests[0]!.authorization, `Bearer ${AGENT_TOKEN}`);
  } finally {
    await agent.close();
  }
});

test("(the impostor below does record what a client writes after the handshake)", async () => {
  await withImpostor(async (url, received) => {
    const { port } = new URL(url);
    const client = tlsConnect({ host: "127.0.0.1", port: Number(port), rejectUnauthorized: false });
    client.on("error", () => {});
    await new Promise<void>((resolve) => client.once("secureConnect", () => resolve()));
    client.write(`Authorization: Bearer ${AGENT_TOKEN}`);
    const seen = await received();
    client.destroy();
    assert.match(seen.bytes, AGENT_TOKEN);
  });
});

test("someone in the middle with another certificate: VANTAGE_CERT_MISMATCH, and not a byte of the request reaches it", async () => {
  await withImpostor(async (url, received) => {
    const result = await askOverTls(url, agentTls.certSha256);
    assert.ok(!result.ok);
    assert.is(result.error.code, "VANTAGE_CERT_MISMATCH");
    assert.match(result.error.message, shortCertSha256(impostorTls.certSha256));
    assert.match(result.error.message, shortCertSha256(agentTls.certSha256));
    assert.match(result.error.message, /the token was not sent/);
    const seen = await received();
    assert.is(seen.connections, 1, "the client did reach it");
    assert.is(seen.bytes, "", "nothing was written after the handshake");
  });
});

test("the real agent under a wrong pin: VANTAGE_CERT_MISMATCH, and the agent sees no request at all", async () => {
  const agent = await startAgent(answering({ ok: true, rttMs: 1 }), { tls: agentTls });
  try {
    const result = await askOverTls(agent.url, impostorTls.certSha256);
    assert.is(errorCodeOf(result), "VANTAGE_CERT_MISMATCH");
    assert.equal(agent.requests, []);
    assert.is(agent.calls.length, 0);
  } finally {
    await agent.close();
  }
});

test("no pin and a self-signed certificate: VANTAGE_CERT_UNTRUSTED before the token is written", async () => {
  const agent = await startAgent(answering({ ok: true, rttMs: 1 }), { tls: agentTls });
  try {
    const result = await askOverTls(agent.url, null);
    assert.ok(!result.ok);
    assert.is(result.error.code, "VANTAGE_CERT_UNTRUSTED");
    assert.match(result.error.message, /does not verify against the system CAs/);
    assert.match(result.error.message, /pin the SHA-256 fingerprint/);
    assert.equal(agent.requests, []);
  } finally {
    await agent.close();
  }
  await withImpostor(async (url, received) => {
    assert.is(errorCodeOf(await askOverTls(url, null)), "VANTAGE_CERT_UNTRUSTED");
    const seen = await received();
    assert.is(seen.connections, 1);
    assert.is(seen.bytes, "");
  });
});

test("a checked connection is kept for the next request to the same agent and pin, and for no other pin", async () => {
  const agent = await startAgent(answering({ ok: true, rttMs: 3 }), { tls: agentTls });
  try {
    for (let round = 0; round < 3; round++)
      assert.ok((await askOverTls(agent.url, agentTls.certSha256)).ok);
    assert.is(agent.requests.length, 3);
    assert.is(agent.connections(), 1, "one handshake for three requests");
    // The same agent under another pin: a connection of its own, checked, and refused.
    const wrong = await askOverTls(agent.url, impostorTls.certSha256);
    assert.is(errorCodeOf(wrong), "VANTAGE_CERT_MISMATCH");
    assert.is(agent.requests.length, 3, "the kept connection did not carry the token");
    const unpinned = await askOverTls(agent.url, null);
    assert.is(errorCodeOf(unpinned), "VANTAGE_CERT_UNTRUSTED");
    assert.is(agent.requests.length, 3);
  } finally {
    await agent.close();
  }
});

test("a probe that takes longer than a kept connection may idle still answers; an idle one the agent closed is not reused", async () => {
  const agent = await startAgent(
    async (_target, { timeoutMs }) => {
      await sleep(timeoutMs === 4500 ? 4500 : 0);
      return { ok: true, rttMs: 4 };
    },
    { tls: agentTls },
  );
  try {
    const slow = await askVantageProbe({
      url: agent.url,
      token: AGENT_TOKEN,
      certSha256: agentTls.certSha256,
      request: { ...request, timeoutMs: 4500 },
      fetchTimeoutMs: 5000,
    });
    assert.ok(slow.ok, JSON.stringify(slow));
    // Past the agent's own keep-alive timeout (5 s): the connection is gone, a new one is made.
    await sleep(5500);
    assert.ok((await askOverTls(agent.url, agentTls.certSha256)).ok);
    assert.is(agent.connections(), 2);
  } finally {
    await agent.close();
  }
});

test("an http:// URL not marked insecure is VANTAGE_INSECURE_URL without even connecting", async () => {
  let connections = 0;
  const server = createServer((_incoming, response) => response.end("{}"));
  server.on("connection", () => connections++);
  const port = await listenOnLoopback(server);
  try {
    const url = `http://127.0.0.1:${port}`;
    for (const options of [
      {},
      { insecure: false },
      { insecure: true, certSha256: agentTls.certSha256 },
    ]) {
      const result = await askVantageProbe({
        url,
        token: AGENT_TOKEN,
        request,
        fetchTimeoutMs: 5000,
        ...options,
      });
      assert.is(errorCodeOf(result), "VANTAGE_INSECURE_URL", JSON.stringify(options));
    }
    assert.is(connections, 0);
  } finally {
    await closeServer(server);
  }
});

test("an https:// URL at an agent serving plain HTTP fails the handshake: the token is never sent in the clear", async () => {
  const agent = await startAgent(answering({ ok: true, rttMs: 1 }));
  try {
    const url = agent.url.replace(/^http:/, "https:");
    const result = await askOverTls(url, agentTls.certSha256);
    assert.is(errorCodeOf(result), "VANTAGE_UNREACHABLE");
    assert.ok(
      agent.requests.every((seen) => seen.authorization === undefined),
      JSON.stringify(agent.requests),
    );
    assert.is(agent.calls.length, 0);
  } finally {
    await agent.close();
  }
});

test("a url that cannot be parsed is an error, never a throw", async () => {
  assert.is(errorCodeOf(await ask("not a url")), "VANTAGE_UNREACHABLE");
});

test.run();
