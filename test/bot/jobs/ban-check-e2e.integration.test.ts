/**
 * Ban checks end to end, in network namespaces (support/censored-fleet.ts):
 * three real WireGuard servers A, B and C, a control vantage outside and two
 * vantage probes inside a censored network whose router can drop traffic to
 * one server, a vantage that flaps, and a user behind the censor. The tests
 * are one story, in order: the users get configs on A; C stops answering and
 * is marked down, not banned; the censor drops A, which is banned within
 * BAN_AFTER rounds; its users receive configs on B through the bot, and a
 * tunnel from the received .conf carries pings to B; B, which the flapping
 * vantage fails every other round, is never banned.
 *
 * Needs root, iproute2, procps (sysctl), wireguard-tools, wireguard-go,
 * iputils-ping, redis-server and /dev/net/tun; without them it is skipped,
 * except under CI.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { RecordedVerdict } from "../../../bot/jobs/server-checker.ts";
import { API_ACTOR } from "../../../cluster/fsm/actors.ts";
import { BAN_CHECK_ACTOR } from "../../../cluster/fsm/server-status-commands.ts";
import { waitUntil } from "../../../scripts/lib/cluster-harness.ts";
import type { EmulatedUser } from "../../../scripts/telegram-emulator/emulated-user.ts";
import { missingNetworkPrerequisites } from "../../support/network-namespace.ts";
import { parseConf } from "../../support/parse-conf.ts";
import { pingsWithin, startWireGuardClient } from "../../support/wireguard-client.ts";
import { arrivedUser, WAIT_MS } from "../support/bot-cluster.ts";
import {
  BAN_AFTER,
  type CensoredFleet,
  DOWN_AFTER,
  ISP,
  ROUND_MS,
  SERVER_IDS,
  startCensoredFleet,
} from "./support/censored-fleet.ts";

const USER_IDS = [7001, 7002];
/** What a busy two-core machine may add to any wait measured in rounds. */
const SLACK_MS = 10_000;
const A = SERVER_IDS.A;
const B = SERVER_IDS.B;
const C = SERVER_IDS.C;

const missing = missingNetworkPrerequisites([
  "ip",
  "sysctl",
  "wg",
  "wg-quick",
  "wireguard-go",
  "ping",
  "nft",
  "redis-server",
]);

const story = suite<{ fleet?: CensoredFleet; users: EmulatedUser[]; startedAt: number }>(
  "ban checks in a censored network",
  { users: [], startedAt: 0 },
);

function fleetOf(context: { fleet?: CensoredFleet }): CensoredFleet {
  if (!context.fleet) throw new Error("the fleet did not start");
  return context.fleet;
}

/** The verdicts committed for `serverId`, in order. */
function verdictsOf(fleet: CensoredFleet, serverId: string): RecordedVerdict[] {
  return fleet.verdicts.filter((verdict) => verdict.serverId === serverId);
}

function describeVerdicts(verdicts: readonly RecordedVerdict[]): string {
  return verdicts.map((verdict) => `${verdict.round}: ${verdict.evidence}`).join("\n");
}

async function serverOf(fleet: CensoredFleet, serverId: string) {
  return (await fleet.leader()).state.server(serverId)!;
}

function elapsed(context: { startedAt: number }): string {
  return `${((Date.now() - context.startedAt) / 1000).toFixed(1)} s`;
}

