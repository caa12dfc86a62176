/**
 * The queue outbox deliveries wait in: BullMQ in this node's own Redis, so
 * a delivery is scheduled at most once per entry (the entry id is the job
 * id), waits for its pacing slot as a delayed job rather than in memory, and
 * runs under a global rate limit. The queue is local to the node that leads;
 * the replicated outbox is what survives a failover (the next leader fills
 * its own queue from it).
 */
import { type Job, Queue, Worker } from "bullmq";

/** Where the queue lives: this node's Redis, under its own key prefix. */
export interface QueueRedis {
  url: string;
  /** Prefix of every key BullMQ writes, e.g. `nexaloak:n1:bull`. */
  prefix: string;
}

export interface OutboxQueueOptions {
  redis: QueueRedis;
  /** Delivers one entry; resolves once it is marked (or needs nothing). */
  deliver: (entryId: string) => Promise<void>;
  /** A job finished, delivered or not: the entry may be scheduled again if still pending. */
  onSettled: (entryId: string) => void;
  /** Deliveries at once. */
  concurrency: number;
  /** Jobs started per second at most, across the queue. */
  jobsPerSecond: number;
}

const QUEUE_NAME = "outbox";

interface DeliveryJob {
  entryId: string;
}

export class OutboxQueue {
  private readonly queue: Queue<DeliveryJob>;
  private readonly worker: Worker<DeliveryJob>;

  constructor(options: OutboxQueueOptions) {
    // BullMQ's blocking reads need unlimited retries per request.
    const connection = { url: options.redis.url, maxRetriesPerRequest: null };
    this.queue = new Queue<DeliveryJob>(QUEUE_NAME, { connection, prefix: options.redis.prefix });
    this.worker = new Worker<DeliveryJob>(
      QUEUE_NAME,
      (job: Job<DeliveryJob>) => options.deliver(job.data.entryId),
      {
        connection,
        prefix: options.redis.prefix,
        concurrency: options.concurrency,
        limiter: { max: options.jobsPerSecond, duration: 1000 },
      },
    );
    const settled = (job: Job<DeliveryJob> | undefined) => {
      if (job) options.onSettled(job.data.entryId);
    };
    this.worker.on("completed", settled);
    this.worker.on("failed", settled);
    // Errors of the connection are retried by BullMQ; without a listener they would throw.
    this.worker.on("error", () => undefined);
    this.queue.on("error", () => undefined);
  }

  /** Schedules the delivery of `entryId` in `delayMs`; ignored while a job for it exists. */
  async enqueue(entryId: string, delayMs: number): Promise<void> {
    await this.queue.add(
      "deliver",
      { entryId },
      {
        jobId: entryId,
        delay: Math.max(0, Math.round(delayMs)),
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }

  /** Jobs waiting or delayed: the queue depth admins see. */
  async depth(): Promise<number> {
    const counts = await this.queue.getJobCounts("waiting", "delayed", "active");
    return (counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.active ?? 0);
  }

  /** Stops taking jobs (active ones are left to finish or stall) and closes the connections. */
  async close(): Promise<void> {
    await this.worker.close(true);
    await this.queue.close();
  }
}
