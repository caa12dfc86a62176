/**
 * The UDP guard in a real kernel: a network namespace made here, an
 * ss-server (shadowsocks-libev) run as an unprivileged user with its UDP
 * relay on, and a client's ss-tunnel forwarding datagrams through it. Without
 * the guard, the relay carries a user's datagrams to a UDP service on the
 * server's loopback; with the guard loaded for the ss-server's user (the
 * default BLOCKED_DESTINATIONS, the resolver 127.0.0.1), it carries none
 * there, nor to port 53 of another loopback address, while an address
 * outside the list and the resolver still answer.
 * Needs root, iproute2, nft, setpriv and shadowsocks-libev; without them it
 * is skipped, except under CI.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCommand } from "../../../cluster/agent/run-command.ts";
import {
  renderShadowsocksUdpGuard,
  renderShadowsocksUdpGuardRemoval,
} from "../../../cluster/agent/shadowsocks-udp-guard.ts";
import { DEFAULT_BLOCKED_DESTINATIONS } from "../../../shared/blocked-destinations.ts";
import {
  type NamespaceProcess,
  startInNamespace,
  startScriptInNamespace,
} from "../../support/namespace-process.ts";
import { missingNetworkPrerequisites, TestNetwork } from "../../support/network-namespace.ts";

const ECHO_SERVER = new URL("../../support/udp-echo-server.ts", import.meta.url).pathname;
const UDP_ASK = new URL("../../support/udp-ask.ts", import.meta.url).pathname;
/** The user ss-server runs as: `nobody`, standing in for the node's own user. */
const SS_SERVER_UID = 65534;
const METHOD = "chacha20-ietf-poly1305";
const PASSWORD = "udp-guard-test";
const SS_PORT = 8388;
/** An address outside every blocked range (TEST-NET-3), on the namespace's own loopback interface. */
const OUTSIDE_ADDRESS = "203.0.113.7";
/** The host's resolver, as /etc/resolv.conf would name it. */
const RESOLVER = "127.0.0.1";
/** Where the client's ss-tunnel takes datagrams for each target. */
const TUNNELS = {
  loopbackService: { localPort: 9001, target: "127.0.0.1:7000" },
  loopbackResolver: { localPort: 9002, target: `${RESOLVER}:53` },
  otherPort53: { localPort: 9004, target: "127.0.0.2:53" },
  outsideService: { localPort: 9003, target: `${OUTSIDE_ADDRESS}:7000` },
} as const;
type Tunnel = keyof typeof TUNNELS;
/** Where ss-server listens and the key it holds, as both ends are given them. */
const SERVER_ARGS = ["-s", "127.0.0.1", "-p", String(SS_PORT), "-k", PASSWORD, "-m", METHOD];
const ASK_TIMEOUT_MS = 1_500;
const START_TIMEOUT_MS = 15_000;

const missing = missingNetworkPrerequisites(["ip", "nft", "setpriv", "ss-server", "ss-tunnel"]);

/** Sends one datagram into `tunnel` from inside `namespace`; what came back, or undefined. */
async function ask(namespace: string, tunnel: Tunnel): Promise<string | undefined> {
  const asker = startScriptInNamespace(namespace, UDP_ASK, [
    `127.0.0.1:${TUNNELS[tunnel].localPort}`,
    tunnel,
    String(ASK_TIMEOUT_MS),
  ]);
  try {
    await asker.waitForOutput(/answer: .*\n|no answer\n/, ASK_TIMEOUT_MS + START_TIMEOUT_MS);
  } finally {
    await asker.stop();
  }
  return /answer: (.*)\n/.exec(asker.output())?.[1];
}

/** Asks through every tunnel; a datagram can be lost, so an answer is asked for up to three times. */
async function answers(namespace: string): Promise<Record<Tunnel, boolean>> {
  const result = {} as Record<Tunnel, boolean>;
  for (const tunnel of Object.keys(TUNNELS) as Tunnel[]) {
    let answered = false;
    for (let attempt = 0; attempt < 3 && !answered; attempt++) {
      const answer = await ask(namespace, tunnel);
      answered = answer === `echo ${TUNNELS[tunnel].target} ${tunnel}`;
    }
    result[tunnel] = answered;
  }
  return result;
}

if (missing.length > 0 && !process.env.CI) {
  test.skip(`the UDP guard keeps ss-server's relay off the blocked destinations (needs ${missing.join(", ")})`, () => {});
} else {
  test("ss-server's UDP relay reaches a loopback service without the guard, and with it only addresses outside the list and the host's resolver", async () => {
    assert.equal(missing, [], "CI must provide root, iproute2, nft, setpriv and shadowsocks-libev");
    const network = new TestNetwork();
    const processes: NamespaceProcess[] = [];
    try {
      const namespace = await network.addNamespace("ssu");
      await network.exec(namespace, "ip", ["address", "add", `${OUTSIDE_ADDRESS}/32`, "dev", "lo"]);

      const echo = startScriptInNamespace(namespace, ECHO_SERVER, [
        TUNNELS.loopbackService.target,
        TUNNELS.loopbackResolver.target,
        TUNNELS.otherPort53.target,
        TUNNELS.outsideService.target,
      ]);
      processes.push(echo);
      await echo.waitForOutput(/listening/, START_TIMEOUT_MS);

      const server = startInNamespace(namespace, "setpriv", [
        `--reuid=${SS_SERVER_UID}`,
        `--regid=${SS_SERVER_UID}`,
        "--clear-groups",
        "ss-server",
        ...SERVER_ARGS,
        "-u",
        "-v",
      ]);
      processes.push(server);
      await server.waitForOutput(/listening at/i, START_TIMEOUT_MS);
      for (const { localPort, target } of Object.values(TUNNELS)) {
        const tunnel = startInNamespace(namespace, "ss-tunnel", [
          ...SERVER_ARGS,
          "-b",
          "127.0.0.1",
          "-l",
          String(localPort),
          "-L",
          target,
          "-U",
          "-v",
        ]);
        processes.push(tunnel);
        await tunnel.waitForOutput(/listening at/i, START_TIMEOUT_MS);
      }

      assert.equal(
        await answers(namespace),
        { loopbackService: true, loopbackResolver: true, otherPort53: true, outsideService: true },
        "without the guard the relay reaches every target: what the guard has to stop",
      );

      const guard = renderShadowsocksUdpGuard({
        ownerUid: SS_SERVER_UID,
        blockedDestinations: DEFAULT_BLOCKED_DESTINATIONS,
        resolvers: [RESOLVER],
      });
      assert.ok(guard.ok, "the default list renders");
      await loadRuleset(namespace, guard.value);
      assert.equal(await answers(namespace), {
        loopbackService: false,
        loopbackResolver: true,
        otherPort53: false,
        outsideService: true,
      });

      await loadRuleset(namespace, renderShadowsocksUdpGuardRemoval());
      assert.is(
        (await answers(namespace)).loopbackService,
        true,
        "removed, the guard holds nothing",
      );
    } finally {
      await Promise.all(processes.map((started) => started.stop()));
      network.tearDown();
    }
  });
}

/** Loads `ruleset` with `nft -f -` inside `namespace`. */
async function loadRuleset(namespace: string, ruleset: string): Promise<void> {
  const loaded = await runCommand("ip", ["netns", "exec", namespace, "nft", "-f", "-"], {
    stdin: ruleset,
  });
  if (!loaded.ok) throw new Error(loaded.error.message);
}

test.run();
