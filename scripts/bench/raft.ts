/**
 * `npm run bench:raft`: commit throughput and latency of a three-node cluster
 * on loopback with durable Redis (appendfsync always), through the leader,
 * with 1 and 64 concurrent writers of 256-byte values; and, when etcd is
 * installed, the same against a three-member etcd, with the ratios ours /
 * etcd. Each comparison is between the two systems under the same heartbeat
 * and election timeout: both systems' defaults (100 and 1 000 ms, which a
 * node also runs with unless told otherwise), and the faster
 * `--heartbeat-ms` / `--election-timeout-ms` (50 and 300 ms) the failover
 * bench uses. A heartbeat costs every member CPU while it idles, so comparing
 * one system's faster timing with the other's defaults would measure the
 * timing, not the system.
 *
 * All systems run at once and take turns: each writer count gets a warm-up
 * per system (a node runs for days: V8 optimises a function only after
 * thousands of calls, and Go code is compiled ahead of time), then
 * `--rounds` rounds in which every system runs a slice of
 * `--duration-s / --rounds` seconds (see interleaved-rounds.ts).
 *
 * Options: --duration-s 10  --rounds 5  --warmup-s 10  --writers 1,64
 *          --value-bytes 256  --key-space 1000  --heartbeat-ms 50
 *          --election-timeout-ms 300  --no-etcd  --install-etcd
 *          "--node-flags=--cpu-prof --cpu-prof-dir=/tmp/prof" (options for node
 *          in each of our members, written with "=" as they start with "--";
 *          a profile is written when the bench stops them)
 */
import { parseArgs } from "node:util";
import { type EnvVariable, envVariables } from "../../shared/env-variables.ts";
import { refuse } from "./cli-args.ts";
import { type ClosedLoopResult, runClosedLoop } from "./closed-loop.ts";
import { etcdAvailable } from "./etcd-availability.ts";
import { startEtcd } from "./etcd-system.ts";
import { mergeSlices, roundOrders, roundRatioRange } from "./interleaved-rounds.ts";
import type { KvSystem } from "./kv-system.ts";
import { startNexaloak } from "./nexaloak-system.ts";
import { type CpuPerWrite, cpuSpent, perWrite, readCpu } from "./process-cpu.ts";
import { cell, formatTable, ratio } from "./stats.ts";

/** The heartbeat and election timeout a node runs with when .env sets none (shared/env-variables.ts). */
const NODE_DEFAULT_TIMING = {
  heartbeatMs: defaultOf(envVariables.HEARTBEAT_MS),
  electionTimeoutMs: defaultOf(envVariables.ELECTION_TIMEOUT_MS),
};

/** etcd's --heartbeat-interval and --election-timeout when not given. */
const ETCD_DEFAULT_TIMING = { heartbeatMs: 100, electionTimeoutMs: 1000 };

function sameTiming(a: typeof ETCD_DEFAULT_TIMING, b: typeof ETCD_DEFAULT_TIMING): boolean {
  return a.heartbeatMs === b.heartbeatMs && a.electionTimeoutMs === b.electionTimeoutMs;
}

/** A variable's value when unset, parsed by its own schema as the node parses it. */
function defaultOf<Value>(variable: EnvVariable<Value>): Value {
  const unset = variable.whenUnset;
  if (unset.kind !== "default") throw new Error("the variable has no default");
  return variable.schema.parse(unset.raw);
}

const { values: args } = parseArgs({
  options: {
    "duration-s": { type: "string", default: "10" },
    "warmup-s": { type: "string", default: "10" },
    rounds: { type: "string", default: "5" },
    writers: { type: "string", default: "1,64" },
    "value-bytes": { type: "string", default: "256" },
    "key-space": { type: "string", default: "1000" },
    "heartbeat-ms": { type: "string", default: "50" },
    "election-timeout-ms": { type: "string", default: "300" },
    "no-etcd": { type: "boolean", default: false },
    "install-etcd": { type: "boolean", default: false },
    "node-flags": { type: "string", default: "" },
  },
});

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    refuse(`--${name} must be a positive number, got ${text}`);
  return value;
}

const durationMs = positive("duration-s", args["duration-s"]) * 1000;
const warmupMs = Number(args["warmup-s"]) * 1000;
const rounds = Math.round(positive("rounds", args.rounds));
const writerCounts = args.writers.split(",").map((text) => Math.round(positive("writers", text)));
const valueBytes = Math.round(positive("value-bytes", args["value-bytes"]));
const keySpace = Math.round(positive("key-space", args["key-space"]));
const heartbeatMs = Math.round(positive("heartbeat-ms", args["heartbeat-ms"]));
const electionTimeoutMs = Math.round(positive("election-timeout-ms", args["election-timeout-ms"]));
const REQUEST_TIMEOUT_MS = 10_000;

interface Row {
  system: string;
  writers: number;
  opsPerSecond: number;
  opsPerSecondByRound: number[];
  p50: number;
  p90: number;
  p99: number;
  errors: number;
  /** CPU per acknowledged write over the measured slices, by role. */
  cpuMs: CpuPerWrite;
}

/** One system's run of a round, with the CPU its processes spent meanwhile. */
interface MeasuredSlice extends ClosedLoopResult {
  cpu: CpuPerWrite;
}

