/**
 * `npm run bench:bot`: the Telegram bot end to end, through the local Bot API
 * emulator, against a real three-node cluster on 127.0.0.1 (durable Redis).
 *
 * 1. Configs: every emulated user sends /start, then all send /config at once;
 *    configs per second, and the latency from a user's /config until the
 *    config document is in their inbox.
 * 3. Failover: users keep sending /config (each at most once a second, under
 *    the bot's per-user rate limit); the leader is SIGKILLed `--kills` times.
 *    For each kill, the gap users see: from the last bot reply that arrived
 *    before the killed process was gone until the first reply after. The
 *    killed node is restarted and ready before the next kill.
 *
 * 2. Failover burst: every user sends /config once more and the leader is
 *    SIGKILLed 3 times while the configs go out: how many users got their
 *    config twice.
 *
 * The emulator enforces Telegram's flood limits throughout (1 message a
 * second per chat with short bursts, 30 overall); the steady load of phase 3
 * is 5 requests a second, and every phase counts the 429s.
 *
 * Options: --users 50  --kills 20  --election-timeout-ms 300  --heartbeat-ms 50
 *          --log-dir DIR (keep the node logs there; by default they go with the run)
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { measureFailoverBurst } from "../lib/failover-burst.ts";
import { startLocalBotFleet } from "../lib/local-bot-fleet.ts";
import { measureReplyGaps } from "../lib/reply-gaps.ts";
import {
  createTelegramEmulator,
  type EmulatedUser,
  TELEGRAM_FLOOD_LIMITS,
  type TelegramEmulator,
} from "../telegram-emulator/emulator.ts";
import { positiveInteger } from "./cli-args.ts";
import { cell, formatTable, type Summary, summarize } from "./stats.ts";

const { values: args } = parseArgs({
  options: {
    users: { type: "string", default: "50" },
    kills: { type: "string", default: "20" },
    "election-timeout-ms": { type: "string", default: "300" },
    "heartbeat-ms": { type: "string", default: "50" },
    "log-dir": { type: "string" },
  },
});

const userCount = positiveInteger("users", args.users);
const kills = positiveInteger("kills", args.kills);
const electionTimeoutMs = positiveInteger("election-timeout-ms", args["election-timeout-ms"]);
const heartbeatMs = positiveInteger("heartbeat-ms", args["heartbeat-ms"]);

/** The failover target this benchmark checks, valid at ELECTION_TIMEOUT_MS=300. */
const TARGET_GAP_P99_MS = 1000;
/** At most this share of users may see a reply twice in the failover burst. */
const TARGET_REPEATED_SHARE = 0.01;
/** Phase 2's load under the flood limits: 15 messages a second, half the overall limit. */
const STEADY_REQUESTS_PER_SECOND = 5;
const BURST_KILLS = 3;
const FIRST_USER_ID = 9001;
/** Bound on any one wait (cluster start, a burst of configs, a failover). */
const WAIT_MS = 60_000;

interface ConfigBurst {
  configsPerSecond: number;
  latencyMs: Summary;
}

/** Phase 1: /start for everyone, then a burst of /config; latency per user from send to document. */
async function measureConfigBurst(users: readonly EmulatedUser[]): Promise<ConfigBurst> {
  for (const user of users) user.send("/start");
  await Promise.all(
    users.map((user) => user.waitFor((message) => message.text !== undefined, WAIT_MS)),
  );
  const sentAt = new Map<number, number>();
  const firstSentAt = performance.now();
  for (const user of users) {
    sentAt.set(user.id, performance.now());
    user.send("/config");
  }
  const documents = await Promise.all(
    users.map((user) => user.waitFor((message) => message.document !== undefined, WAIT_MS)),
  );
  const latencies = documents.map((document, i) => document.sentAt - sentAt.get(users[i]!.id)!);
  const lastDocumentAt = Math.max(...documents.map((document) => document.sentAt));
  return {
    configsPerSecond: users.length / ((lastDocumentAt - firstSentAt) / 1000),
    latencyMs: summarize(latencies),
  };
}

