/**
 * The reply gap users see when the leader dies: users keep asking for
 * configs (each at most once a second), the leader is SIGKILLed, and the gap
 * is the time from the last bot reply that arrived before the process was
 * gone to the first reply after. Each killed node is restarted and ready
 * before the next kill. Used by `npm run bench:bot` and its test.
 */

import { sleep } from "../../shared/sleep.ts";
import type { EmulatedUser } from "../telegram-emulator/emulator.ts";
import type { Cluster } from "./cluster-harness.ts";

/** The bot allows 20 updates per user per 10 s; once a second each stays well under it. */
const PER_USER_SEND_INTERVAL_MS = 1000;
const MIN_SEND_INTERVAL_MS = 50;
/**
 * Quiet time once the cluster is whole again, so each kill measures one
 * failover: a node restarted a moment ago is still catching up, and killing
 * the leader then is a second fault on top of the first.
 */
const SETTLE_MS = 2000;

export interface ReplyGapOptions {
  cluster: Cluster;
  users: readonly EmulatedUser[];
  kills: number;
  /** Bound on each wait (a reply, a restart, an election). */
  waitMs: number;
  /**
   * /config requests per second, all users together; default one per user
   * (each once a second). Under Telegram's flood limits (30 messages a
   * second, a config is 3) keep it below 10, or replies queue up.
   */
  requestsPerSecond?: number;
  /** Told of each kill as it is measured. */
  onKill?: (kill: MeasuredKill) => void;
}

/** One kill of the leader, measured. */
export interface MeasuredKill {
  number: number;
  /** The node killed. */
  nodeId: string;
  gapMs: number;
  /** From the moment the process was gone to the first reply. */
  afterGoneMs: number;
  /**
   * Terms from the killed leader's to its successor's: 1 when the first
   * election won, more when votes split and elections were repeated.
   */
  terms: number;
}

/** When the bot sent each message to any of `users` (emulator monotonic clock, ascending). */
function replyTimes(users: readonly EmulatedUser[]): number[] {
  return users
    .flatMap((user) => user.inbox().map((message) => message.sentAt))
    .sort((a, b) => a - b);
}

/** Sends /config from each user in turn, so every user writes at most once a second. */
function startSteadyRequests(
  users: readonly EmulatedUser[],
  requestsPerSecond: number | undefined,
): { stop(): void; sent(): number } {
  const intervalMs = Math.max(
    MIN_SEND_INTERVAL_MS,
    PER_USER_SEND_INTERVAL_MS / users.length,
    requestsPerSecond === undefined ? 0 : 1000 / requestsPerSecond,
  );
  let next = 0;
  const timer = setInterval(() => {
    users[next % users.length]!.send("/config");
    next += 1;
  }, intervalMs);
  return { stop: () => clearInterval(timer), sent: () => next };
}

async function firstReplyAfter(options: ReplyGapOptions, afterMs: number): Promise<number> {
  let found = Number.NaN;
  await options.cluster.waitUntil(
    () => {
      found = replyTimes(options.users).find((at) => at > afterMs) ?? Number.NaN;
      return Number.isFinite(found);
    },
    options.waitMs,
    "a bot reply after the kill",
  );
  return found;
}

/** Kills the leader `kills` times under steady load; resolves with each kill measured and the requests sent. */
export async function measureReplyGaps(
  options: ReplyGapOptions,
): Promise<{ kills: MeasuredKill[]; requestsSent: number }> {
  const { cluster, users, waitMs } = options;
  const kills: MeasuredKill[] = [];
  const load = startSteadyRequests(users, options.requestsPerSecond);
  try {
    // The first kill, too, falls among replies to this load, not after a quiet spell.
    await firstReplyAfter(options, performance.now());
    await sleep(SETTLE_MS);
    for (let kill = 1; kill <= options.kills; kill++) {
      const leader = await cluster.leader({ timeoutMs: waitMs });
      const killedTerm = (await leader.status()).term;
      await leader.kill("SIGKILL");
      // Replies the dead process had already written may land while it exits: they count as before.
      const goneAt = performance.now();
      const lastBefore =
        replyTimes(users)
          .filter((at) => at <= goneAt)
          .at(-1) ?? Number.NaN;
      const firstAfter = await firstReplyAfter(options, goneAt);
      const successor = await cluster.leader({ timeoutMs: waitMs });
      const measured: MeasuredKill = {
        number: kill,
        nodeId: leader.id,
        gapMs: firstAfter - lastBefore,
        afterGoneMs: firstAfter - goneAt,
        terms: (await successor.status()).term - killedTerm,
      };
      kills.push(measured);
      options.onKill?.(measured);
      await leader.restart();
      await leader.waitForReady(waitMs);
      await cluster.leader({ timeoutMs: waitMs });
      await firstReplyAfter(options, performance.now());
      await sleep(SETTLE_MS);
    }
  } finally {
    load.stop();
  }
  return { kills, requestsSent: load.sent() };
}
