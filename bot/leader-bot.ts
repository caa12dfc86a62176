/**
 * The Telegram bot, run only by the leader: a new session starts when this
 * node wins leadership and ends the moment it loses it, so there is never a
 * second poller (a lapsed leadership lease pauses polling, see
 * bot-session.ts). Sessions never overlap on one node either: the leadership
 * runner starts a term only after the previous one wound down.
 */
import { limit } from "@grammyjs/ratelimiter";
import type { Middleware } from "grammy";
import type { BackupService } from "../cluster/backup/backup-service.ts";
import type { ControlPlaneService } from "../cluster/control-plane-service.ts";
import type { ApplyResult } from "../cluster/fsm/control-plane.ts";
import type { LeaderTask } from "../cluster/leadership-runner.ts";
import type { FleetMembership } from "../cluster/membership/fleet-membership.ts";
import type { ClusterNode } from "../cluster/node.ts";
import type { SubscriptionLinks } from "../cluster/subscription/subscription-links.ts";
import { Backoff } from "../shared/backoff.ts";
import type { CronSchedule } from "../shared/cron-schedule.ts";
import type { Logger } from "../shared/logger.ts";
import { sleep, waitForAbort } from "../shared/sleep.ts";
import { BotSession } from "./bot-session.ts";
import { ChartRenderer } from "./charts/chart-renderer.ts";
import type { BotContext } from "./context.ts";
import type { BanChecks } from "./jobs/ban-checks.ts";
import type { QueueRedis } from "./jobs/outbox-queue.ts";
import { pollTimeoutSecondsFor } from "./poll-timeout.ts";
import { QrCodeRenderer } from "./qr-code-renderer.ts";
import { NewcomerGate } from "./user/newcomer-gate.ts";

/** A session that cannot start (Telegram unreachable, no majority) retries after these pauses. */
const START_RETRY = { minDelayMs: 500, maxDelayMs: 30_000 };
/** The next poll waits this long at most for answers stuck behind flood control. */
const ANSWER_GRACE_MS = 3000;
/** The lease's share of the election timeout; the rest is margin for late timers. */
const LEASE_FRACTION = 0.75;

export interface LeaderBotOptions {
  token: string;
  /** The Bot API root, e.g. https://api.telegram.org or an emulator's. */
  apiRoot: string;
  /** A proxy every Bot API call goes through (TELEGRAM_PROXY); absent: straight out. */
  proxyUrl?: string;
  node: ClusterNode<ApplyResult>;
  service: ControlPlaneService;
  /** Telegram user ids (decimal text) that become admins when they start the bot. */
  bootstrapAdminIds: readonly string[];
  /** The access mode stored when the cluster has none yet (ACCESS_MODE). */
  initialAccessMode: string;
  /** The node's ban checks, which `/checknow` runs at once. */
  banChecks: Pick<BanChecks, "checkNow" | "queueDepth">;
  /** The node's fleet membership, which `/addserver` and `/removeserver` use. */
  membership: FleetMembership;
  /** Users' subscription URLs (`/subscription`). */
  subscriptions: SubscriptionLinks;
  /** Backups (`/backup` and the BACKUP_CRON schedule). */
  backups: BackupService;
  /** When every admin is sent a backup (BACKUP_CRON); never when omitted. */
  backupSchedule?: CronSchedule;
  /** This node's own Redis (REDIS_URL) and a key prefix for the outbox delivery queue. */
  queueRedis: QueueRedis;
  /** The cluster's ELECTION_TIMEOUT_MS: the bot's leadership lease stays below it. */
  electionTimeoutMs: number;
  logger: Logger;
  /**
   * Upper bound of each `getUpdates`' long-poll timeout, default 25 s; the
   * timeout used is at most what ends before a new leader's first poll
   * (see pollTimeoutSecondsFor).
   */
  pollTimeoutSeconds?: number;
  /** Per-user rate limit: at most `limit` updates per `timeFrameMs`; default 20 per 10 s. */
  userRateLimit?: { limit: number; timeFrameMs: number };
  /** Updates handled at once, across chats; default 200. */
  concurrency?: number;
  /** How long after its first poll a new leader starts delivering the outbox; default a second. */
  outboxStartDelayMs?: number;
}

/**
 * Runs the bot while this node leads: a leader task (see
 * cluster/leadership-runner.ts) whose term is one BotSession.
 */
