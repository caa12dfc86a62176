/**
 * `npm run bench:fleet`: a fleet of real node processes on this machine.
 * Three founders (own durable redis-servers) take `--users` users with a
 * config each; then `--joiners` servers join with join tokens (sharing
 * `--shared-redis` redis-servers through their key prefixes) until the
 * autopilot keeps `voters` voters and the rest learners. Measured:
 *
 * - commit throughput and latency through the leader, 3 voters alone and
 *   the whole fleet, at each `--writers` concurrency;
 * - each join, from process start to member and to registered server, and
 *   for the last one to its first config served (its VPN interface holds a
 *   peer), with the users in the state (the joiner catches up by snapshot);
 * - a voter killed (SIGKILL) to its replacement by a learner, with
 *   `deadVoterAfterSeconds` set to `--dead-after-s`;
 * - the leader's CPU and resident memory while the fleet takes writes.
 *
 * Options: --joiners 22  --users 100000  --writers 1,64  --duration-s 8
 *          --shared-redis 3  --dead-after-s 10  --heartbeat-ms 100
 *          --election-timeout-ms 1000
 */
import { readFileSync } from "node:fs";
import { Agent } from "node:http";
import { parseArgs } from "node:util";
import { type Cluster, type HarnessNode, startCluster, waitUntil } from "../lib/cluster-harness.ts";
import { requestJson } from "../lib/http-json.ts";
import { askJoinToken, type JoiningNode, startJoiningNode } from "../lib/joining-node.ts";
import { requestFollowingLeader } from "../lib/leader-hint.ts";
import { processCpuMs } from "../lib/proc-stat.ts";
import { type RedisServerHandle, startRedisServer } from "../lib/redis-server.ts";
import { positiveInteger } from "./cli-args.ts";
import { runClosedLoop } from "./closed-loop.ts";
import { kvSystemOf } from "./nexaloak-system.ts";
import { cell, formatTable, summarize } from "./stats.ts";

const { values: args } = parseArgs({
  options: {
    joiners: { type: "string", default: "22" },
    users: { type: "string", default: "100000" },
    writers: { type: "string", default: "1,64" },
    "duration-s": { type: "string", default: "8" },
    "shared-redis": { type: "string", default: "3" },
    "dead-after-s": { type: "string", default: "10" },
    "heartbeat-ms": { type: "string", default: "100" },
    "election-timeout-ms": { type: "string", default: "1000" },
  },
});

const joinerCount = positiveInteger("joiners", args.joiners);
const userCount = Number(args.users);
const writerCounts = args.writers.split(",").map((text) => positiveInteger("writers", text));
const durationMs = positiveInteger("duration-s", args["duration-s"]) * 1000;
const sharedRedisCount = positiveInteger("shared-redis", args["shared-redis"]);
const deadAfterS = positiveInteger("dead-after-s", args["dead-after-s"]);
const heartbeatMs = positiveInteger("heartbeat-ms", args["heartbeat-ms"]);
const electionTimeoutMs = positiveInteger("election-timeout-ms", args["election-timeout-ms"]);
const USER_LOAD_CONCURRENCY = 64;
const JOIN_BOUND_MS = 120_000;
const REQUEST_TIMEOUT_MS = 15_000;

interface MemberView {
  id: string;
  role: "voter" | "learner";
  silentForMs: number | null;
}

const rows: string[][] = [];
function record(what: string, value: string, unit: string, note = ""): void {
  rows.push([what, value, unit, note]);
  process.stderr.write(`  ${what}: ${value} ${unit} ${note}\n`);
}

async function api(
  cluster: Cluster,
  node: { url: string },
  method: string,
  path: string,
  body?: unknown,
) {
  return requestFollowingLeader(node.url, path, {
    method: method as "GET" | "POST" | "PUT" | "DELETE",
    ...(body === undefined ? {} : { body }),
    bearerToken: cluster.adminApiToken,
    timeoutMs: REQUEST_TIMEOUT_MS,
  });
}

