/**
 * `npm run bench:failover`: how long a three-node cluster stops committing
 * when its leader is SIGKILLed (or, with --fault freeze, SIGSTOPped: a hung
 * leader whose sockets stay open, so nobody learns of it from a closed
 * connection). A client writes continuously (a new write
 * every few milliseconds, through every live member in turn); for each of 20
 * kills, the time from the kill until the first write sent after it is
 * acknowledged. The killed member is restarted and caught up before the next
 * kill (a frozen one is thawed with SIGCONT). When etcd is installed, the same against a three-member etcd (its
 * defaults, and with our heartbeat and election timeout), with the ratios.
 *
 * Options: --kills 20  --fault kill|freeze  --election-timeout-ms 300  --heartbeat-ms 50
 *          --write-interval-ms 10  --request-timeout-ms 1000
 *          --no-etcd  --install-etcd
 */
import { parseArgs } from "node:util";
import { sleep } from "../../shared/sleep.ts";
import { positiveInteger, refuse } from "./cli-args.ts";
import { etcdAvailable } from "./etcd-availability.ts";
import { startEtcd } from "./etcd-system.ts";
import type { KvSystem } from "./kv-system.ts";
import { startNexaloak } from "./nexaloak-system.ts";
import { startOpenLoopWriter } from "./open-loop.ts";
import { cell, formatTable, ratio, type Summary, summarize } from "./stats.ts";

const { values: args } = parseArgs({
  options: {
    kills: { type: "string", default: "20" },
    fault: { type: "string", default: "kill" },
    "election-timeout-ms": { type: "string", default: "300" },
    "heartbeat-ms": { type: "string", default: "50" },
    "write-interval-ms": { type: "string", default: "10" },
    "request-timeout-ms": { type: "string", default: "1000" },
    "no-etcd": { type: "boolean", default: false },
    "install-etcd": { type: "boolean", default: false },
  },
});

const kills = positiveInteger("kills", args.kills);
if (args.fault !== "kill" && args.fault !== "freeze") {
  refuse(`--fault must be kill or freeze, got ${args.fault}`);
}
const freeze = args.fault === "freeze";
const electionTimeoutMs = positiveInteger("election-timeout-ms", args["election-timeout-ms"]);
const heartbeatMs = positiveInteger("heartbeat-ms", args["heartbeat-ms"]);
const writeIntervalMs = positiveInteger("write-interval-ms", args["write-interval-ms"]);
const requestTimeoutMs = positiveInteger("request-timeout-ms", args["request-timeout-ms"]);
/** Longest a single failover may take before the run is abandoned as broken. */
const RECOVERY_BOUND_MS = 30_000;
const HEALTHY_BOUND_MS = 60_000;
/** Quiet time after the cluster is whole again, so one kill does not overlap the last. */
const SETTLE_MS = 500;

interface Outcome {
  system: string;
  recoveryMs: Summary;
}

async function measure(start: () => Promise<KvSystem>): Promise<Outcome> {
  const system = await start();
  const recoveries: number[] = [];
  const writer = startOpenLoopWriter(system, {
    intervalMs: writeIntervalMs,
    requestTimeoutMs,
    maxInFlight: 256,
    valueBytes: 256,
    keySpace: 1000,
  });
  let frozen: number | undefined;
  try {
    for (let kill = 1; kill <= kills; kill++) {
      await system.waitHealthy(HEALTHY_BOUND_MS);
      await sleep(SETTLE_MS);
      const leader = await system.leader(HEALTHY_BOUND_MS);
      const killedAt = Date.now();
      if (freeze) {
        frozen = leader;
        system.signal(leader, "SIGSTOP");
      } else {
        await system.kill(leader);
      }
      const committedAt = await writer.firstCommitSentAfter(killedAt, RECOVERY_BOUND_MS);
      recoveries.push(committedAt - killedAt);
      process.stdout.write(
        `  ${system.label}: ${args.fault} ${kill}/${kills} of member ${leader + 1}: writes commit again after ${committedAt - killedAt} ms\n`,
      );
      if (freeze) {
        system.signal(leader, "SIGCONT");
        frozen = undefined;
      } else {
        await system.restart(leader);
      }
    }
  } finally {
    // A stopped process would sit out SIGTERM until the grace period ends.
    if (frozen !== undefined) system.signal(frozen, "SIGCONT");
    await writer.stop();
    await system.stop();
  }
  return { system: system.label, recoveryMs: summarize(recoveries) };
}

process.stdout.write(
  `Leader failover: ${kills} ${freeze ? "SIGSTOPs" : "SIGKILLs"} of the leader, 3 members on 127.0.0.1, a write every ${writeIntervalMs} ms through the live members; time from the kill to the first acknowledged write sent after it.\n`,
);
const outcomes = [await measure(() => startNexaloak({ electionTimeoutMs, heartbeatMs }))];
if (!args["no-etcd"] && etcdAvailable(args["install-etcd"])) {
  outcomes.push(await measure(() => startEtcd()));
  outcomes.push(await measure(() => startEtcd({ electionTimeoutMs, heartbeatMs })));
}

const ours = outcomes[0]!;
process.stdout.write(
  `\n${formatTable(
    ["system", freeze ? "freezes" : "kills", "min ms", "median ms", "p90 ms", "p99 ms", "max ms"],
    outcomes.map(({ system, recoveryMs }) => [
      system,
      String(recoveryMs.count),
      cell(recoveryMs.min, 0),
      cell(recoveryMs.p50, 0),
      cell(recoveryMs.p90, 0),
      cell(recoveryMs.p99, 0),
      cell(recoveryMs.max, 0),
    ]),
  )}\n`,
);
if (outcomes.length > 1) {
  process.stdout.write(
    `\n${formatTable(
      ["ratio", "min", "median", "p90", "p99", "max"],
      outcomes
        .slice(1)
        .map(({ system, recoveryMs }) => [
          `ours / ${system}`,
          ratio(ours.recoveryMs.min, recoveryMs.min),
          ratio(ours.recoveryMs.p50, recoveryMs.p50),
          ratio(ours.recoveryMs.p90, recoveryMs.p90),
          ratio(ours.recoveryMs.p99, recoveryMs.p99),
          ratio(ours.recoveryMs.max, recoveryMs.max),
        ]),
    )}\n`,
  );
}
