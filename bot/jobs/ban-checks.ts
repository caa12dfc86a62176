/**
 * Ban checks while this node leads, whether or not it runs the Telegram bot:
 * a leader task (see cluster/leadership-runner.ts). A term starts the queue
 * (scheduler upserted, worker started) and checks at once every server the
 * latest scheduled round has not reached yet: a round a former leader left
 * half done is finished here, and a fresh cluster gets its first verdicts
 * without waiting a whole period. The term's end aborts running checks
 * (nothing more is proposed for them) and closes the worker.
 */
import type { ControlPlaneService } from "../../cluster/control-plane-service.ts";
import type { LeaderTask } from "../../cluster/leadership-runner.ts";
import type { CronSchedule } from "../../shared/cron-schedule.ts";
import type { Logger } from "../../shared/logger.ts";
import { sleep, waitForAbort } from "../../shared/sleep.ts";
import { BanCheckQueue } from "./ban-check-queue.ts";
import type { QueueRedis } from "./outbox-queue.ts";
import {
  type CheckOptions,
  type CheckRequest,
  type RecordedVerdict,
  type ServerChecker,
  serversToCheck,
} from "./server-checker.ts";

export interface BanChecksOptions {
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
  signal: AbortSignal;
  queue: BanCheckQueue;
}

export class BanChecks implements LeaderTask {
  readonly name = "ban checks";
  private term: Term | undefined;
  private readonly clock: () => number;

  constructor(private readonly options: BanChecksOptions) {
    this.clock = options.clock ?? Date.now;
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
   * `actor`: who asked, re-checked at apply; `updateId`: the admin's Telegram
   * update, so a repeat records nothing new.
   */
  async checkNow(serverId: string, request: CheckRequest): Promise<RecordedVerdict | null> {
    return this.checkAndReport(serverId, "now", { signal: this.term?.signal, ...request });
  }

  private async checkAndReport(
    serverId: string,
    round: number | "now",
    options: CheckOptions,
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

  /** Runs the queue for one term of leadership and closes it once `signal` aborts. */
  async runTerm(signal: AbortSignal): Promise<void> {
    const { options } = this;
    const queue = new BanCheckQueue({
      redis: options.redis,
      schedule: options.schedule,
      concurrency: options.concurrency,
      serversToCheck: async () => serversToCheck(await options.service.read()),
      checkServer: async (serverId, round) => {
        if (signal.aborted) return;
        await this.checkAndReport(serverId, round, { signal });
      },
      onFailure: (job, error) => {
        if (!signal.aborted)
          options.logger.warn({ ...job, err: error.message }, "a ban check failed");
      },
      clock: this.clock,
    });
    this.term = { signal, queue };
    try {
      // A new leader's first moments belong to the bot's takeover (users wait for it);
      // starting the queue's connections and scripts can wait a second.
      await sleep(options.startDelayMs ?? START_DELAY_MS, signal);
      if (signal.aborted) return;
      await queue.start();
      await this.catchUp(queue);
      options.logger.info({ pattern: options.schedule.pattern }, "ban checks scheduled");
      await waitForAbort(signal);
    } catch (error) {
      if (!signal.aborted)
        options.logger.error({ err: (error as Error).message }, "ban checks could not start");
      await waitForAbort(signal);
    } finally {
      this.term = undefined;
      await queue.close();
    }
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
}