export class LeaderBot implements LeaderTask {
  readonly name = "telegram bot";
  private session: BotSession | undefined;
  private readonly rateLimit: Middleware<BotContext>;
  private readonly qrCodes = new QrCodeRenderer();
  // Not started ahead: charts answer a few admin commands, and the thread
  // would hold ECharts in memory on every node.
  private readonly charts = new ChartRenderer();
  private readonly newcomers = new NewcomerGate();

  constructor(private readonly options: LeaderBotOptions) {
    const rate = options.userRateLimit ?? { limit: 20, timeFrameMs: 10_000 };
    this.rateLimit = limit<BotContext, never>({
      limit: rate.limit,
      timeFrame: rate.timeFrameMs,
      keyGenerator: (ctx) => ctx.from?.id.toString(),
      onLimitExceeded: async (ctx) => {
        // Dropped without a Raft write: flooding the bot cannot make the cluster write.
        if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: ctx.t.slowDown });
      },
    }) as Middleware<BotContext>;
  }

  /** Whether a session is running (or starting) on this node. */
  get active(): boolean {
    return this.session !== undefined;
  }

  /** The session running (or starting) now, if this node leads. */
  get currentSession(): BotSession | undefined {
    return this.session;
  }

  /**
   * One session for one term: started (with retries) at once, stopped the
   * moment `signal` aborts, so no Telegram call is made after leadership is lost.
   */
  async runTerm(signal: AbortSignal): Promise<void> {
    // Only a leader draws QR codes, so a follower holds no drawing threads.
    // They start with the first term (and stay for later ones) while the
    // session waits out the former leader's lease before its first poll, and
    // the outbox a second more: warm before the first code is asked for.
    this.qrCodes.prepare();
    const session = this.newSession();
    this.session = session;
    this.options.logger.info("this node leads: starting the bot");
    const stopped = waitForAbort(signal).then(() => {
      this.session = undefined;
      this.options.logger.info("leadership lost: the bot stops");
      return session.stop();
    });
    await this.startWithRetries(session);
    await stopped;
  }

  private newSession(): BotSession {
    const { options } = this;
    const leaseMs = Math.floor(options.electionTimeoutMs * LEASE_FRACTION);
    const firstPollDelayMs = options.electionTimeoutMs;
    return new BotSession({
      token: options.token,
      apiRoot: options.apiRoot,
      ...(options.proxyUrl === undefined ? {} : { proxyUrl: options.proxyUrl }),
      deps: {
        node: options.node,
        service: options.service,
        bootstrapAdminIds: new Set(options.bootstrapAdminIds),
        newcomers: this.newcomers,
        qrCodes: this.qrCodes,
        charts: this.charts,
        banChecks: options.banChecks,
        membership: options.membership,
        subscriptions: options.subscriptions,
        backups: options.backups,
        outboxQueueDepth: async () => this.session?.outboxQueueDepth(),
        logger: options.logger,
      },
      initialAccessMode: options.initialAccessMode,
      queueRedis: options.queueRedis,
      ...(options.backupSchedule ? { backupSchedule: options.backupSchedule } : {}),
      rateLimit: this.rateLimit,
      pollTimeoutSeconds: pollTimeoutSecondsFor(firstPollDelayMs, options.pollTimeoutSeconds ?? 25),
      concurrency: options.concurrency ?? 200,
      answerGraceMs: ANSWER_GRACE_MS,
      leaseMs,
      ...(options.outboxStartDelayMs === undefined
        ? {}
        : { outboxStartDelayMs: options.outboxStartDelayMs }),
      // A former leader's lease began before this node won and lasts leaseMs;
      // the rest of the election timeout is margin for its late timers.
      firstPollAtMs: performance.now() + firstPollDelayMs,
    });
  }

  /** Starts `session`, retrying with back-off (e.g. Telegram unreachable) until it runs or ends. */
  private async startWithRetries(session: BotSession): Promise<void> {
    const backoff = new Backoff(START_RETRY);
    while (!session.signal.aborted) {
      try {
        await session.start();
        return;
      } catch (error) {
        if (session.signal.aborted) return;
        const delayMs = backoff.next();
        this.options.logger.error(
          { err: error instanceof Error ? error.message : String(error), retryInMs: delayMs },
          "the bot could not start; retrying",
        );
        await sleep(delayMs, session.signal);
      }
    }
  }

  /** Ends the QR code and chart threads; the leadership runner has ended the last session. */
  async close(): Promise<void> {
    await Promise.all([this.qrCodes.close(), this.charts.close()]);
  }
}