if (missing.length > 0 && !process.env.CI) {
  story.skip(`ban checks in network namespaces (needs ${missing.join(", ")})`, () => {});
} else {
  story.before(async (context) => {
    context.startedAt = Date.now();
    if (missing.length === 0) context.fleet = await startCensoredFleet();
  });
  story.after(async (context) => {
    await context.fleet?.tearDown();
  });

  story(
    "before the censor acts, every server checks ok and the users' configs are on A",
    async (context) => {
      assert.equal(
        missing,
        [],
        "CI must provide root, the network and WireGuard tools, redis-server and /dev/net/tun",
      );
      const fleet = fleetOf(context);
      const leader = await fleet.leader();
      // Users land on A while B and C take no new configs.
      for (const serverId of [B, C])
        await leader.service.setServerStatus({
          serverId,
          status: "draining",
          reason: "users go to A first",
          actor: API_ACTOR,
        });
      for (const id of USER_IDS) {
        const user = await arrivedUser(fleet.bots, id);
        user.send("/config");
        await user.waitFor((message) => message.document !== undefined, WAIT_MS * 2);
        context.users.push(user);
        const configs = leader.state.configsOfUser(String(id));
        assert.equal(
          configs.map((config) => config.serverId),
          [A],
        );
      }
      fleet.startBanChecks();
      await waitUntil(
        () =>
          [A, B, C].every((serverId) =>
            verdictsOf(fleet, serverId).some((verdict) => verdict.verdict === "ok"),
          ),
        3 * ROUND_MS + SLACK_MS,
        "an ok verdict for every server",
      );
      process.stdout.write(`  every server checked ok after ${elapsed(context)}\n`);
    },
  );

  story(
    "a server that stops answering, outside and inside alike, is marked down within DOWN_AFTER rounds, not banned",
    async (context) => {
      const fleet = fleetOf(context);
      const leader = await fleet.leader();
      const lastRound = (await serverOf(fleet, C)).checks.lastRound!;
      await fleet.stopServer("C");
      for (const serverId of [B, C])
        await leader.service.setServerStatus({
          serverId,
          status: "active",
          reason: "users placed",
          actor: API_ACTOR,
        });
      await waitUntil(
        async () => (await serverOf(fleet, C)).status === "down",
        (DOWN_AFTER + 2) * ROUND_MS + SLACK_MS,
        "server C to be marked down",
      );
      const server = await serverOf(fleet, C);
      const since = verdictsOf(fleet, C).filter((verdict) => verdict.round > lastRound);
      // The round in progress when C stopped may still have seen it answer.
      assert.ok(since.length <= DOWN_AFTER + 1, describeVerdicts(since));
      assert.match(server.statusReason, /^down: control fails tcp \(\w+\), wireguard \(\w+\)$/);
      assert.is(server.statusActor, BAN_CHECK_ACTOR);
      process.stdout.write(`  C marked down after ${elapsed(context)}\n`);
    },
  );

  story(
    "a server filtered inside the censored network is banned within BAN_AFTER rounds, the evidence naming the filtering",
    async (context) => {
      const fleet = fleetOf(context);
      const lastRound = (await serverOf(fleet, A)).checks.lastRound!;
      await fleet.censored.censor(fleet.censored.servers.A.address);
      const censoredAt = Date.now();
      await waitUntil(
        async () => (await serverOf(fleet, A)).status === "banned",
        (BAN_AFTER + 2) * ROUND_MS + SLACK_MS,
        "server A to be banned",
      );
      const server = await serverOf(fleet, A);
      const since = verdictsOf(fleet, A).filter((verdict) => verdict.round > lastRound);
      // The round in progress when the censor acted may still have passed.
      assert.ok(since.length <= BAN_AFTER + 1, describeVerdicts(since));
      assert.equal(
        since.slice(-BAN_AFTER).map((verdict) => verdict.verdict),
        Array(BAN_AFTER).fill("filtered"),
      );
      assert.match(
        server.statusReason,
        new RegExp(
          `^filtered at ISP ${ISP}: [23]/3 vantages fail .*generic_timeout_error.*; control ok$`,
        ),
      );
      assert.is(server.statusActor, BAN_CHECK_ACTOR);
      process.stdout.write(`  A banned ${Date.now() - censoredAt} ms after the censor acted\n`);
    },
  );

  story(
    "each of A's users receives a config on B through the bot, and a tunnel from that .conf carries pings to B",
    async (context) => {
      const fleet = fleetOf(context);
      const leader = await fleet.leader();
      const serverB = await serverOf(fleet, B);
      for (const [index, user] of context.users.entries()) {
        await user.waitFor(
          (message) => message.text?.includes(`you have been moved to ${B}`) === true,
          WAIT_MS * 2,
        );
        await waitUntil(
          () => user.inbox().filter((message) => message.document !== undefined).length === 2,
          WAIT_MS * 2,
          "the new config document",
        );
        const document = user.inbox().filter((message) => message.document !== undefined)[1]!
          .document!;
        assert.is(document.fileName, `nexaloak-${B}-2.conf`);
        const conf = document.bytes.toString("utf8");
        const parsed = parseConf(conf);
        assert.is(
          parsed.peers[0]?.Endpoint,
          `${fleet.censored.servers.B.address}:${serverB.listenPort}`,
        );
        const [config] = leader.state
          .configsOfUser(String(USER_IDS[index]))
          .filter((candidate) => candidate.revokedAt === null);
        assert.is(config?.serverId, B);
        assert.is(parsed.interface.Address, `${config!.address}/32`);
        await waitUntil(
          async () => (await fleet.serverPeers("B")).includes(config!.clientPublicKey),
          WAIT_MS * 2,
          "server B's interface to have the new config's peer",
        );
        const client = await startWireGuardClient(fleet.network, {
          namespace: fleet.censored.user,
          interfaceName: `nxu${fleet.network.suffix}${index}`,
          conf,
          routes: [`${serverB.tunnelAddress}/32`],
          directory: fleet.directory,
        });
        try {
          assert.ok(
            await pingsWithin(fleet.censored.user, serverB.tunnelAddress, 10),
            `user ${USER_IDS[index]} pings ${serverB.tunnelAddress} through the tunnel to B`,
          );
        } finally {
          await client.close();
        }
      }
      process.stdout.write(
        `  users reached B through their new tunnels after ${elapsed(context)}\n`,
      );
    },
  );

  story(
    "neither a flapping vantage nor a server that is merely down causes a ban",
    async (context) => {
      const fleet = fleetOf(context);
      const serverB = await serverOf(fleet, B);
      const verdictsB = verdictsOf(fleet, B);
      assert.is(serverB.status, "active");
      assert.ok(verdictsB.length >= BAN_AFTER + 2, describeVerdicts(verdictsB));
      assert.ok(
        verdictsB.every((verdict) => verdict.verdict === "ok"),
        describeVerdicts(verdictsB),
      );
      assert.ok(fleet.flapping.failuresFor(fleet.censored.servers.B.address) > 0);
      assert.ok(
        verdictsB.some((verdict) => verdict.evidence.startsWith("ok: 1/3 answering vantages fail")),
        `the flapping vantage's failures reached the verdicts:\n${describeVerdicts(verdictsB)}`,
      );
      const serverC = await serverOf(fleet, C);
      assert.is(serverC.status, "down");
      const verdictsC = verdictsOf(fleet, C);
      assert.not.ok(
        verdictsC.some((verdict) => verdict.verdict === "filtered"),
        describeVerdicts(verdictsC),
      );
      assert.equal(fleet.controlFailures, [], "the control probe agent answered every probe");
    },
  );

  story("nothing is left behind: no namespace, no process", async (context) => {
    const fleet = fleetOf(context);
    await fleet.tearDown();
    assert.equal(fleet.network.leftoverNamespaces(), []);
    process.stdout.write(`  whole story took ${elapsed(context)}\n`);
  });
}

story.run();
