/**
 * One ban-check round over a simulated fleet, measured: the control plane's
 * own code (ClusterNodes in this process with their logs in a real
 * redis-server, BanChecks with its BullMQ queue in the same Redis, the real
 * TCP control probe and the real vantage probe client) against servers that
 * are loopback listeners and vantage probes that are fake probe agents.
 *
 * The round is the one BanChecks starts when it gains leadership: its
 * catch-up queues every server at once, as after a fresh start or a leader
 * change, the same work a scheduled round does.
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { Writable } from "node:stream";
import { askVantageProbe } from "../../bot/jobs/vantage-probe-client.ts";
import type { ControlPlaneState } from "../../cluster/fsm/control-plane.ts";
import type { Verdict } from "../../cluster/fsm/records.ts";
import { CronSchedule } from "../../shared/cron-schedule.ts";
import { createLogger, type Logger } from "../../shared/logger.ts";
import { runProbe } from "../../shared/probe/run-probe.ts";
import { sleep } from "../../shared/sleep.ts";
import { startAcceptingListeners } from "../lib/accepting-listeners.ts";
import { startFakeProbeAgents } from "../lib/fake-probe-agents.ts";
import { startInProcessCluster } from "../lib/in-process-cluster.ts";
import { startRedisServer } from "../lib/redis-server.ts";
import { seedFleet } from "./ban-check-fleet.ts";
import { type MemoryPeaks, sampleMemory } from "./memory-sampler.ts";
import { type Summary, summarize } from "./stats.ts";

export interface BanCheckRoundOptions {
  servers: number;
  vantages: number;
  /** BAN_CHECK_CONCURRENCY. */
  concurrency: number;
  configs: number;
  filteredPercent: number;
  /** Members of the in-process cluster. */
  nodes: number;
  heartbeatMs: number;
  electionTimeoutMs: number;
  /** How long the round may take before it is given up on. */
  roundTimeoutMs: number;
  /** Told how many servers have a verdict, every few seconds while the round runs. */
  onProgress?: (checked: number, total: number) => void;
}

/** Bytes. */
export interface MemoryUse {
  rss: number;
  heapUsed: number;
}

export interface BanCheckRoundResult {
  servers: number;
  filteredServers: number;
  users: number;
  liveConfigsBefore: number;
  liveConfigsAfter: number;
  seedMs: number;
  /** Servers with a verdict for the round when it ended (all of them unless it timed out). */
  checked: number;
  complete: boolean;
  /** From attaching BanChecks until the last server's verdict is applied. */
  durationMs: number;
  verdicts: Map<Verdict, number>;
  /** One server's check: read, control and vantage probes, verdict committed. */
  checkMs: Summary;
  /** Raft entries committed during the round (verdicts, with the bans they made). */
  committedEntries: number;
  bans: number;
  /** Live configs the banned servers held, moved to other servers. */
  configsRehomed: number;
  /** Probes the fake vantage agents answered. */
  vantageProbes: number;
  /** Ban-check jobs that failed (logged, left to the next round). */
  failedChecks: number;
  leaderChanges: number;
  cpuMs: number;
  memoryBefore: MemoryUse;
  memoryPeak: MemoryPeaks;
}

/** Once a year: no scheduled round fires while the benchmark runs, only the catch-up round. */
const QUIET_SCHEDULE = "0 0 1 1 *";
const BAN_AFTER = 1;
/** PROBE_TIMEOUT_MS and DOWN_AFTER as a node has them by default. */
const PROBE_TIMEOUT_MS = 5000;
const DOWN_AFTER = 2;
/** PROBE_AGENT_MAX_CONCURRENT by default; raised to the leader's concurrency so no probe is refused. */
const AGENT_DEFAULT_MAX_CONCURRENT = 32;
const VANTAGE_DELAY_MS = { min: 5, max: 50 };
const OPEN_LISTENERS = 4;
const MEMORY_SAMPLE_MS = 100;
const COMPLETION_POLL_MS = 20;
const SWEEP_EVERY_MS = 1000;
const PROGRESS_EVERY_MS = 5000;
/** What BanChecks logs when a check job fails. */
const FAILED_CHECK_MESSAGE = "a ban check failed";

