/**
 * Ban checks per protocol on a running cluster, in network namespaces
 * (support/censored-node-fleet.ts): three real node processes, each inside
 * its server's namespace offering WireGuard and Shadowsocks with its own
 * WireGuard interface and ss-manager; the leader's scheduled rounds probe
 * every server from outside and through two vantages behind a censor. The
 * tests are one story, in order: every node serves its own Shadowsocks probe
 * port and both protocols check ok; two users get configs on A through the
 * bot, one WireGuard and one Shadowsocks; the censor drops WireGuard
 * handshake initiations to A by their shape, so within BAN_AFTER rounds
 * WireGuard is closed on A, which is not banned, and the WireGuard user's
 * config moves to WireGuard on another server; the user gets it through the
 * bot and a tunnel from it works from behind the censor, and the admin is
 * alerted; the Shadowsocks user's key on A goes on working, and A stays in
 * service. The rounds of A are printed as a timeline.
 *
 * Needs root, iproute2, procps (sysctl), wireguard-tools, wireguard-go,
 * iputils-ping, nft, shadowsocks-libev (ss-manager, ss-server, ss-local),
 * redis-server and /dev/net/tun; without them it is skipped, except under CI.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { parseShadowsocksKey } from "../../../cluster/client-config/shadowsocks-key.ts";
import { waitUntil } from "../../../scripts/lib/cluster-harness.ts";
import type { EmulatedUser } from "../../../scripts/telegram-emulator/emulated-user.ts";
import { missingNetworkPrerequisites } from "../../support/network-namespace.ts";
import { parseConf } from "../../support/parse-conf.ts";
import { fetchThroughShadowsocks } from "../../support/shadowsocks-user.ts";
import { pingsWithin, startWireGuardClient } from "../../support/wireguard-client.ts";
import {
  ADMIN_ID,
  API_PORT,
  BAN_AFTER,
  type CensoredNodeFleet,
  type ConfigView,
  ISP,
  ROUND_MS,
  SERVER_IDS,
  type ServerView,
  startCensoredNodeFleet,
  WIREGUARD_PORT,
} from "./support/censored-node-fleet.ts";
import { type RoundTimeline, recordRounds } from "./support/round-timeline.ts";

/** What a busy two-core machine may add to any wait measured in rounds. */
const SLACK_MS = 15_000;
/** Bot replies and outbox notices. */
const BOT_WAIT_MS = 20_000;
const WIREGUARD_USER = 7101;
const SHADOWSOCKS_USER = 7102;
const BOTH_OK = /^wireguard: ok, shadowsocks: ok; server ok/;
const WIREGUARD_FILTERED =
  /^wireguard: filtered, shadowsocks: ok; wireguard filtered at ISP mci: 2\/2 vantages fail wireguard \(generic_timeout_error\); control ok; server ok/;

const missing = missingNetworkPrerequisites([
  "ip",
  "sysctl",
  "wg",
  "wg-quick",
  "wireguard-go",
  "ping",
  "nft",
  "ss-manager",
  "ss-server",
  "ss-local",
  "redis-server",
]);

interface Story {
  fleet?: CensoredNodeFleet;
  timeline?: RoundTimeline;
  admin?: EmulatedUser;
  wireGuardUser?: EmulatedUser;
  /** The WireGuard user's config once WireGuard closed on A, and the server it moved to. */
  moved?: { config: ConfigView; to: "B" | "C" };
  /** The Shadowsocks user's ss:// key, as the bot sent it. */
  shadowsocksKey?: string;
  startedAt: number;
}

const story = suite<Story>("ban checks per protocol on a running cluster", { startedAt: 0 });

function fleetOf(context: Story): CensoredNodeFleet {
  if (!context.fleet) throw new Error("the fleet did not start");
  return context.fleet;
}

function elapsed(context: Story): string {
  return `${((Date.now() - context.startedAt) / 1000).toFixed(1)} s`;
}

