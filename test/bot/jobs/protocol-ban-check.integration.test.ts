/**
 * Ban checks per protocol in network namespaces (support/censored-network.ts):
 * server A runs real WireGuard (wireguard-go) and a real ss-server with the
 * ban checks' Shadowsocks probe port, and its node's /healthz; the control
 * probes from outside, two vantages of one ISP from behind the censor. Each
 * round runs the real probes (through a real probe agent in each prober's
 * namespace, reached over pinned HTTPS) through checkServer and commits the verdict to the replicated state, where
 * A and a second server B offer both protocols and a user has WireGuard
 * configs on A. The story, in order: all open; the censor drops WireGuard
 * handshake initiations by their shape (148-byte UDP payloads starting with
 * 1), so WireGuard is filtered and Shadowsocks ok, WireGuard closes on A
 * after BAN_AFTER rounds and the user's configs move to B; then the censor
 * drops A's address, so every protocol fails and A is banned. A third
 * vantage of the same ISP flaps (fails every probe every other round)
 * throughout, and never filters anything by itself. The timeline is printed
 * round by round.
 *
 * Needs root, iproute2, procps, wireguard-tools, wireguard-go, nft and
 * ss-server; without them it is skipped, except under CI.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { OpenedVantage, ServerCheckDeps } from "../../../bot/jobs/server-probing.ts";
import { checkServer } from "../../../bot/jobs/server-probing.ts";
import { startShadowsocksServer } from "../../../scripts/lib/shadowsocks-server.ts";
import { generateKeyPair } from "../../../shared/crypto/wireguard-keys.ts";
import { command, Fixture } from "../../cluster/fsm/support/control-plane-fixture.ts";
import { startInNamespace } from "../../support/namespace-process.ts";
import { missingNetworkPrerequisites, TestNetwork } from "../../support/network-namespace.ts";
import { runCleanups } from "../../support/run-cleanups.ts";
import { probingFromControl, startProbeAgent } from "./support/censored-fleet.ts";
import { buildCensoredNetwork, type CensoredNetwork } from "./support/censored-network.ts";

const BAN_AFTER = 2;
const API_PORT = 7001;
const WIREGUARD_PORT = 51820;
const SHADOWSOCKS_PORT = 20000;
const PROBE_TIMEOUT_MS = 3_000;
const PASSWORD = "the probe port's password";
const TOKEN = "probe-agent-token-0123456789";
const serverKeys = generateKeyPair();
const controlKey = generateKeyPair();
const vantageKeys = [generateKeyPair(), generateKeyPair()];

const missing = missingNetworkPrerequisites([
  "ip",
  "sysctl",
  "wg",
  "wireguard-go",
  "nft",
  "ss-server",
]);
interface Agent {
  url: string;
  certSha256: string;
}

interface Story {
  network?: TestNetwork;
  censored?: CensoredNetwork;
  fixture?: Fixture;
  control?: Agent;
  vantages?: Agent[];
  controlFailures: string[];
  cleanups: Array<() => Promise<void>>;
}

const story = suite<Story>("ban checks per protocol in a censored network", {
  controlFailures: [],
  cleanups: [],
});

/** A vantage of the same ISP that fails every probe in odd rounds and passes in even ones. */
const FLAPPING = { id: "flap", url: "https://flapping.invalid", isp: "mci" };

function withFlappingVantage(deps: ServerCheckDeps): ServerCheckDeps {
  return {
    ...deps,
    askVantage: async (options) =>
      options.url === FLAPPING.url
        ? {
            ok: true,
            value:
              (roundNumber + 1) % 2 === 1
                ? { ok: false, error: "generic_timeout_error" }
                : { ok: true, rttMs: 1 },
          }
        : deps.askVantage(options),
  };
}

/** One line per round, for the README. */
const timeline: string[] = [];
let roundNumber = 0;

async function checkRound(context: Story) {
  const censored = context.censored!;
  const fixture = context.fixture!;
  const address = censored.servers.A.address;
  const vantages: OpenedVantage[] = context.vantages!.map((agent, index) => ({
    probe: {
      id: `van${index + 1}`,
      url: agent.url,
      isp: "mci",
      certSha256: agent.certSha256,
      insecure: false,
    },
    token: TOKEN,
    probeKey: vantageKeys[index]!.privateKey,
  }));
  vantages.push({ probe: { ...FLAPPING, certSha256: null, insecure: false }, token: TOKEN });
  const checked = await checkServer(
    {
      server: {
        id: "n1",
        endpointHost: address,
        apiPort: API_PORT,
        listenPort: WIREGUARD_PORT,
        publicKey: serverKeys.publicKey,
      },
      probeKey: controlKey.privateKey,
      shadowsocks: { port: SHADOWSOCKS_PORT, method: "chacha20-ietf-poly1305", password: PASSWORD },
      vantages,
      timeoutMs: PROBE_TIMEOUT_MS,
    },
    withFlappingVantage(probingFromControl(context.control!, TOKEN, context.controlFailures)),
  );
  assert.ok(checked.ok);
  if (!checked.ok) throw new Error("no endpoint");
  roundNumber++;
  const { verdict, evidence, protocols } = checked.value;
  const live = fixture.state.liveConfigsOfServer("n1").map((config) => config.id);
  const recorded = fixture.ok(
    command.verdict("n1", roundNumber, verdict, {
      evidence,
      banAfter: BAN_AFTER,
      protocolVerdicts: protocols,
      replacementKeys: command.replacementKeys(live.map((id) => `${id}-${roundNumber}`)),
    }),
  );
  const changes = recorded.protocolChanges
    .map(
      (change: { protocol: string; change: string; moved: unknown[]; switched: unknown[] }) =>
        `${change.protocol} ${change.change} (moved ${change.moved.length}, switched ${change.switched.length})`,
    )
    .join("; ");
  timeline.push(
    `round ${roundNumber}: ${verdict}; ${protocols.map((p) => `${p.protocol}: ${p.verdict}`).join(", ") || "no protocol verdicts"}; transition ${recorded.transition}${changes ? `; ${changes}` : ""}`,
  );
  return { checked: checked.value, recorded };
}

