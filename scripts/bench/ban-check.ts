/**
 * `npm run bench:ban-check`: one ban-check round over a simulated fleet must
 * finish within the default schedule's 5-minute period.
 *
 * In this process: a cluster of `--nodes` ClusterNodes with their logs in a
 * durable redis-server (which also holds the BullMQ queue), `--servers`
 * servers registered at 127.0.0.1 on loopback listeners (so the real TCP
 * control probe succeeds), `--vantages` vantage probes that are real probe
 * agent HTTPS servers (a self-signed certificate the leader pins) with a
 * fake probe (5-50 ms, and `--filtered-percent` of the servers filtered),
 * `--configs` configs on the servers. BAN_AFTER=1, so
 * every filtered server is banned and its users re-homed during the round.
 * The round is the one BanChecks queues for every server when it gains
 * leadership. Reported: wall time until every server has its verdict,
 * verdicts/s, per-server check time, Raft entries committed, CPU, and this
 * process's memory (every node of the cluster lives in it) sampled every 100 ms.
 *
 * Options: --servers 1000  --vantages 3  --concurrency 32 (BAN_CHECK_CONCURRENCY)
 *          --configs 10000  --filtered-percent 5  --nodes 3
 *          --heartbeat-ms 100  --election-timeout-ms 1000
 */
import { parseArgs } from "node:util";
import { measureBanCheckRound } from "./ban-check-round.ts";
import { positiveInteger, refuse } from "./cli-args.ts";
import { cell, formatTable } from "./stats.ts";

const { values: args } = parseArgs({
  options: {
    servers: { type: "string", default: "1000" },
    vantages: { type: "string", default: "3" },
    concurrency: { type: "string", default: "32" },
    configs: { type: "string", default: "10000" },
    "filtered-percent": { type: "string", default: "5" },
    nodes: { type: "string", default: "3" },
    "heartbeat-ms": { type: "string", default: "100" },
    "election-timeout-ms": { type: "string", default: "1000" },
  },
});

function percent(name: string, text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 0 || value > 100)
    refuse(`--${name} must be a number from 0 to 100, got ${text}`);
  return value;
}

const servers = positiveInteger("servers", args.servers);
const vantages = positiveInteger("vantages", args.vantages);
const concurrency = positiveInteger("concurrency", args.concurrency);
const configs = positiveInteger("configs", args.configs);
const filteredPercent = percent("filtered-percent", args["filtered-percent"]);
const nodes = positiveInteger("nodes", args.nodes);
const heartbeatMs = positiveInteger("heartbeat-ms", args["heartbeat-ms"]);
const electionTimeoutMs = positiveInteger("election-timeout-ms", args["election-timeout-ms"]);
if (concurrency > 1000)
  refuse(`--concurrency must be at most 1000 (BAN_CHECK_CONCURRENCY), got ${concurrency}`);

/** The default BAN_CHECK_CRON runs a round every 5 minutes: one must end before the next starts. */
const TARGET_MS = 5 * 60 * 1000;
/** A round still running at twice the target is given up on. */
const ROUND_TIMEOUT_MS = 2 * TARGET_MS;

function megabytes(bytes: number): string {
  return cell(bytes / (1024 * 1024), 1);
}

process.stdout.write(
  `Ban-check round: ${servers} servers, ${vantages} vantage probes, concurrency ${concurrency}, ` +
    `${configs} configs, ${filteredPercent}% filtered (BAN_AFTER=1), ${nodes}-node cluster in this process.\n`,
);
const result = await measureBanCheckRound({
  servers,
  vantages,
  concurrency,
  configs,
  filteredPercent,
  nodes,
  heartbeatMs,
  electionTimeoutMs,
  roundTimeoutMs: ROUND_TIMEOUT_MS,
  onProgress: (checked, total) => process.stdout.write(`  ${checked}/${total} servers checked\n`),
});

const seconds = result.durationMs / 1000;
const verdicts = [...result.verdicts]
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([verdict, count]) => `${verdict} ${count}`)
  .join(", ");
const met = result.complete && result.durationMs <= TARGET_MS;
process.stdout.write(
  `\nFleet seeded in ${cell(result.seedMs / 1000, 1)} s: ${result.servers} servers ` +
    `(${result.filteredServers} filtered at the vantages), ${result.users} users, ` +
    `${result.liveConfigsBefore} configs.\n\n${formatTable(
      ["measurement", "result"],
      [
        ["servers checked", `${result.checked}/${result.servers}`],
        ["round duration s", cell(seconds, 1)],
        ["verdicts/s", cell(result.checked / seconds, 1)],
        ["check p50 ms", cell(result.checkMs.p50, 1)],
        ["check p99 ms", cell(result.checkMs.p99, 1)],
        ["check max ms", cell(result.checkMs.max, 1)],
        ["verdicts", verdicts === "" ? "none" : verdicts],
        ["servers banned", String(result.bans)],
        ["configs re-homed", String(result.configsRehomed)],
        [
          "live configs before -> after",
          `${result.liveConfigsBefore} -> ${result.liveConfigsAfter}`,
        ],
        ["Raft entries committed", String(result.committedEntries)],
        ["vantage probes answered", String(result.vantageProbes)],
        ["failed checks", String(result.failedChecks)],
        ["leader changes", String(result.leaderChanges)],
        ["CPU s (user + system)", cell(result.cpuMs / 1000, 1)],
        [
          "RSS MB before -> peak",
          `${megabytes(result.memoryBefore.rss)} -> ${megabytes(result.memoryPeak.rss)}`,
        ],
        [
          "heap used MB before -> peak",
          `${megabytes(result.memoryBefore.heapUsed)} -> ${megabytes(result.memoryPeak.heapUsed)}`,
        ],
      ],
    )}\n\n`,
);
if (!result.complete) {
  process.stdout.write(
    `Target missed: the round did not finish within ${ROUND_TIMEOUT_MS / 60_000} min ` +
      `(${result.checked} of ${result.servers} servers checked).\n`,
  );
  process.exit(1);
}
process.stdout.write(
  met
    ? `Target met: the round took ${cell(seconds, 1)} s of the 300 s window.\n`
    : `Target missed: the round took ${cell(seconds, 1)} s, more than the 300 s window.\n`,
);
if (!met) process.exit(1);