/** The `msg` of one JSON log line; empty when the line has none. */
function messageOf(line: string): string {
  try {
    const { msg } = JSON.parse(line) as { msg?: unknown };
    return typeof msg === "string" ? msg : "";
  } catch {
    return "";
  }
}

/** A logger that writes nothing and counts the messages it is given at `warn` and above. */
function countingLogger(): { logger: Logger; counts: Map<string, number> } {
  const counts = new Map<string, number>();
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) {
        if (line === "") continue;
        const message = messageOf(line);
        counts.set(message, (counts.get(message) ?? 0) + 1);
      }
      done();
    },
  });
  return { logger: createLogger({ level: "warn", destination }), counts };
}

function quietSchedule(): CronSchedule {
  const parsed = CronSchedule.parse(QUIET_SCHEDULE);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
}

/**
 * Which servers have their verdict for `round`. Verdicts committed here are
 * counted as they are reported; a sweep of the replicated state finds any
 * other (one a leader committed but never heard back about). Scanning the
 * state on every poll would cost the round itself measurable CPU.
 */
function roundTracker(state: ControlPlaneState, serverIds: readonly string[], round: number) {
  const checked = new Set<string>();
  return {
    get checked(): number {
      return checked.size;
    },
    get complete(): boolean {
      return checked.size === serverIds.length;
    },
    committed(serverId: string, verdictRound: number): void {
      if (verdictRound === round) checked.add(serverId);
    },
    sweep(): void {
      for (const serverId of serverIds) {
        if (checked.has(serverId)) continue;
        const recent = state.server(serverId)?.checks.recent ?? [];
        if (recent.some((result) => result.round === round)) checked.add(serverId);
      }
    },
  };
}

/** Runs every stop, last started first, even when one fails; rejects with the first failure. */
async function stopAll(stops: readonly (() => Promise<void>)[]): Promise<void> {
  let firstFailure: unknown;
  for (const stop of [...stops].reverse()) {
    try {
      await stop();
    } catch (error) {
      firstFailure ??= error;
    }
  }
  if (firstFailure !== undefined) throw firstFailure;
}

