/**
 * One server's check: the control probes and every vantage's probes of the
 * same targets, each vantage handshaking with its own WireGuard key.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { checkServer, probeTargets } from "../../../bot/jobs/server-probing.ts";
import type { AskVantageProbeOptions } from "../../../bot/jobs/vantage-probe-client.ts";
import { generateKeyPair } from "../../../shared/crypto/wireguard-keys.ts";
import type { ProbeTarget } from "../../../shared/probe/probe-request.ts";

const server = {
  id: "n1",
  endpointHost: "198.51.100.7",
  apiPort: 7001,
  listenPort: 51820,
  publicKey: generateKeyPair().publicKey,
};
const serverProbeKey = generateKeyPair().privateKey;
const vantageKey = generateKeyPair().privateKey;
const PIN = Array.from({ length: 32 }, (_, i) =>
  (i * 7).toString(16).padStart(2, "0").toUpperCase(),
).join(":");

/** A vantage record as ban checks read it: pinned unless told otherwise. */
function vantage(
  id: string,
  isp: string,
  fields: { certSha256?: string | null; insecure?: boolean } = {},
) {
  return { id, url: `https://${id}.test`, isp, certSha256: PIN, insecure: false, ...fields };
}

test("a server is probed by TCP on its API port, and by WireGuard when it has a probe peer", () => {
  const tcpOnly = probeTargets(server, undefined);
  assert.ok(tcpOnly.ok);
  if (tcpOnly.ok) assert.equal([...tcpOnly.value.keys()], ["tcp"]);
  const both = probeTargets(server, serverProbeKey);
  assert.ok(both.ok);
  if (both.ok) {
    assert.equal(both.value.get("tcp"), { host: "198.51.100.7", port: 7001, protocol: "tcp" });
    assert.equal(both.value.get("wireguard")?.port, 51820);
    assert.is(both.value.get("wireguard")?.probeKey, serverProbeKey);
  }
  const unknown = probeTargets({ ...server, endpointHost: null }, serverProbeKey);
  assert.is(unknown.ok, false);
});

const shadowsocksAccess = {
  port: 8388,
  method: "chacha20-ietf-poly1305" as const,
  password: "probe password",
};

test("a server with a Shadowsocks probe port is probed through it, asking for its own /healthz", () => {
  const targets = probeTargets(server, serverProbeKey, shadowsocksAccess);
  assert.ok(targets.ok);
  if (targets.ok) {
    assert.equal([...targets.value.keys()], ["tcp", "wireguard", "shadowsocks"]);
    assert.equal(targets.value.get("shadowsocks"), {
      host: "198.51.100.7",
      port: 8388,
      protocol: "shadowsocks",
      shadowsocks: {
        method: "chacha20-ietf-poly1305",
        password: "probe password",
        relayTo: { host: "198.51.100.7", port: 7001 },
      },
    });
  }
});

test("WireGuard dropped at the vantages while Shadowsocks passes: the check judges each protocol", async () => {
  const asked: AskVantageProbeOptions[] = [];
  const verdict = await checkServer(
    {
      server,
      probeKey: serverProbeKey,
      shadowsocks: shadowsocksAccess,
      vantages: [
        { probe: vantage("v1", "mci"), token: "t1", probeKey: vantageKey },
        { probe: vantage("v2", "mci"), token: "t2" },
      ],
      timeoutMs: 1000,
    },
    {
      probe: async () => ({ ok: true, rttMs: 2 }),
      askVantage: async (options) => {
        asked.push(options);
        return {
          ok: true,
          value:
            options.request.target.protocol === "wireguard"
              ? { ok: false, error: "generic_timeout_error" }
              : { ok: true, rttMs: 3 },
        };
      },
    },
  );
  assert.is(asked.length, 6, "three kinds from each of two vantages");
  assert.ok(verdict.ok);
  if (!verdict.ok) return;
  assert.is(verdict.value.verdict, "ok");
  assert.equal(verdict.value.protocols, [
    { protocol: "wireguard", verdict: "filtered", filteredIsps: ["mci"] },
    { protocol: "shadowsocks", verdict: "ok", filteredIsps: [] },
  ]);
  assert.match(verdict.value.evidence, /^wireguard: filtered, shadowsocks: ok/);
});

