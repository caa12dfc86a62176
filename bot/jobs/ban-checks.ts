/**
 * Ban checks while this node leads, whether or not it runs the Telegram bot.
 * Gaining leadership starts the queue (scheduler upserted, worker started)
 * and checks at once every server the latest scheduled round has not reached
 * yet: a round a former leader left half done is finished here, and a fresh
 * cluster gets its first verdicts without waiting a whole period. Losing
 * leadership aborts running checks (nothing more is proposed for them) and
 * closes the worker.
 */
import { setMaxListeners } from "node:events";
import type { ControlPlaneService } from "../../cluster/control-plane-service.ts";
import type { ApplyResult } from "../../cluster/fsm/control-plane.ts";
import type { ClusterNode } from "../../cluster/node.ts";
import type { CronSchedule } from "../../shared/cron-schedule.ts";
import type { Logger } from "../../shared/logger.ts";
import { sleep } from "../../shared/sleep.ts";
import { BanCheckQueue } from "./ban-check-queue.ts";
import type { QueueRedis } from "./outbox-queue.ts";
import { type RecordedVerdict, type ServerChecker, serversToCheck } from "./server-checker.ts";

export interface BanChecksOptions {
  node: Pick<ClusterNode<ApplyResult>, "onLeadershipChange" | "isLeader">;
  service: ControlPlaneService;
  checker: ServerChecker;
  schedule: CronSchedule;
  concurrency: number;
  redis: QueueRedis;
  logger: Logger;
  /** How long after gaining leadership the checks start; default a second. */
  startDelayMs?: number;
  /** Told of every verdict committed (metrics, benchmarks). */
  onVerdict?: (verdict: RecordedVerdict) => void;
  clock?: () => number;
}

/** How long after gaining leadership the checks start. */
const START_DELAY_MS = 1000;

interface Term {
  controller: AbortController;
  queue: BanCheckQueue;
  started: Promise<void>;
}

export class BanChecks {
  private term: Term | undefined;
  /** Closing of earlier terms' queues, waited for before a new term starts. */
  private closed: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  private readonly clock: () => number;

  constructor(private readonly options: BanChecksOptions) {
    this.clock = options.clock ?? Date.now;
  }

  /** Follows leadership from now on. */
  attach(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.options.node.onLeadershipChange(({ isLeader }) => {
      if (isLeader) this.lead();
      else this.follow();
    });
    if (this.options.node.isLeader()) this.lead();
  }

  /** Whether this node runs the checks now. */
  get active(): boolean {
    return this.term !== undefined;
  }

  /** Jobs in this node's queue; undefined while it does not lead. */
  async queueDepth(): Promise<number | undefined> {
    return this.term?.queue.depth();
  }

  /**
   * Checks one server now, outside the schedule, and resolves with the
   * committed verdict (null when the server is not checked: unknown, banned
   * or without an endpoint). Its round is now, after every earlier round.
   * `updateId`: the admin's Telegram update, so a repeat records nothing new.
   */
  async checkNow(serverId: string, updateId?: number): Promise<RecordedVerdict | null> {
    return this.checkAndReport(serverId, "now", {
      signal: this.term?.controller.signal,
      ...(updateId === undefined ? {} : { updateId }),
    });
  }

  /** Stops following leadership and ends the running term. */
  async close(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.follow();
    await this.closed;
  }

  private async checkAndReport(
    serverId: string,
    round: number | "now",
    options: { signal?: AbortSignal | undefined; updateId?: number },
  ): Promise<RecordedVerdict | null> {
    const recorded = await this.options.checker.check(serverId, round, options);
    if (recorded && !recorded.duplicate) {
      this.options.onVerdict?.(recorded);
      if (recorded.transition !== "none")
        this.options.logger.warn(
          { serverId, round, verdict: recorded.verdict, transition: recorded.transition },
          recorded.evidence,
        );
    }
    return recorded;
  }

  private lead(): void {
    if (this.term) return;
    const { options } = this;
    const controller = new AbortController();
    // Every running check listens for the term's end: BAN_CHECK_CONCURRENCY of them and more.
    setMaxListeners(0, controller.signal);
    const queue = new BanCheckQueue({
      redis: options.redis,
      schedule: options.schedule,
      concurrency: options.concurrency,
      serversToCheck: async () => serversToCheck(await options.service.read()),
      checkServer: async (serverId, round) => {
        if (controller.signal.aborted) return;
        await this.checkAndReport(serverId, round, { signal: controller.signal });
      },
      onFailure: (job, error) => {
        if (!controller.signal.aborted)
          options.logger.warn({ ...job, err: error.message }, "a ban check failed");
      },
      clock: this.clock,
    });
    const started = this.closed.then(async () => {
      // A new leader's first moments belong to the bot's takeover (users wait for it);
      // starting the queue's connections and scripts can wait a second.
      await sleep(options.startDelayMs ?? START_DELAY_MS, controller.signal);
      if (controller.signal.aborted) return;
      await queue.start();
      await this.catchUp(queue);
      options.logger.info({ pattern: options.schedule.pattern }, "ban checks scheduled");
    });
    started.catch((error: unknown) => {
      if (!controller.signal.aborted)
        options.logger.error({ err: (error as Error).message }, "ban checks could not start");
    });
    this.term = { controller, queue, started };
  }

  /** Checks now every server the latest scheduled round has not reached. */
  private async catchUp(queue: BanCheckQueue): Promise<void> {
    const round = this.options.schedule.latestSlot(this.clock());
    const state = await this.options.service.read();
    const behind = serversToCheck(state).filter((serverId) => {
      const lastRound = state.server(serverId)?.checks.lastRound ?? null;
      return lastRound === null || lastRound < round;
    });
    await queue.enqueueRound(round, behind);
  }

  private follow(): void {
    const term = this.term;
    if (!term) return;
    this.term = undefined;
    term.controller.abort();
    const closing = term.started.catch(() => undefined).then(() => term.queue.close());
    this.closed = Promise.all([this.closed, closing]).then(() => undefined);
  }
}