async function members(cluster: Cluster, leader: HarnessNode): Promise<MemberView[]> {
  const answer = await requestJson(`${leader.url}/v1/status`, {
    headers: { authorization: `Bearer ${cluster.adminApiToken}` },
    timeoutMs: REQUEST_TIMEOUT_MS,
  });
  return (answer.body as { members?: MemberView[] }).members ?? [];
}

function residentMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((text) => text.startsWith("VmRSS:"));
  return Number(line?.split(/\s+/)[1] ?? Number.NaN) / 1024;
}

async function throughput(cluster: Cluster, label: string): Promise<void> {
  const leader = await cluster.leader({ among: cluster.nodes.filter((node) => node.running) });
  const system = kvSystemOf(cluster, label);
  for (const writers of writerCounts) {
    const cpuBefore = processCpuMs(leader.pid) ?? Number.NaN;
    const result = await runClosedLoop(system, {
      member: cluster.nodes.indexOf(leader),
      writers,
      durationMs,
      valueBytes: 256,
      keySpace: 1000,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
    });
    const cpu = (((processCpuMs(leader.pid) ?? Number.NaN) - cpuBefore) / result.elapsedMs) * 100;
    record(
      `${label}, ${writers} writer(s)`,
      cell(result.opsPerSecond, 0),
      "ops/s",
      `p50 ${cell(result.latencyMs.p50, 2)} ms, p99 ${cell(result.latencyMs.p99, 2)} ms, errors ${result.errors}, leader CPU ${cell(cpu, 0)}%, RSS ${cell(residentMiB(leader.pid), 0)} MiB`,
    );
  }
}

async function loadUsers(cluster: Cluster): Promise<void> {
  const leader = await cluster.leader();
  const agent = new Agent({ keepAlive: true, maxSockets: USER_LOAD_CONCURRENCY });
  const startedAt = Date.now();
  let next = 0;
  let failures = 0;
  await Promise.all(
    Array.from({ length: USER_LOAD_CONCURRENCY }, async () => {
      while (next < userCount) {
        const userId = String(100_000_000 + next++);
        const answer = await requestFollowingLeader(leader.url, `/v1/users/${userId}/configs`, {
          method: "POST",
          body: {},
          bearerToken: cluster.adminApiToken,
          agent,
          timeoutMs: REQUEST_TIMEOUT_MS,
        }).catch(() => undefined);
        if (answer?.status !== 201 && answer?.status !== 200) failures++;
      }
    }),
  );
  agent.destroy();
  const seconds = (Date.now() - startedAt) / 1000;
  record(
    "users with a config loaded",
    String(userCount),
    "users",
    `${cell(userCount / seconds, 0)}/s, ${failures} failed`,
  );
}

async function join(
  cluster: Cluster,
  leader: HarnessNode,
  region: string,
  redis: RedisServerHandle,
): Promise<{ joiner: JoiningNode; nodeId: string; memberMs: number; registeredMs: number }> {
  const made = await askJoinToken(cluster, leader, { region });
  const startedAt = Date.now();
  const joiner = await startJoiningNode(made.token, { LOG_LEVEL: "info" }, redis.url);
  await waitUntil(
    async () => (await members(cluster, leader)).some((member) => member.id === made.nodeId),
    JOIN_BOUND_MS,
    `${made.nodeId} to become a member`,
  );
  const memberMs = Date.now() - startedAt;
  await joiner.process.waitForLogLine(
    (line) => line.msg === "server registered",
    `${made.nodeId} to register its server`,
    JOIN_BOUND_MS,
  );
  return { joiner, nodeId: made.nodeId, memberMs, registeredMs: Date.now() - startedAt };
}

