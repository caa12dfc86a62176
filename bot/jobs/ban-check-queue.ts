/**
 * The ban-check queue: BullMQ in this node's own Redis. A job scheduler
 * creates one `round` job per cron slot; the worker fans it out into one
 * `server` job per server to check and runs those with bounded concurrency.
 * Only the leader runs a worker, so only it makes progress: the scheduler
 * makes its next job only when the worker takes the current one.
 */
import { type Job, Queue, Worker } from "bullmq";
import type { CronSchedule } from "../../shared/cron-schedule.ts";
import type { QueueRedis } from "./outbox-queue.ts";

const QUEUE_NAME = "ban-check";
const SCHEDULER_ID = "ban-check-round";
/** Finished jobs kept so a fan-out repeated by a restarted worker finds its jobs and adds none twice. */
const KEEP_FINISHED = { count: 5000 };

type BanCheckJob = { kind: "round" } | { kind: "server"; serverId: string; round: number };

export interface BanCheckQueueOptions {
  redis: QueueRedis;
  schedule: CronSchedule;
  /** Servers checked at once. */
  concurrency: number;
  /** The servers a round checks (read when the round starts). */
  serversToCheck: () => Promise<string[]>;
  /** Checks one server for one round and commits the verdict. */
  checkServer: (serverId: string, round: number) => Promise<void>;
  /** A job failed: logged by the caller; the next round tries again. */
  onFailure: (job: { serverId?: string; round?: number }, error: Error) => void;
  clock?: () => number;
}

export class BanCheckQueue {
  private readonly queue: Queue<BanCheckJob>;
  private worker: Worker<BanCheckJob> | undefined;
  private readonly clock: () => number;

  constructor(private readonly options: BanCheckQueueOptions) {
    this.clock = options.clock ?? Date.now;
    this.queue = new Queue<BanCheckJob>(QUEUE_NAME, {
      connection: { url: options.redis.url, maxRetriesPerRequest: null },
      prefix: options.redis.prefix,
    });
    // Connection errors are retried by BullMQ; without a listener they would throw.
    this.queue.on("error", () => undefined);
  }

  /** Upserts the scheduler (the pattern may have changed since) and starts the worker. */
  async start(): Promise<void> {
    await this.queue.upsertJobScheduler(
      SCHEDULER_ID,
      { pattern: this.options.schedule.pattern, tz: "UTC" },
      {
        name: "round",
        data: { kind: "round" },
        opts: { removeOnComplete: KEEP_FINISHED, removeOnFail: KEEP_FINISHED },
      },
    );
    const worker = new Worker<BanCheckJob>(QUEUE_NAME, (job) => this.process(job), {
      connection: { url: this.options.redis.url, maxRetriesPerRequest: null },
      prefix: this.options.redis.prefix,
      concurrency: this.options.concurrency,
    });
    worker.on("error", () => undefined);
    worker.on("failed", (job, error) => {
      const data = job?.data;
      this.options.onFailure(data?.kind === "server" ? data : {}, error);
    });
    this.worker = worker;
  }

  /** Queues the check of `serverIds` for `round` (a round the schedule missed, or one asked for now). */
  async enqueueRound(round: number, serverIds: readonly string[]): Promise<void> {
    if (serverIds.length === 0) return;
    await this.queue.addBulk(
      serverIds.map((serverId) => ({
        name: "server",
        data: { kind: "server" as const, serverId, round },
        opts: {
          jobId: `${round}-${serverId}`,
          removeOnComplete: KEEP_FINISHED,
          removeOnFail: KEEP_FINISHED,
        },
      })),
    );
  }

  /** Jobs waiting, delayed or running. */
  async depth(): Promise<number> {
    const counts = await this.queue.getJobCounts("waiting", "delayed", "active", "prioritized");
    return Object.values(counts).reduce((sum, count) => sum + count, 0);
  }

  /** Stops the worker without waiting for running checks (their results are dropped) and closes. */
  async close(): Promise<void> {
    await this.worker?.close(true);
    await this.queue.close();
  }

  private async process(job: Job<BanCheckJob>): Promise<void> {
    const data = job.data;
    if (data.kind === "server") return this.options.checkServer(data.serverId, data.round);
    // The slot the scheduler made this job for names the round on every node alike.
    const round = job.opts.prevMillis ?? this.options.schedule.latestSlot(this.clock());
    await this.enqueueRound(round, await this.options.serversToCheck());
  }
}
