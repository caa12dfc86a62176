/**
 * The Telegram bot, run only by the leader: a new session starts when this
 * node wins leadership and ends the moment it loses it (or its leadership
 * lease runs out), so there is never a second poller. Sessions never overlap
 * on one node either: a new one starts only after the previous one stopped.
 */
import { limit } from "@grammyjs/ratelimiter";
import type { Middleware } from "grammy";
import type { ControlPlaneService } from "../cluster/control-plane-service.ts";
import type { ApplyResult } from "../cluster/fsm/control-plane.ts";
import type { ClusterNode } from "../cluster/node.ts";
import type { Logger } from "../shared/logger.ts";
import { sleep } from "../shared/sleep.ts";
import { BotSession } from "./bot-session.ts";
import type { BotContext } from "./context.ts";
import type { BanChecks } from "./jobs/ban-checks.ts";
import type { QueueRedis } from "./jobs/outbox-queue.ts";
import { QrCodeRenderer } from "./qr-code-renderer.ts";

/** A session that cannot start (Telegram unreachable, no majority) retries after these pauses. */
const START_RETRY_MIN_MS = 500;
const START_RETRY_MAX_MS = 30_000;
/** The next poll waits this long at most for answers stuck behind flood control. */
const ANSWER_GRACE_MS = 3000;
/** The lease's share of the election timeout; the rest is margin for late timers. */
const LEASE_FRACTION = 0.75;

export interface LeaderBotOptions {
  token: string;
  /** The Bot API root, e.g. https://api.telegram.org or an emulator's. */
  apiRoot: string;
  node: ClusterNode<ApplyResult>;
  service: ControlPlaneService;
  /** Telegram user ids (decimal text) that become admins when they start the bot. */
  bootstrapAdminIds: readonly string[];
  /** The access mode stored when the cluster has none yet (ACCESS_MODE). */
  initialAccessMode: string;
  /** The node's ban checks, which `/checknow` runs at once. */
  banChecks: Pick<BanChecks, "checkNow" | "queueDepth">;
  /** This node's own Redis (REDIS_URL) and a key prefix for the outbox delivery queue. */
  queueRedis: QueueRedis;
  /** The cluster's ELECTION_TIMEOUT_MS: the bot's leadership lease stays below it. */
  electionTimeoutMs: number;
  logger: Logger;
  /** Long-poll timeout of each `getUpdates`; default 25 s. */
  pollTimeoutSeconds?: number;
  /** Per-user rate limit: at most `limit` updates per `timeFrameMs`; default 20 per 10 s. */
  userRateLimit?: { limit: number; timeFrameMs: number };
  /** Updates handled at once, across chats; default 200. */
  concurrency?: number;
  /** How long after its first poll a new leader starts delivering the outbox; default a second. */
  outboxStartDelayMs?: number;
}

/** Follows a node's leadership and runs the bot while it leads. */
export class LeaderBot {
  private session: BotSession | undefined;
  /** The previous session's stop; the next session waits for it. */
  private stopped: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  private readonly rateLimit: Middleware<BotContext>;
  private readonly qrCodes = new QrCodeRenderer();

  constructor(private readonly options: LeaderBotOptions) {
    const rate = options.userRateLimit ?? { limit: 20, timeFrameMs: 10_000 };
    this.rateLimit = limit<BotContext, never>({
      limit: rate.limit,
      timeFrame: rate.timeFrameMs,
      keyGenerator: (ctx) => ctx.from?.id.toString(),
      onLimitExceeded: async (ctx) => {
        // The update is dropped, but still acknowledged so the offset moves on.
        await ctx.effects.acknowledge();
        if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: ctx.t.slowDown });
      },
    }) as Middleware<BotContext>;
  }

  /** Follows the node's leadership from now on (and starts at once if it leads already). */
  attach(): void {
    if (this.unsubscribe) return;
    // Every node keeps its QR code thread warm: any of them may lead next.
    this.qrCodes.prepare();
    this.unsubscribe = this.options.node.onLeadershipChange((change) => {
      if (change.isLeader) this.lead();
      else this.follow();
    });
    if (this.options.node.isLeader()) this.lead();
  }

  /** Whether a session is running (or starting) on this node. */
  get active(): boolean {
    return this.session !== undefined;
  }

  /** The session running (or starting) now, if this node leads. */
  get currentSession(): BotSession | undefined {
    return this.session;
  }

  private lead(): void {
    if (this.session) return;
    const { options } = this;
    const leaseMs = Math.floor(options.electionTimeoutMs * LEASE_FRACTION);
    const session = new BotSession({
      token: options.token,
      apiRoot: options.apiRoot,
      deps: {
        node: options.node,
        service: options.service,
        bootstrapAdminIds: new Set(options.bootstrapAdminIds),
        qrCodes: this.qrCodes,
        banChecks: options.banChecks,
        outboxQueueDepth: async () => this.session?.outboxQueueDepth(),
        logger: options.logger,
      },
      initialAccessMode: options.initialAccessMode,
      queueRedis: options.queueRedis,
      rateLimit: this.rateLimit,
      pollTimeoutSeconds: options.pollTimeoutSeconds ?? 25,
      concurrency: options.concurrency ?? 200,
      answerGraceMs: ANSWER_GRACE_MS,
      leaseMs,
      // A former leader's lease began before this node won and lasts leaseMs;
      // the rest of the election timeout is margin for its late timers.
      ...(options.outboxStartDelayMs === undefined
        ? {}
        : { outboxStartDelayMs: options.outboxStartDelayMs }),
      firstPollAtMs: performance.now() + options.electionTimeoutMs,
    });
    this.session = session;
    options.logger.info("this node leads: starting the bot");
    void this.stopped.then(() => this.startWithRetries(session));
  }

  /** Starts `session`, retrying with back-off (e.g. Telegram unreachable) until it runs or ends. */
  private async startWithRetries(session: BotSession): Promise<void> {
    let delayMs = START_RETRY_MIN_MS;
    while (!session.signal.aborted) {
      try {
        await session.start();
        return;
      } catch (error) {
        if (session.signal.aborted) return;
        this.options.logger.error(
          { err: error instanceof Error ? error.message : String(error), retryInMs: delayMs },
          "the bot could not start; retrying",
        );
        await sleep(delayMs, session.signal);
        delayMs = Math.min(delayMs * 2, START_RETRY_MAX_MS);
      }
    }
  }

  private follow(): void {
    const session = this.session;
    if (!session) return;
    this.session = undefined;
    this.options.logger.info("leadership lost: the bot stops");
    // The abort happens now, inside stop(); only the wait is chained.
    const stopping = session.stop();
    this.stopped = Promise.all([this.stopped, stopping]).then(() => undefined);
  }

  /** Stops following leadership and ends the running session. */
  async close(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.follow();
    await this.stopped;
    await this.qrCodes.close();
  }
}