/** Every system's rows, one per writer count, measured in interleaved rounds. */
async function measure(systems: readonly KvSystem[]): Promise<Row[]> {
  const rows: Row[] = [];
  const orders = roundOrders(systems.length, rounds);
  for (const writers of writerCounts) {
    const run = async (system: KvSystem, durationMs: number): Promise<MeasuredSlice> => {
      const leader = await system.leader(15_000);
      const before = readCpu(system.processes());
      const result = await runClosedLoop(system, {
        member: leader,
        writers,
        valueBytes,
        keySpace,
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
        durationMs,
      });
      return { ...result, cpu: cpuSpent(before, readCpu(system.processes()), leader) };
    };
    if (warmupMs > 0) for (const system of systems) await run(system, warmupMs);
    const slices: MeasuredSlice[][] = systems.map(() => []);
    for (const order of orders) {
      for (const index of order)
        slices[index]!.push(await run(systems[index]!, durationMs / rounds));
    }
    systems.forEach((system, index) => {
      const merged = mergeSlices(slices[index]!);
      const row: Row = {
        system: system.label,
        writers,
        opsPerSecond: merged.opsPerSecond,
        opsPerSecondByRound: merged.opsPerSecondByRound,
        p50: merged.latencyMs.p50,
        p90: merged.latencyMs.p90,
        p99: merged.latencyMs.p99,
        errors: merged.errors,
        cpuMs: perWrite(
          slices[index]!.map((slice) => slice.cpu),
          merged.acknowledged,
        ),
      };
      process.stdout.write(
        `  ${row.system}, ${writers} writer(s): ${cell(row.opsPerSecond)} ops/s (rounds: ${row.opsPerSecondByRound.map((value) => cell(value, 0)).join(", ")}), p50 ${cell(row.p50, 2)} ms, p99 ${cell(row.p99, 2)} ms, ${row.errors} errors\n`,
      );
      rows.push(row);
    });
  }
  return rows;
}

process.stdout.write(
  `Commit throughput and latency through the leader: 3 members on 127.0.0.1, ${valueBytes}-byte values, ${keySpace} keys; per writer count, ${warmupMs / 1000} s warm-up per system, then ${rounds} rounds of ${durationMs / rounds / 1000} s per system.\n`,
);
/** Ours and, when etcd runs, etcd under the same timing: compared with each other. */
interface Pairing {
  ours: KvSystem;
  theirs?: KvSystem;
}

const systems: KvSystem[] = [];
const pairings: Pairing[] = [];
let rows: Row[] = [];
try {
  const nodeFlags = args["node-flags"].split(" ").filter((flag) => flag !== "");
  const withEtcd = !args["no-etcd"] && etcdAvailable(args["install-etcd"]);
  const fast = { electionTimeoutMs, heartbeatMs };
  // Asked for the defaults as the faster timing too, the bench runs them once.
  const timings = sameTiming(fast, NODE_DEFAULT_TIMING)
    ? [NODE_DEFAULT_TIMING]
    : [NODE_DEFAULT_TIMING, fast];
  for (const timing of timings) {
    const ours = await startNexaloak({
      ...timing,
      nodeFlags,
      label: timing === NODE_DEFAULT_TIMING ? "nexaloak (defaults)" : undefined,
    });
    systems.push(ours);
    // Under etcd's own defaults etcd runs without flags, so the tables can say "defaults".
    const theirs = withEtcd
      ? await startEtcd(sameTiming(timing, ETCD_DEFAULT_TIMING) ? {} : timing)
      : undefined;
    if (theirs) systems.push(theirs);
    pairings.push({ ours, ...(theirs ? { theirs } : {}) });
  }
  rows = await measure(systems);
} finally {
  for (const system of systems) await system.stop();
}
const ourLabels = new Set(pairings.map((pairing) => pairing.ours.label));

process.stdout.write(
  `\n${formatTable(
    ["system", "writers", "ops/s", "p50 ms", "p90 ms", "p99 ms", "errors"],
    rows.map((row) => [
      row.system,
      String(row.writers),
      cell(row.opsPerSecond),
      cell(row.p50, 2),
      cell(row.p90, 2),
      cell(row.p99, 2),
      String(row.errors),
    ]),
  )}\n`,
);

/** CPU the system's own processes spend per write (everything but the client). */
function serverCpu(row: Row): number {
  return row.cpuMs.leader + row.cpuMs.otherMembers + row.cpuMs.storage;
}

process.stdout.write(
  `\nCPU per acknowledged write, ms (user + system time from /proc over the measured slices; "other members" and "storage" are sums over their processes):\n${formatTable(
    ["system", "writers", "client", "leader", "other members", "storage", "servers", "all"],
    rows.map((row) => [
      row.system,
      String(row.writers),
      cell(row.cpuMs.client, 3),
      cell(row.cpuMs.leader, 3),
      cell(row.cpuMs.otherMembers, 3),
      cell(row.cpuMs.storage, 3),
      cell(serverCpu(row), 3),
      cell(serverCpu(row) + row.cpuMs.client, 3),
    ]),
  )}\n`,
);

const comparisons = rows.filter((row) => !ourLabels.has(row.system));
if (comparisons.length > 0) {
  const ratioRows = comparisons.flatMap((theirs) => {
    const pairing = pairings.find((candidate) => candidate.theirs?.label === theirs.system);
    const mine = rows.find(
      (row) => row.system === pairing?.ours.label && row.writers === theirs.writers,
    );
    if (!mine) return [];
    return [
      [
        `${mine.system} / ${theirs.system}`,
        String(theirs.writers),
        ratio(mine.opsPerSecond, theirs.opsPerSecond),
        ratio(mine.p50, theirs.p50),
        ratio(mine.p90, theirs.p90),
        ratio(mine.p99, theirs.p99),
        ratio(serverCpu(mine), serverCpu(theirs)),
        roundRatioRange(mine.opsPerSecondByRound, theirs.opsPerSecondByRound),
      ],
    ];
  });
  process.stdout.write(
    `\n${formatTable(
      ["ratio", "writers", "ops/s", "p50", "p90", "p99", "servers' CPU/write", "ops/s by round"],
      ratioRows,
    )}\n`,
  );
}
