import { test } from "uvu";
import * as assert from "uvu/assert";
import { askVantageProbe } from "../../../bot/jobs/vantage-probe-client.ts";
import { startFakeProbeAgents } from "../../../scripts/lib/fake-probe-agents.ts";

const TOKEN = "fake-probe-agents-suite-token";
const FILTERED_PORT = 7002;

async function ask(url: string, certSha256: string, port: number, token = TOKEN) {
  return askVantageProbe({
    url,
    token,
    certSha256,
    request: { target: { host: "127.0.0.1", port, protocol: "tcp" }, timeoutMs: 1000 },
    fetchTimeoutMs: 2000,
  });
}

test("agents serve HTTPS with one self-signed certificate, pinned by its fingerprint", async () => {
  const agents = await startFakeProbeAgents({
    count: 2,
    token: TOKEN,
    filteredPorts: new Set(),
    delayMs: { min: 1, max: 2 },
    maxConcurrentProbes: 4,
  });
  try {
    for (const url of agents.urls) assert.match(url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(agents.certSha256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const unpinned = await askVantageProbe({
      url: agents.urls[0]!,
      token: TOKEN,
      request: { target: { host: "127.0.0.1", port: 7001, protocol: "tcp" }, timeoutMs: 1000 },
      fetchTimeoutMs: 2000,
    });
    assert.is(unpinned.ok ? "ok" : unpinned.error.code, "VANTAGE_CERT_UNTRUSTED");
  } finally {
    await agents.close();
  }
});

test("agents answer ok for open ports and connection_reset for filtered ones, after the delay", async () => {
  const agents = await startFakeProbeAgents({
    count: 2,
    token: TOKEN,
    filteredPorts: new Set([FILTERED_PORT]),
    delayMs: { min: 20, max: 30 },
    maxConcurrentProbes: 4,
  });
  try {
    assert.is(agents.urls.length, 2);
    for (const url of agents.urls) {
      const startedAt = performance.now();
      const open = await ask(url, agents.certSha256, 7001);
      assert.ok(performance.now() - startedAt >= 19, "answered before the delay");
      assert.ok(open.ok && open.value.ok, JSON.stringify(open));
      const filtered = await ask(url, agents.certSha256, FILTERED_PORT);
      assert.equal(filtered, { ok: true, value: { ok: false, error: "connection_reset" } });
    }
    assert.is(agents.probesAnswered(), 4);
  } finally {
    await agents.close();
  }
});

test("an agent refuses a wrong token like a real one, and probes nothing", async () => {
  const agents = await startFakeProbeAgents({
    count: 1,
    token: TOKEN,
    filteredPorts: new Set(),
    delayMs: { min: 1, max: 2 },
    maxConcurrentProbes: 4,
  });
  try {
    const answer = await ask(
      agents.urls[0]!,
      agents.certSha256,
      7001,
      "a-wrong-token-of-enough-length",
    );
    assert.is(answer.ok ? "ok" : answer.error.code, "VANTAGE_UNAUTHORIZED");
    assert.is(agents.probesAnswered(), 0);
  } finally {
    await agents.close();
  }
});

test.run();
