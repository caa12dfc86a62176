/**
 * Ban checks on a real redis-server and a three-node cluster: the leader
 * alone schedules and runs rounds on the cron; a leader lost in the middle of
 * a round leaves no round lost and none counted twice.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RecordedVerdict } from "../../../bot/jobs/server-checker.ts";
import { startRedisServer } from "../../../scripts/lib/redis-server.ts";
import { CronSchedule } from "../../../shared/cron-schedule.ts";
import { generateKeyPair } from "../../../shared/crypto/wireguard-keys.ts";
import type { ProbeOutcome } from "../../../shared/probe/probe-request.ts";
import { sleep } from "../../../shared/sleep.ts";
import { startInMemoryCluster } from "../../cluster/support/in-memory-cluster.ts";

const SECRET = "ban-check-suite-cluster-secret-0123456789";
const SERVER_IDS = ["n1", "n2", "n3"];

function everySecond(): CronSchedule {
  const parsed = CronSchedule.parse("* * * * * *");
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
}

async function startFleet(probeDelayMs: () => number) {
  const redis = await startRedisServer({ appendonly: false });
  const verdictsBy = new Map<string, RecordedVerdict[]>();
  /** Probes started, by the node that ran them. */
  const probesBy = new Map<string, number>();
  const cluster = await startInMemoryCluster(3, {
    deferLeaderWork: true,
    assemble: (id) => {
      verdictsBy.set(id, []);
      probesBy.set(id, 0);
      return {
        clusterSecret: SECRET,
        banChecks: {
          probing: {
            probe: async (): Promise<ProbeOutcome> => {
              probesBy.set(id, (probesBy.get(id) ?? 0) + 1);
              await sleep(probeDelayMs());
              return { ok: true, rttMs: 1 };
            },
            askVantage: async () => ({
              ok: false,
              error: { code: "VANTAGE_UNREACHABLE", message: "none" },
            }),
          },
          settings: { banAfter: 2, downAfter: 2, probeTimeoutMs: 2000 },
          schedule: everySecond(),
          concurrency: 4,
          queueRedis: { url: redis.url, prefix: `nexaloak:${id}:bull` },
          onVerdict: (verdict) => verdictsBy.get(id)?.push(verdict),
        },
      };
    },
  });
  const services = new Map(
    [...cluster.members.values()].map((member) => [member.id, member.assembled.service]),
  );
  const checks = [...cluster.members.values()].map((member) => member.assembled.banChecks!);
  const leader = await cluster.leader();
  const leaderService = services.get(leader.id)!;
  for (const [position, serverId] of SERVER_IDS.entries()) {
    await leaderService.run({
      type: "registerServer",
      serverId,
      publicKey: generateKeyPair().publicKey,
      listenPort: 51820,
      apiPort: 7001,
      endpointHost: `198.51.100.${position + 1}`,
      capacity: 10,
      region: "default",
      at: Date.now(),
    });
  }
  cluster.followLeadership();
  return {
    cluster,
    verdictsBy,
    probesBy,
    checks,
    /** Rounds recorded per server, in the replicated state of `nodeId`. */
    rounds(nodeId: string): Map<string, number[]> {
      const state = cluster.members.get(nodeId)!.state;
      return new Map(
        SERVER_IDS.map((id) => [id, state.server(id)!.checks.recent.map((result) => result.round)]),
      );
    },
    async stop() {
      await cluster.stop();
      await redis.stop();
    },
  };
}

function strictlyIncreasing(values: readonly number[]): boolean {
  return values.every((value, i) => i === 0 || value > values[i - 1]!);
}

test("the leader alone runs rounds on the cron: one verdict per server per slot", async () => {
  const fleet = await startFleet(() => 5);
  try {
    const leader = await fleet.cluster.leader();
    await fleet.cluster.waitFor(
      () => [...fleet.rounds(leader.id).values()].every((rounds) => rounds.length >= 3),
      15_000,
      "three rounds recorded for every server",
    );
    for (const [serverId, rounds] of fleet.rounds(leader.id)) {
      assert.ok(strictlyIncreasing(rounds), `${serverId}: ${rounds}`);
      // Scheduled rounds are named by their cron slot (whole seconds); the first may be the catch-up.
      for (const round of rounds) assert.is(round % 1000, 0, `${serverId}: round ${round}`);
    }
    for (const [nodeId, probes] of fleet.probesBy) {
      if (nodeId === leader.id) assert.ok(probes > 0);
      else assert.is(probes, 0, `${nodeId} is a follower and must not probe`);
    }
    const verdicts = fleet.verdictsBy.get(leader.id)!;
    assert.ok(verdicts.every((verdict) => verdict.verdict === "ok"));
  } finally {
    await fleet.stop();
  }
});

test("a leader lost in the middle of a round: the next one finishes it and runs the next on time", async () => {
  // Slow probes: each check takes most of a round, so leadership moves while one runs.
  const fleet = await startFleet(() => 600);
  try {
    const first = await fleet.cluster.leader();
    await fleet.cluster.waitFor(
      () => ((fleet.probesBy.get(first.id) ?? 0) >= 1 ? true : undefined),
      10_000,
      "the first leader probing",
    );
    const cutAt = Date.now();
    fleet.cluster.isolate(first.id);
    const second = await fleet.cluster.waitFor(
      () =>
        [...fleet.cluster.members.values()].find(
          (member) => member.id !== first.id && member.node.isLeader(),
        ),
      5000,
      "a new leader",
    );
    const interrupted = Math.floor(cutAt / 1000) * 1000;
    await fleet.cluster.waitFor(
      () =>
        [...fleet.rounds(second.id).values()].every((rounds) =>
          rounds.some((round) => round > interrupted + 1000),
        ),
      15_000,
      "every server checked in a round after the interrupted one",
    );
    for (const [serverId, rounds] of fleet.rounds(second.id)) {
      assert.ok(strictlyIncreasing(rounds), `${serverId} counted a round twice: ${rounds}`);
      const latest = rounds.at(-1)!;
      assert.ok(latest >= interrupted, `${serverId}: ${rounds}`);
    }
    // The isolated former leader committed nothing after it was cut off.
    const afterCut = fleet.verdictsBy
      .get(first.id)!
      .filter((verdict) => verdict.round > interrupted);
    assert.equal(afterCut, []);
  } finally {
    fleet.cluster.heal();
    await fleet.stop();
  }
});

test.run();