if (missing.length > 0 && !process.env.CI) {
  story.skip(`per-protocol checks (needs ${missing.join(", ")})`, () => {});
} else {
  story.before(async (context) => {
    assert.equal(missing, [], "CI must provide root, WireGuard, nft and ss-server");
    const network = new TestNetwork();
    context.network = network;
    const censored = await buildCensoredNetwork(network);
    context.censored = censored;
    const { namespace, address } = censored.servers.A;
    await network.startWireGuard({
      namespace,
      privateKey: serverKeys.privateKey,
      listenPort: WIREGUARD_PORT,
      // The probers only handshake: their allowed addresses are never used.
      peers: [controlKey, ...vantageKeys].map((keys, index) => ({
        publicKey: keys.publicKey,
        allowedIps: [`10.66.0.${99 + index}/32`],
      })),
    });
    const health = startInNamespace(namespace, process.execPath, [
      "-e",
      `require("node:http").createServer((q, s) => { s.writeHead(q.url === "/healthz" ? 200 : 404); s.end('{"status":"ok"}'); }).listen(${API_PORT}, "${address}", () => console.log("listening"))`,
    ]);
    await health.waitForOutput(/listening/, 10_000);
    const shadowsocks = await startShadowsocksServer({
      namespace,
      host: address,
      port: SHADOWSOCKS_PORT,
      method: "chacha20-ietf-poly1305",
      password: PASSWORD,
    });
    context.cleanups.push(
      () => shadowsocks.stop(),
      () => health.stop(),
    );
    const directory = network.directory;
    context.control = await startProbeAgent(censored.control, TOKEN, directory, context.cleanups);
    context.vantages = [];
    for (const { namespace } of censored.vantages)
      context.vantages.push(await startProbeAgent(namespace, TOKEN, directory, context.cleanups));

    const fixture = new Fixture();
    const bothProtocols = (firstPort: number) => ({
      protocols: ["wireguard" as const, "shadowsocks" as const],
      shadowsocks: {
        firstPort,
        lastPort: firstPort + 9,
        method: "chacha20-ietf-poly1305" as const,
      },
    });
    fixture.ok(command.registerServer("n1", { ...bothProtocols(21000), endpointHost: address }));
    fixture.ok(command.upsertUser("10"));
    fixture.ok(command.issueConfig("w1", "10"));
    fixture.ok(command.registerServer("n2", bothProtocols(21000)));
    context.fixture = fixture;
  });

  story.after(async (context) => {
    await runCleanups(context.cleanups);
    context.network?.tearDown();
    process.stdout.write(`\nTimeline:\n${timeline.join("\n")}\n`);
  });

  story(
    "with no censor, both protocols pass, and the flapping vantage never filters anything",
    async (context) => {
      for (let round = 1; round <= 3; round++) {
        const { checked } = await checkRound(context);
        assert.is(checked.verdict, "ok", checked.evidence);
        assert.equal(
          checked.protocols.map((protocol) => protocol.verdict),
          ["ok", "ok"],
          checked.evidence,
        );
      }
      assert.equal(context.controlFailures, []);
    },
  );

  story(
    "WireGuard initiations dropped by shape: wireguard filtered, shadowsocks ok, and after BAN_AFTER rounds the user moves to WireGuard on n2",
    async (context) => {
      await context.censored!.dropWireGuardInitiations();
      for (let round = 1; round <= BAN_AFTER; round++) {
        const { checked, recorded } = await checkRound(context);
        assert.is(checked.verdict, "ok", checked.evidence);
        assert.equal(checked.protocols, [
          { protocol: "wireguard", verdict: "filtered", filteredIsps: ["mci"] },
          { protocol: "shadowsocks", verdict: "ok", filteredIsps: [] },
        ]);
        assert.match(checked.evidence, /^wireguard: filtered, shadowsocks: ok/);
        assert.is(recorded.protocolChanges.length, round === BAN_AFTER ? 1 : 0);
      }
      const fixture = context.fixture!;
      assert.equal(
        fixture.state
          .server("n1")!
          .blockedProtocols.map((blocked) => [blocked.protocol, blocked.isps]),
        [["wireguard", ["mci"]]],
      );
      const moved = fixture.state.config(fixture.state.config("w1")!.replacedBy!)!;
      assert.equal([moved.serverId, moved.protocol], ["n2", "wireguard"]);
      assert.is(fixture.state.server("n1")!.status, "active", "the server is not banned");
    },
  );

  story(
    "A's address dropped: every protocol fails, and A is banned after BAN_AFTER rounds",
    async (context) => {
      await context.censored!.censor(context.censored!.servers.A.address);
      let transition = "none";
      for (let round = 1; round <= BAN_AFTER; round++) {
        const { checked, recorded } = await checkRound(context);
        assert.is(checked.verdict, "filtered", checked.evidence);
        transition = recorded.transition;
      }
      assert.is(transition, "ban");
      assert.is(context.fixture!.state.server("n1")!.status, "banned");
    },
  );
}

story.run();