async function run(emulator: TelegramEmulator, token: string): Promise<void> {
  const cluster = await startLocalBotFleet({
    token,
    emulator,
    timeoutMs: WAIT_MS,
    electionTimeoutMs,
    heartbeatMs,
    ...(args["log-dir"] ? { dir: args["log-dir"] } : {}),
  });
  try {
    // The bench measures the bot, not the newcomer limit: let every bench user in.
    const opened = await (await cluster.leader({ timeoutMs: WAIT_MS })).client.putSetting(
      "newUsersPerMinute",
      String(Math.max(120, userCount)),
    );
    if (!opened.ok) throw new Error(`could not raise newUsersPerMinute: ${opened.error.message}`);
    const users = Array.from({ length: userCount }, (_, n) =>
      emulator.user(FIRST_USER_ID + n, { first_name: `Bench${n}`, language_code: "en" }),
    );

    const burst = await measureConfigBurst(users);
    process.stdout.write(
      `\n${formatTable(
        ["users", "configs/s", "p50 ms", "p90 ms", "p99 ms", "max ms"],
        [
          [
            String(userCount),
            cell(burst.configsPerSecond),
            cell(burst.latencyMs.p50, 0),
            cell(burst.latencyMs.p90, 0),
            cell(burst.latencyMs.p99, 0),
            cell(burst.latencyMs.max, 0),
          ],
        ],
      )}\n\n`,
    );

    process.stdout.write(
      `2. Every user sends /config once more; the leader is SIGKILLed ${BURST_KILLS} times while the configs go out.\n`,
    );
    const burstFailover = await measureFailoverBurst({
      cluster,
      users,
      kills: BURST_KILLS,
      waitMs: WAIT_MS,
    });
    const repeatedShare = burstFailover.repeatedUsers.length / userCount;
    process.stdout.write(
      `  ${burstFailover.repeatedUsers.length} of ${userCount} users got a config twice (${(repeatedShare * 100).toFixed(1)} %; target <= ${TARGET_REPEATED_SHARE * 100} %: ${repeatedShare <= TARGET_REPEATED_SHARE ? "met" : "MISSED"}); ${burstFailover.killsDuringBurst} of ${BURST_KILLS} kills came while configs were on their way\n`,
    );
    process.stdout.write(
      `\n3. Users keep sending /config; the leader is SIGKILLed ${kills} times: the gap from the last reply before the kill to the first reply after it.\n`,
    );
    const { kills: measured, requestsSent } = await measureReplyGaps({
      cluster,
      users,
      kills,
      waitMs: WAIT_MS,
      requestsPerSecond: STEADY_REQUESTS_PER_SECOND,
      onKill: (kill) =>
        process.stdout.write(
          `  kill ${kill.number}/${kills} of ${kill.nodeId}: no reply for ${kill.gapMs.toFixed(0)} ms (first reply ${kill.afterGoneMs.toFixed(0)} ms after the process was gone; next leader ${kill.terms} term${kill.terms === 1 ? "" : "s"} on)\n`,
        ),
    });
    process.stdout.write(`  ${requestsSent} /config requests sent during the failovers\n`);
    const gapMs = summarize(measured.map((kill) => kill.gapMs));
    const verdict = gapMs.p99 <= TARGET_GAP_P99_MS ? "met" : "MISSED";
    process.stdout.write(
      `\n${formatTable(
        ["kills", "min ms", "median ms", "p90 ms", "p99 ms", "max ms"],
        [
          [
            String(gapMs.count),
            cell(gapMs.min, 0),
            cell(gapMs.p50, 0),
            cell(gapMs.p90, 0),
            cell(gapMs.p99, 0),
            cell(gapMs.max, 0),
          ],
        ],
      )}\n\ntarget: p99 reply gap <= ${TARGET_GAP_P99_MS} ms at ELECTION_TIMEOUT_MS=300 (this run: ${electionTimeoutMs} ms): ${verdict}\n`,
    );
    process.stdout.write(
      `429s from flood control over the whole run: ${emulator.floodRefusals()}\n`,
    );
    const overlaps = emulator.overlappingPolls().length;
    if (overlaps > 0) process.stdout.write(`warning: ${overlaps} overlapping getUpdates polls\n`);
  } catch (error) {
    process.stderr.write(`\n${cluster.logTails(30)}\n`);
    throw error;
  } finally {
    await cluster.stop();
  }
}

process.stdout.write(
  `Telegram bot: 3 nodes on 127.0.0.1 behind the Bot API emulator, ${userCount} users, ELECTION_TIMEOUT_MS=${electionTimeoutMs}, HEARTBEAT_MS=${heartbeatMs}.\n1. Every user sends /start, then all send /config at once: configs per second and the time from /config to the document in the user's inbox.\n`,
);
// Update ids start high, as real Telegram's do, so no node can mistake them for ones it has seen.
const emulator = await createTelegramEmulator({
  firstUpdateId: Date.now(),
  floodLimits: TELEGRAM_FLOOD_LIMITS,
});
const token = `${7_100_000_001}:${randomBytes(20).toString("hex")}`;
try {
  await run(emulator, token);
} finally {
  await emulator.stop();
}