/** Starts the fleet, runs one round over it, stops everything started, and reports. */
export async function measureBanCheckRound(
  options: BanCheckRoundOptions,
): Promise<BanCheckRoundResult> {
  const clusterSecret = randomBytes(32).toString("hex");
  const vantageToken = randomBytes(24).toString("hex");
  const stops: (() => Promise<void>)[] = [];
  let measured = false;
  try {
    // Durable, as a node requires of its Redis: every verdict waits for its fsync.
    const redis = await startRedisServer({ appendonly: true, appendfsync: "always" });
    stops.push(() => redis.cleanup());
    const openListeners = await startAcceptingListeners(OPEN_LISTENERS);
    stops.push(() => openListeners.close());
    const filteredListener = await startAcceptingListeners(1);
    stops.push(() => filteredListener.close());
    const filteredPort = filteredListener.ports[0]!;
    const agents = await startFakeProbeAgents({
      count: options.vantages,
      token: vantageToken,
      filteredPorts: new Set([filteredPort]),
      delayMs: VANTAGE_DELAY_MS,
      maxConcurrentProbes: Math.max(AGENT_DEFAULT_MAX_CONCURRENT, options.concurrency),
    });
    stops.push(() => agents.close());
    const verdicts = new Map<Verdict, number>();
    const checkMs: number[] = [];
    let tracker: ReturnType<typeof roundTracker> | undefined;
    const { logger, counts: logged } = countingLogger();
    const cluster = await startInProcessCluster({
      size: options.nodes,
      redisUrl: redis.url,
      heartbeatMs: options.heartbeatMs,
      electionTimeoutMs: options.electionTimeoutMs,
      snapshotEveryEntries: 10_000,
      assemble: (_id, redisPrefix) => ({
        clusterSecret,
        logger,
        banChecks: {
          probing: { probe: runProbe, askVantage: askVantageProbe },
          settings: {
            banAfter: BAN_AFTER,
            downAfter: DOWN_AFTER,
            probeTimeoutMs: PROBE_TIMEOUT_MS,
          },
          schedule: quietSchedule(),
          // The round is measured, not a new leader's pause before it.
          startDelayMs: 0,
          concurrency: options.concurrency,
          queueRedis: { url: redis.url, prefix: `${redisPrefix}bull` },
          onVerdict: (recorded) => {
            verdicts.set(recorded.verdict, (verdicts.get(recorded.verdict) ?? 0) + 1);
            if (!recorded.duplicate) checkMs.push(recorded.checkMs);
            tracker?.committed(recorded.serverId, recorded.round);
          },
          // Started once the fleet is seeded: the round is what is measured.
          startsWithLeadership: false,
        },
      }),
    });
    stops.push(() => cluster.stop());
    const services = cluster.members.map((member) => member.assembled.service);
    const leader = await cluster.leader();
    const leaderService = services[cluster.members.indexOf(leader)]!;
    const seedStartedAt = performance.now();
    const fleet = await seedFleet(leaderService, {
      servers: options.servers,
      configs: options.configs,
      filteredPercent: options.filteredPercent,
      openPorts: openListeners.ports,
      filteredPort,
      vantageUrls: agents.urls,
      vantageToken,
      vantageCertSha256: agents.certSha256,
    });
    const seedMs = performance.now() - seedStartedAt;

    const state = leader.state;
    const round = quietSchedule().latestSlot(Date.now());
    const roundProgress = roundTracker(state, fleet.serverIds, round);
    tracker = roundProgress;
    let leaderChanges = 0;
    for (const member of cluster.members)
      member.node.onLeadershipChange(({ isLeader }) => {
        if (isLeader) leaderChanges++;
      });

    const liveConfigsBefore = state.counts().liveConfigs;
    const configsOn = new Map(
      fleet.serverIds.map((id) => [id, state.liveConfigsOfServer(id).length]),
    );
    const commitBefore = leader.node.status().commitIndex;
    const memoryBefore = process.memoryUsage();
    const cpuBefore = process.cpuUsage();
    const memory = sampleMemory(MEMORY_SAMPLE_MS);
    const startedAt = performance.now();
    for (const member of cluster.members)
      member.assembled.leadership.add(member.assembled.banChecks!);

    const deadline = startedAt + options.roundTimeoutMs;
    let lastSweepAt = startedAt;
    let lastProgressAt = startedAt;
    while (!roundProgress.complete && performance.now() < deadline) {
      await sleep(COMPLETION_POLL_MS);
      const now = performance.now();
      if (now - lastSweepAt >= SWEEP_EVERY_MS) {
        roundProgress.sweep();
        lastSweepAt = now;
      }
      if (now - lastProgressAt >= PROGRESS_EVERY_MS) {
        options.onProgress?.(roundProgress.checked, fleet.serverIds.length);
        lastProgressAt = now;
      }
    }
    const durationMs = performance.now() - startedAt;
    const memoryPeak = memory.stop();
    const cpu = process.cpuUsage(cpuBefore);
    roundProgress.sweep();

    const banned = fleet.serverIds.filter((id) => state.server(id)?.status === "banned");
    measured = true;
    return {
      servers: fleet.serverIds.length,
      filteredServers: fleet.filteredServers,
      users: fleet.users,
      liveConfigsBefore,
      liveConfigsAfter: state.counts().liveConfigs,
      seedMs,
      checked: roundProgress.checked,
      complete: roundProgress.complete,
      durationMs,
      verdicts,
      checkMs: summarize(checkMs),
      committedEntries: leader.node.status().commitIndex - commitBefore,
      bans: banned.length,
      configsRehomed: banned.reduce((sum, id) => sum + (configsOn.get(id) ?? 0), 0),
      vantageProbes: agents.probesAnswered(),
      failedChecks: logged.get(FAILED_CHECK_MESSAGE) ?? 0,
      leaderChanges,
      cpuMs: (cpu.user + cpu.system) / 1000,
      memoryBefore: { rss: memoryBefore.rss, heapUsed: memoryBefore.heapUsed },
      memoryPeak,
    };
  } finally {
    // A failure to stop is reported only when it is the first thing that went wrong.
    await stopAll(stops).catch((error: unknown) => {
      if (measured) throw error;
    });
  }
}
