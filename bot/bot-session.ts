/**
 * One term of the bot on a leader: from winning leadership to losing it.
 *
 * Starting reads the replicated state (ReadIndex), seeds the access mode,
 * publishes the command menus, polls from the first update no leader
 * confirmed to Telegram (see update-progress.ts) and delivers the outbox,
 * all while a leadership lease holds. (The expiry sweep is a leader task of
 * its own, run whether or not the bot is configured.)
 *
 * Ending aborts one AbortSignal: the pending `getUpdates` and every other
 * call in flight are cancelled, no further Telegram call is made, no update
 * is handled and nothing more is proposed.
 */
import { setMaxListeners } from "node:events";
import type { Agent } from "node:http";
import { autoRetry } from "@grammyjs/auto-retry";
import {
  createConcurrentSink,
  createRunner,
  createSource,
  type RunnerHandle,
} from "@grammyjs/runner";
import { Bot, type Middleware } from "grammy";
import type { Update } from "grammy/types";
import { ENVIRONMENT_ACTOR } from "../cluster/fsm/actors.ts";
import type { CronSchedule } from "../shared/cron-schedule.ts";
import { sleep } from "../shared/sleep.ts";
import { leasedCalls, SessionEndedError, sessionGuard } from "./api-guard.ts";
import { publishCommandMenus } from "./command-menus.ts";
import type { BotContext, BotDependencies } from "./context.ts";
import { OutboxDelivery } from "./jobs/outbox-delivery.ts";
import type { QueueRedis } from "./jobs/outbox-queue.ts";
import { ScheduledBackups } from "./jobs/scheduled-backups.ts";
import { LeadershipLease } from "./leadership-lease.ts";
import { botMiddleware } from "./middleware.ts";
import { ReplyTracking } from "./reply-progress.ts";
import { pacedSends, SendPacer } from "./send-pacer.ts";
import { telegramProxyAgent } from "./telegram-proxy.ts";
import { UpdateEffects } from "./update-effects.ts";
import { UpdateProgress } from "./update-progress.ts";
import { createUpdateSupplier } from "./update-supplier.ts";

/** How long after the first poll the outbox delivery starts. */
const OUTBOX_START_DELAY_MS = 1000;

/** How long a deferred effect waits for Telegram to confirm its update. */
const CONFIRMATION_WAIT_MS = 3000;

/** Update types the bot handles; Telegram keeps the rest from us. */
export const ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"] as const;

export interface BotSessionOptions {
  token: string;
  apiRoot: string;
  /** A proxy every Bot API call goes through; absent: straight out. */
  proxyUrl?: string;
  deps: BotDependencies;
  /** The access mode to store when the cluster has none yet (ACCESS_MODE). */
  initialAccessMode: string;
  rateLimit: Middleware<BotContext>;
  pollTimeoutSeconds: number;
  /** Updates handled at once, across chats. */
  concurrency: number;
  /** This node's Redis, where the outbox delivery queue lives. */
  queueRedis: QueueRedis;
  /** How long an answer held up (e.g. by flood control) may hold back the offset once its effect committed. */
  answerGraceMs: number;
  /** How long a leadership confirmation lets the session poll; below the election timeout. */
  leaseMs: number;
  /**
   * No poll before this instant (performance.now()): a former leader cut off
   * from its peers may poll until its own lease runs out, and that lease
   * started before this node won (see leadership-lease.ts).
   */
  firstPollAtMs: number;
  /** How long after the first poll the outbox delivery starts; default a second. */
  outboxStartDelayMs?: number;
  /** When admins get the scheduled backup (BACKUP_CRON); never when omitted. */
  backupSchedule?: CronSchedule;
}

export class BotSession {
  private readonly controller = new AbortController();
  private readonly bot: Bot<BotContext>;
  private readonly progress: UpdateProgress;
  private readonly effects = new Map<number, UpdateEffects>();
  private runner: RunnerHandle | undefined;
  private delivery: OutboxDelivery | undefined;
  /** The outbox delivery's run: it closes its queue once the session ended. */
  private deliveryDone: Promise<void> = Promise.resolve();
  /** The scheduled backups' run, ended with the session. */
  private backupsDone: Promise<void> = Promise.resolve();
  private readonly lease: LeadershipLease;
  private readonly proxyAgent: Agent | undefined;
  private readonly replies: ReplyTracking;
  private readonly pacer = new SendPacer();
  private readonly startedAtMs = performance.now();