function describeRounds(server: ServerView): string {
  return server.checks.recent.map((round) => `${round.verdict}: ${round.evidence}`).join("\n");
}

/** Sends /config and picks `protocol` from the bot's choice. */
async function askForConfig(user: EmulatedUser, protocol: "wireguard" | "shadowsocks") {
  user.send("/config");
  const choice = await user.waitFor(
    (message) => /Choose a protocol/.test(message.text ?? ""),
    BOT_WAIT_MS,
  );
  user.press(choice.messageId, `config:protocol:${protocol}`);
}

/** A page fetched from behind the censor through the Shadowsocks key: B's node's `/healthz`. */
function fetchedThroughShadowsocks(fleet: CensoredNodeFleet, key: string) {
  return fetchThroughShadowsocks(
    fleet.censored.user,
    key,
    { host: fleet.censored.servers.B.address, port: API_PORT, path: "/healthz" },
    5_000,
  );
}

if (missing.length > 0 && !process.env.CI) {
  story.skip(
    `per-protocol ban checks on a running cluster (needs ${missing.join(", ")})`,
    () => {},
  );
} else {
  story.before(async (context) => {
    context.startedAt = Date.now();
    if (missing.length > 0) return;
    context.fleet = await startCensoredNodeFleet();
    const fleet = context.fleet;
    context.timeline = recordRounds(() => fleet.server("A"));
    process.stdout.write(`  the cluster runs after ${elapsed(context)}\n`);
  });
  story.after(async (context) => {
    await context.timeline?.stop();
    if (context.timeline)
      process.stdout.write(`\nTimeline of A:\n${context.timeline.lines().join("\n")}\n`);
    await context.fleet?.tearDown();
  });

  story(
    "every node serves its own Shadowsocks probe port, and the leader's rounds find both protocols ok on every server",
    async (context) => {
      assert.equal(
        missing,
        [],
        "CI must provide root, the network and WireGuard tools, shadowsocks-libev and redis-server",
      );
      const fleet = fleetOf(context);
      try {
        await waitUntil(
          async () =>
            (await fleet.servers()).every((server) =>
              server.checks.recent.some((round) => BOTH_OK.test(round.evidence)),
            ),
          4 * ROUND_MS + SLACK_MS,
          "a round with both protocols ok on every server",
        );
      } catch (error) {
        process.stderr.write(`${(await fleet.servers()).map(describeRounds).join("\n")}\n`);
        throw error;
      }
      for (const server of await fleet.servers()) {
        const port = server.shadowsocksProbe!.port;
        assert.ok(port >= 20000 && port <= 20009, `${server.id}'s probe port is one of SS_PORTS`);
      }
    },
  );

  story(
    "on A, one user gets WireGuard and one Shadowsocks through the bot; the Shadowsocks key carries a fetch from behind the censor",
    async (context) => {
      const fleet = fleetOf(context);
      // Users land on A while B and C take no new configs.
      for (const name of ["B", "C"] as const) {
        const drained = await fleet.api("POST", `/v1/servers/${SERVER_IDS[name]}/drain`, {});
        assert.is(drained.status, 200, drained.text);
      }
      const admin = fleet.emulator.user(ADMIN_ID, { first_name: "Ada" });
      const wireGuardUser = fleet.emulator.user(WIREGUARD_USER, { first_name: "Wil" });
      const shadowsocksUser = fleet.emulator.user(SHADOWSOCKS_USER, { first_name: "Sam" });
      for (const user of [admin, wireGuardUser, shadowsocksUser]) {
        user.send("/start");
        await user.waitFor((message) => /^Hi /.test(message.text ?? ""), BOT_WAIT_MS);
      }
      context.admin = admin;
      await askForConfig(wireGuardUser, "wireguard");
      await wireGuardUser.waitFor((message) => message.document !== undefined, BOT_WAIT_MS);
      await askForConfig(shadowsocksUser, "shadowsocks");
      const keyMessage = await shadowsocksUser.waitFor(
        (message) => /^ss:\/\//.test(message.text ?? ""),
        BOT_WAIT_MS,
      );
      context.wireGuardUser = wireGuardUser;
      context.shadowsocksKey = keyMessage.text!;
      for (const [userId, protocol] of [
        [WIREGUARD_USER, "wireguard"],
        [SHADOWSOCKS_USER, "shadowsocks"],
      ] as const) {
        const configs = await fleet.configsOf(userId);
        assert.equal(
          configs.map((config) => [config.serverId, config.protocol]),
          [[SERVER_IDS.A, protocol]],
        );
      }
      assert.is(
        parseShadowsocksKey(context.shadowsocksKey)?.host,
        fleet.censored.servers.A.address,
      );
      for (const name of ["B", "C"] as const) {
        const activated = await fleet.api("POST", `/v1/servers/${SERVER_IDS[name]}/activate`, {});
        assert.is(activated.status, 200, activated.text);
      }
      assert.match(
        (await fetchedThroughShadowsocks(fleet, context.shadowsocksKey)) ?? "no answer",
        /^HTTP\/1\.[01] 200/,
      );
    },
  );

  story(
    "the censor drops WireGuard initiations to A: within BAN_AFTER rounds WireGuard is closed on A, which is not banned, and the WireGuard user's config moves to WireGuard on another server",
    async (context) => {
      const fleet = fleetOf(context);
      const lastRound = Math.max(
        ...(await fleet.server("A")).checks.recent.map((round) => round.round),
      );
      await fleet.censored.dropWireGuardInitiations(fleet.censored.servers.A.address);
      const censoredAt = Date.now();
      await context.timeline!.mark("the censor drops WireGuard handshake initiations to A");
      await waitUntil(
        async () => (await fleet.server("A")).blockedProtocols.length > 0,
        (BAN_AFTER + 2) * ROUND_MS + SLACK_MS,
        "WireGuard to be closed on A",
      );
      const serverA = await fleet.server("A");
      const since = serverA.checks.recent.filter((round) => round.round > lastRound);
      // The round in progress when the censor acted may still have passed.
      assert.ok(since.length <= BAN_AFTER + 1, describeRounds(serverA));
      for (const round of since.slice(-BAN_AFTER)) {
        assert.is(round.verdict, "ok", round.evidence);
        assert.match(round.evidence, WIREGUARD_FILTERED, round.evidence);
      }
      assert.equal(
        serverA.blockedProtocols.map((blocked) => [blocked.protocol, blocked.isps]),
        [["wireguard", [ISP]]],
      );
      assert.is(serverA.status, "active", "A is not banned");

      const configs = await fleet.configsOf(WIREGUARD_USER);
      assert.equal(
        configs.map((config) => [config.serverId, config.revokeReason]),
        [
          [SERVER_IDS.A, "protocol_blocked"],
          [configs[1]?.serverId, null],
        ],
      );
      const moved = configs[1]!;
      assert.is(moved.protocol, "wireguard");
      const movedTo = (["B", "C"] as const).find((name) => SERVER_IDS[name] === moved.serverId);
      assert.ok(movedTo, `moved to another server: ${moved.serverId}`);
      await context.timeline!.mark(
        `WireGuard closed on A ${Date.now() - censoredAt} ms after the censor acted; user ${WIREGUARD_USER}'s config moved to WireGuard on ${movedTo}`,
      );
      context.moved = { config: moved, to: movedTo! };
    },
  );

  story(
    "the moved user gets the new .conf through the bot and its tunnel works from behind the censor; the admin is alerted",
    async (context) => {
      const fleet = fleetOf(context);
      const user = context.wireGuardUser!;
      const { config: moved, to: movedTo } = context.moved!;
      await user.waitFor(
        (message) => message.text?.includes(`you have been moved to ${moved.serverId}`) === true,
        BOT_WAIT_MS,
      );
      await waitUntil(
        () => user.inbox().filter((message) => message.document !== undefined).length === 2,
        BOT_WAIT_MS,
        "the new .conf",
      );
      const conf = user
        .inbox()
        .filter((message) => message.document !== undefined)[1]!
        .document!.bytes.toString("utf8");
      const parsed = parseConf(conf);
      assert.is(
        parsed.peers[0]?.Endpoint,
        `${fleet.censored.servers[movedTo].address}:${WIREGUARD_PORT}`,
      );
      assert.is(parsed.interface.Address, `${moved.address}/32`);
      const destination = await fleet.server(movedTo);
      await waitUntil(
        async () => (await fleet.peerAddresses(movedTo)).includes(`${moved.address}/32`),
        BOT_WAIT_MS,
        `${movedTo}'s interface to have the moved config's peer`,
      );
      const client = await startWireGuardClient(fleet.network, {
        namespace: fleet.censored.user,
        interfaceName: fleet.network.wireGuardInterfaceName(),
        conf,
        routes: [`${destination.tunnelAddress}/32`],
        directory: fleet.directory,
      });
      try {
        assert.ok(
          await pingsWithin(fleet.censored.user, destination.tunnelAddress, 10),
          `the user pings ${destination.tunnelAddress} through the new tunnel to ${movedTo}`,
        );
      } finally {
        await client.close();
      }
      await context.admin!.waitFor(
        (message) =>
          message.text?.startsWith(
            `⚠️ WireGuard is blocked on server ${SERVER_IDS.A} at ISP ${ISP}; it is closed there for new configs.\nMoved to the same protocol elsewhere: 1; given another protocol: 0;`,
          ) === true,
        BOT_WAIT_MS,
      );
      await context.timeline!.mark(
        `user ${WIREGUARD_USER} told through the bot, the admin alerted; the new .conf's tunnel to ${movedTo} works from behind the censor`,
      );
    },
  );

  story(
    "Shadowsocks on A goes on: its user's key still carries a fetch from behind the censor, and A stays in service while WireGuard stays filtered",
    async (context) => {
      const fleet = fleetOf(context);
      const configs = await fleet.configsOf(SHADOWSOCKS_USER);
      assert.equal(
        configs.map((config) => [config.serverId, config.protocol, config.revokedAt]),
        [[SERVER_IDS.A, "shadowsocks", null]],
      );
      assert.match(
        (await fetchedThroughShadowsocks(fleet, context.shadowsocksKey!)) ?? "no answer",
        /^HTTP\/1\.[01] 200/,
      );
      await context.timeline!.mark(
        `user ${SHADOWSOCKS_USER}'s Shadowsocks key on A still works from behind the censor`,
      );
      const lastRound = Math.max(
        ...(await fleet.server("A")).checks.recent.map((round) => round.round),
      );
      await waitUntil(
        async () =>
          (await fleet.server("A")).checks.recent.filter((round) => round.round > lastRound)
            .length >= BAN_AFTER,
        (BAN_AFTER + 2) * ROUND_MS + SLACK_MS,
        `${BAN_AFTER} more rounds of A`,
      );
      const serverA = await fleet.server("A");
      assert.is(serverA.status, "active", describeRounds(serverA));
      for (const round of serverA.checks.recent.filter((round) => round.round > lastRound))
        assert.match(round.evidence, WIREGUARD_FILTERED, round.evidence);
      for (const name of ["B", "C"] as const) {
        const server = await fleet.server(name);
        assert.equal(server.blockedProtocols, [], `nothing is closed on ${name}`);
        assert.ok(
          server.checks.recent.every((round) => round.verdict !== "filtered"),
          describeRounds(server),
        );
      }
      process.stdout.write(`  story done after ${elapsed(context)}\n`);
    },
  );

  story("nothing is left behind: no namespace, no process", async (context) => {
    const fleet = fleetOf(context);
    await context.timeline!.stop();
    await fleet.tearDown();
    assert.equal(fleet.network.leftoverNamespaces(), []);
  });
}

story.run();