test("each vantage handshakes with its own key; the control and a vantage without one use the server's", async () => {
  const controlTargets: ProbeTarget[] = [];
  const asked: AskVantageProbeOptions[] = [];
  const verdict = await checkServer(
    {
      server,
      probeKey: serverProbeKey,
      vantages: [
        { probe: vantage("v1", "mci"), token: "t1", probeKey: vantageKey },
        { probe: vantage("v2", "mci"), token: "t2" },
      ],
      timeoutMs: 1000,
    },
    {
      probe: async (target) => {
        controlTargets.push(target);
        return { ok: true, rttMs: 2 };
      },
      askVantage: async (options) => {
        asked.push(options);
        return { ok: true, value: { ok: false, error: "generic_timeout_error" } };
      },
    },
  );
  assert.equal(controlTargets.find((t) => t.protocol === "wireguard")?.probeKey, serverProbeKey);
  const wireguardKeyOf = (id: string) =>
    asked.find((o) => o.url === `https://${id}.test` && o.request.target.protocol === "wireguard")
      ?.request.target.probeKey;
  assert.is(wireguardKeyOf("v1"), vantageKey);
  assert.is(wireguardKeyOf("v2"), serverProbeKey);
  assert.is(asked.length, 4, "two kinds from each of two vantages");
  assert.ok(verdict.ok);
  if (verdict.ok) assert.is(verdict.value.verdict, "filtered");
});

test("a vantage that cannot be asked gives no answer rather than a failure", async () => {
  const verdict = await checkServer(
    {
      server,
      probeKey: undefined,
      vantages: [
        { probe: vantage("v1", ""), token: "t1" },
        { probe: vantage("v2", ""), token: "t2" },
      ],
      timeoutMs: 1000,
    },
    {
      probe: async () => ({ ok: true, rttMs: 2 }),
      askVantage: async () => ({
        ok: false,
        error: { code: "VANTAGE_UNREACHABLE", message: "connection refused" },
      }),
    },
  );
  assert.ok(verdict.ok);
  if (verdict.ok) assert.is(verdict.value.verdict, "inconclusive");
});

test("each vantage is asked with its pinned certificate or its insecure mark", async () => {
  const asked: AskVantageProbeOptions[] = [];
  await checkServer(
    {
      server,
      probeKey: undefined,
      vantages: [
        { probe: vantage("pinned", ""), token: "t1" },
        { probe: vantage("ca", "", { certSha256: null }), token: "t2" },
        {
          probe: {
            ...vantage("plain", "", { certSha256: null, insecure: true }),
            url: "http://plain.test",
          },
          token: "t3",
        },
      ],
      timeoutMs: 1000,
    },
    {
      probe: async () => ({ ok: true, rttMs: 2 }),
      askVantage: async (options) => {
        asked.push(options);
        return { ok: true, value: { ok: true, rttMs: 1 } };
      },
    },
  );
  const transport = (url: string) => {
    const options = asked.find((o) => o.url === url)!;
    return [options.certSha256, options.insecure];
  };
  assert.equal(transport("https://pinned.test"), [PIN, false]);
  assert.equal(transport("https://ca.test"), [null, false]);
  assert.equal(transport("http://plain.test"), [null, true]);
});

test("why a vantage gave no answer (a certificate that is not the pinned one) is in the evidence", async () => {
  const verdict = await checkServer(
    {
      server,
      probeKey: undefined,
      vantages: [
        { probe: vantage("v1", ""), token: "t1" },
        { probe: vantage("v2", ""), token: "t2" },
        { probe: vantage("v3", ""), token: "t3" },
      ],
      timeoutMs: 1000,
    },
    {
      probe: async () => ({ ok: true, rttMs: 2 }),
      askVantage: async (options) =>
        options.url === "https://v3.test"
          ? { ok: true, value: { ok: true, rttMs: 1 } }
          : {
              ok: false,
              error: {
                code:
                  options.url === "https://v1.test" ? "VANTAGE_CERT_MISMATCH" : "VANTAGE_TIMEOUT",
                message: "no",
              },
            },
    },
  );
  assert.ok(verdict.ok);
  if (verdict.ok)
    assert.is(
      verdict.value.evidence,
      "inconclusive: 1 vantages answered, 2 needed, 2 of 3 gave no answer (VANTAGE_CERT_MISMATCH: v1; VANTAGE_TIMEOUT: v2); control ok",
    );
});

test.run();