async function main(): Promise<void> {
  const cluster = await startCluster({
    size: 3,
    heartbeatMs,
    electionTimeoutMs,
    env: { SERVER_CAPACITY: "60000" },
  });
  const sharedRedis: RedisServerHandle[] = [];
  const joiners: JoiningNode[] = [];
  try {
    for (let i = 0; i < sharedRedisCount; i++) sharedRedis.push(await startRedisServer());
    await throughput(cluster, "3 voters");
    if (userCount > 0) await loadUsers(cluster);

    let leader = await cluster.leader();
    const joinTimes: number[] = [];
    const registerTimes: number[] = [];
    for (let i = 0; i < joinerCount; i++) {
      const isLast = i === joinerCount - 1;
      const joined = await join(cluster, leader, `r${i}`, sharedRedis[i % sharedRedis.length]!);
      joiners.push(joined.joiner);
      joinTimes.push(joined.memberMs);
      registerTimes.push(joined.registeredMs);
      if (isLast) {
        // Its first config: a user asking for its region is placed on it, as
        // soon as the newcomer has learned its public address from its peers.
        const askedAt = Date.now();
        await waitUntil(
          async () => {
            const answer = await api(cluster, leader, "POST", "/v1/users/99999999/configs", {
              region: `r${i}`,
            });
            return answer.status === 201 || answer.status === 200;
          },
          JOIN_BOUND_MS,
          "a config on the newcomer",
        );
        await joined.joiner.process.waitForLogLine(
          (line) => line.msg === "VPN interface synced" && Number(line.peers) >= 1,
          "the newcomer to serve its first config",
          JOIN_BOUND_MS,
        );
        record(
          "last join: start to first config served",
          cell((joined.registeredMs + Date.now() - askedAt) / 1000, 2),
          "s",
          `member after ${cell(joined.memberMs / 1000, 2)} s, server registered after ${cell(joined.registeredMs / 1000, 2)} s, with ${userCount} users in the state`,
        );
      }
    }
    const joinSummary = summarize(joinTimes);
    const registerSummary = summarize(registerTimes);
    record(
      "join: start to member",
      cell(joinSummary.p50 / 1000, 2),
      "s (p50)",
      `max ${cell(joinSummary.max / 1000, 2)} s over ${joinerCount} joins`,
    );
    record(
      "join: start to server registered",
      cell(registerSummary.p50 / 1000, 2),
      "s (p50)",
      `max ${cell(registerSummary.max / 1000, 2)} s`,
    );
    await waitUntil(
      async () => (await members(cluster, leader)).filter((m) => m.role === "voter").length === 5,
      JOIN_BOUND_MS,
      "the autopilot to keep 5 voters",
    );
    const fleet = await members(cluster, leader);
    const voters = fleet.filter((m) => m.role === "voter").length;
    await throughput(cluster, `${voters} voters + ${fleet.length - voters} learners`);

    // A voter dies; the autopilot replaces it with a learner.
    leader = await cluster.leader();
    const put = await api(cluster, leader, "PUT", "/v1/settings/deadVoterAfterSeconds", {
      value: String(deadAfterS),
    });
    if (put.status !== 200) throw new Error(`setting refused: ${JSON.stringify(put.body)}`);
    const victimId = fleet.find((m) => m.role === "voter" && m.id !== leader.id)!.id;
    const founder = cluster.nodes.find((node) => node.id === victimId);
    const killedAt = Date.now();
    if (founder) await founder.kill("SIGKILL");
    else
      await joiners
        .find((joiner) => joiner.process.logLines.some((line) => line.nodeId === victimId))
        ?.process.kill();
    await waitUntil(
      async () => {
        const now = await members(cluster, leader);
        const liveVoters = now.filter((m) => m.role === "voter" && m.id !== victimId);
        return liveVoters.length === 5 && !now.some((m) => m.id === victimId && m.role === "voter");
      },
      deadAfterS * 1000 + JOIN_BOUND_MS,
      `${victimId} to be replaced`,
    );
    record(
      "voter killed to replaced by a learner",
      cell((Date.now() - killedAt) / 1000, 2),
      "s",
      `deadVoterAfterSeconds ${deadAfterS}`,
    );
  } finally {
    for (const joiner of joiners) await joiner.cleanup().catch(() => undefined);
    await cluster.stop();
    for (const redis of sharedRedis) await redis.cleanup();
  }
  process.stdout.write(
    `\nbench:fleet (${joinerCount} joiners, hb ${heartbeatMs} ms, et ${electionTimeoutMs} ms)\n`,
  );
  process.stdout.write(`${formatTable(["measure", "value", "unit", "detail"], rows)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:fleet failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