  constructor(private readonly options: BotSessionOptions) {
    const { service, logger } = options.deps;
    this.replies = new ReplyTracking((updateId, messages) => {
      service.recordRepliesSent(updateId, messages).catch((error: unknown) => {
        if (!this.controller.signal.aborted)
          logger.warn({ err: error, updateId }, "could not record the reply messages sent");
      });
    });
    // Every call in flight and every paced delivery listens for the session's end.
    setMaxListeners(0, this.controller.signal);
    this.progress = new UpdateProgress(options.answerGraceMs);
    this.proxyAgent =
      options.proxyUrl === undefined ? undefined : telegramProxyAgent(options.proxyUrl);
    this.bot = new Bot<BotContext>(options.token, {
      client: {
        apiRoot: options.apiRoot,
        // grammY calls only through this client (its files are uploads in the
        // same requests), so the agent carries all of the bot's Telegram traffic.
        ...(this.proxyAgent ? { baseFetchConfig: { agent: this.proxyAgent, compress: true } } : {}),
      },
    });
    this.lease = new LeadershipLease({
      confirmLeadership: () => options.deps.service.read(),
      leaseMs: options.leaseMs,
      // The poll open under the lapsed lease ends with it (see update-supplier.ts); the
      // session stays, and polls again once a majority confirms this node again.
      onExpired: () =>
        options.deps.logger.warn(
          "leadership not confirmed in time (partitioned, or the machine stalled): polling paused",
        ),
      signal: this.controller.signal,
    });
    const guard = sessionGuard(this.controller.signal);
    // Transformers installed later wrap the earlier ones. The guard sits both
    // inside auto-retry (no retry leaves after the session ended) and outside
    // it (a wait between retries ends with the session); pacing sits inside
    // auto-retry, so a retried message waits for its slot too.
    // Innermost: no call leaves while this node cannot prove it still leads.
    this.bot.api.config.use(leasedCalls(this.lease));
    this.bot.api.config.use(guard);
    this.bot.api.config.use(
      pacedSends(this.pacer, this.controller.signal, {
        // Waiting behind other chats' messages does not use up an update's answer grace.
        onOverallSlot: (atMs) => {
          const updateId = this.replies.currentUpdateId();
          if (updateId !== undefined) this.progress.pacedUntil(updateId, atMs);
        },
      }),
    );
    this.bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60 }));
    this.bot.api.config.use(guard);
    // Outermost: a message counts once it went out, after any retries.
    this.bot.api.config.use(this.replies.transformer());
    this.bot.use(
      botMiddleware({
        deps: options.deps,
        session: this.controller.signal,
        effectsOf: (updateId) => this.effectsOf(updateId),
        rateLimit: options.rateLimit,
      }),
    );
  }

  /** The session's signal: aborted once it ended. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  private effectsOf(updateId: number): UpdateEffects {
    const effects = this.effects.get(updateId);
    if (!effects) throw new Error(`update ${updateId} is not being handled by this session`);
    return effects;
  }

  /** Resolves once polling runs, or quietly when the session ended first. */
  async start(): Promise<void> {
    const { deps } = this.options;
    const signal = this.controller.signal;
    try {
      // A ReadIndex read starts the lease, and everything committed in earlier
      // terms is applied here once it returns: the settings below are current.
      if (!(await this.lease.renew())) {
        if (signal.aborted) return;
        throw new Error("this node could not confirm its leadership with a majority");
      }
      // Every Telegram call below waits for a valid lease: keep it renewed from now on.
      void this.lease.keepRenewing();
      const state = deps.service.localState;
      if (state.getSetting("accessMode") === undefined) {
        await deps.service.run({
          type: "setSetting",
          key: "accessMode",
          value: this.options.initialAccessMode,
          actor: ENVIRONMENT_ACTOR,
        });
      }
      if (signal.aborted) return;
      await this.bot.init();
      // getUpdates answers 409 while a webhook is set; pending updates stay.
      await this.bot.api.deleteWebhook();
      await publishCommandMenus(
        this.bot.api,
        state.activeAdminIds().map((id) => ({ id, language: state.user(id)?.language ?? "en" })),
        (adminId, error) => {
          if (!signal.aborted)
            deps.logger.warn({ adminId, err: error.message }, "could not set an admin's menu");
        },
      );
      if (signal.aborted) return;
      await sleep(this.options.firstPollAtMs - performance.now(), signal);
      if (signal.aborted) return;
      this.poll(state.updateOffset());
      deps.logger.info({ handledThrough: state.updateOffset() }, "bot polling");
      // Direct replies first: notifications start once the first updates had the machine.
      await sleep(this.options.outboxStartDelayMs ?? OUTBOX_START_DELAY_MS, signal);
      if (signal.aborted) return;
      this.delivery = new OutboxDelivery({
        api: this.bot.api,
        deps,
        signal,
        redis: this.options.queueRedis,
      });
      this.deliveryDone = this.delivery.run();
      if (this.options.backupSchedule)
        this.backupsDone = new ScheduledBackups({
          api: this.bot.api,
          deps,
          schedule: this.options.backupSchedule,
          signal,
        }).run();
    } catch (error) {
      if (signal.aborted) return;
      throw error;
    }
  }

  /** Starts the runner; `handledThrough` is the replicated offset, logged against the first batch. */
  private poll(handledThrough: number): void {
    const { deps } = this.options;
    const signal = this.controller.signal;
    let firstBatch = true;
    const supplier = createUpdateSupplier({
      api: this.bot.api,
      pollTimeoutSeconds: this.options.pollTimeoutSeconds,
      allowedUpdates: ALLOWED_UPDATES,
      mayPoll: () => this.lease.isValid(),
      pollSignal: () => this.lease.periodSignal,
      progress: this.progress,
      onBatch: (updates) => {
        const first = updates[0]?.update_id;
        if (firstBatch && first !== undefined) {
          firstBatch = false;
          // Ids up to handledThrough are re-deliveries: apply answers them from their first result.
          deps.logger.info({ handledThrough, firstUpdateId: first }, "first updates of this term");
        }
      },
      logger: deps.logger,
    });
    const sink = createConcurrentSink<Update>(
      { consume: (update) => this.handleUpdate(update) },
      async (error) => {
        deps.logger.error({ err: error }, "the bot's update sink failed");
      },
      { concurrency: this.options.concurrency },
    );
    this.runner = createRunner(createSource(supplier), sink);
    this.runner.start();
    void this.runner.task()?.catch((error: unknown) => {
      if (!signal.aborted) deps.logger.error({ err: error }, "bot polling stopped");
    });
  }

  /**
   * Handles one update as polled: its one proposal, then the replies. An
   * update that made no proposal (dropped by the rate limiter, from a group,
   * text no flow takes) writes nothing to Raft; it is settled all the same,
   * so Telegram's offset moves on. An update handled before (a re-delivery)
   * is answered from its first result, less the messages of the reply its
   * former leader had sent (see reply-progress.ts).
   */
  async handleUpdate(update: Update): Promise<void> {
    const updateId = update.update_id;
    const signal = this.controller.signal;
    const { service, logger } = this.options.deps;
    const effects = new UpdateEffects(updateId, service, signal, () =>
      this.progress.committed(updateId),
    );
    this.effects.set(updateId, effects);
    const chatId = chatOf(update);
    // A former leader handled it and may have answered it in its last second.
    if (chatId !== undefined && service.localState.wasUpdateHandled(updateId))
      this.pacer.formerLeaderMaySendUntil(String(chatId), this.startedAtMs);
    const alreadySent = service.localState.repliesSent(updateId);
    if (alreadySent > 0)
      logger.debug({ updateId, alreadySent }, "a former leader sent part of this reply");
    try {
      await this.replies.run(
        { updateId, alreadySent, counted: 0, recordable: () => effects.proposed },
        () => this.bot.handleUpdate(update),
      );
    } catch (error) {
      if (!signal.aborted) logger.warn({ err: error, updateId }, "an update was not handled");
    } finally {
      this.effects.delete(updateId);
    }
    this.progress.answered(updateId);
    if (effects.deferredEffects.length > 0) void this.runDeferred(effects);
  }

  /**
   * Runs an update's deferred effects once Telegram confirmed the update
   * (the next poll asks past it, and does not linger while one waits), or
   * after CONFIRMATION_WAIT_MS when no poll can go out (the lease lapsed):
   * the update's effect is committed already, so a later leader that
   * receives it again recognises it as handled and does not act. Nothing
   * runs once the session ended.
   */
  private async runDeferred(effects: UpdateEffects): Promise<void> {
    const signal = this.controller.signal;
    const confirmed = await this.progress.untilConfirmed(
      effects.updateId,
      CONFIRMATION_WAIT_MS,
      signal,
    );
    if (signal.aborted) return;
    if (!confirmed)
      this.options.deps.logger.warn(
        { updateId: effects.updateId },
        "Telegram did not confirm the update in time; acting on its committed record",
      );
    for (const effect of effects.deferredEffects) {
      try {
        effect();
      } catch (error) {
        this.options.deps.logger.warn(
          { err: error, updateId: effects.updateId },
          "a deferred effect of an update failed",
        );
      }
    }
  }

  /**
   * Ends the session at once: aborts the pending `getUpdates` and every call
   * in flight, and makes no further Telegram call (grammY's `bot.stop()`
   * would confirm the offset with one more `getUpdates`, which ends a new
   * leader's poll with 409; the offset lives in the replicated state anyway).
   * Resolves when the polling loop has ended and the delivery queue is closed.
   */
  async stop(): Promise<void> {
    if (!this.controller.signal.aborted)
      this.controller.abort(new SessionEndedError("the bot session"));
    await this.runner?.stop()?.catch(() => undefined);
    await this.deliveryDone;
    // Closes the tunnels kept alive for the next call: this session makes none.
    this.proxyAgent?.destroy();
    await this.backupsDone;
  }

  /** Outbox deliveries queued in this node's Redis and not finished yet. */
  async outboxQueueDepth(): Promise<number | undefined> {
    return this.delivery?.queueDepth();
  }
}

/** The chat an update's answer goes to, if it has one. */
function chatOf(update: Update): number | undefined {
  return (
    update.message?.chat.id ??
    update.callback_query?.message?.chat.id ??
    update.callback_query?.from.id ??
    update.my_chat_member?.chat.id
  );
}
