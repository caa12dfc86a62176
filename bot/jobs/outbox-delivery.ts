/**
 * The leader delivers the replicated outbox: every pending entry is queued
 * (BullMQ, in this node's Redis) for the slot Telegram's limits allow, sent,
 * and marked delivered by a proposal. Entries live in the replicated state,
 * so a new leader queues and resends whatever the old one did not mark:
 * delivery is exactly once without a failover and at least once across one.
 * A chat that can never receive (the user blocked the bot) is marked failed
 * for good instead of being retried forever.
 */
import { type Api, GrammyError } from "grammy";
import type { OutboxEntry } from "../../cluster/fsm/records.ts";
import { sleep } from "../../shared/sleep.ts";
import { SessionEndedError } from "../api-guard.ts";
import type { BotDependencies } from "../context.ts";
import { messageCount, sendNotice, UndeliverableError } from "./outbox-notice.ts";
import { OutboxQueue, type QueueRedis } from "./outbox-queue.ts";
import { SendPacing, TELEGRAM_SEND_LIMITS } from "./send-pacing.ts";

export interface OutboxDeliveryOptions {
  api: Api;
  deps: BotDependencies;
  /** The bot session's signal: delivery ends with it. */
  signal: AbortSignal;
  /** This node's Redis, for the delivery queue. */
  redis: QueueRedis;
  pacing?: SendPacing;
  /** How often the outbox is looked at for new entries. */
  scanIntervalMs?: number;
  clock?: () => number;
}

/** Entries scheduled no further ahead than this; the rest wait for a later scan. */
const SCHEDULE_HORIZON_MS = 2000;
const SCAN_BATCH = 500;
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 5 * 60_000;
/** Deliveries at once: enough to keep thirty messages a second flowing. */
const CONCURRENCY = 30;

/** Whether Telegram says this chat can never receive from the bot. */
function isPermanent(error: unknown): boolean {
  if (error instanceof UndeliverableError) return true;
  if (!(error instanceof GrammyError)) return false;
  return (
    error.error_code === 403 ||
    (error.error_code === 400 && /chat not found|user is deactivated/i.test(error.description))
  );
}

/** One session's delivery of the outbox: scans the replicated state, queues, sends, marks. */
export class OutboxDelivery {
  private readonly pacing: SendPacing;
  private readonly clock: () => number;
  /** Entries with a job in the queue: never queued twice by this session. */
  private readonly queued = new Set<string>();
  /** Entry id -> when a transient failure may be retried. */
  private readonly retryAtMs = new Map<string, number>();
  private queue: OutboxQueue | undefined;

  constructor(private readonly options: OutboxDeliveryOptions) {
    this.pacing = options.pacing ?? new SendPacing();
    this.clock = options.clock ?? (() => performance.now());
  }

  /** Scans and delivers until the session ends, then closes the queue. */
  async run(): Promise<void> {
    const { signal } = this.options;
    const queue = new OutboxQueue({
      redis: this.options.redis,
      deliver: (entryId) => this.deliver(entryId),
      onSettled: (entryId) => this.queued.delete(entryId),
      concurrency: CONCURRENCY,
      jobsPerSecond: TELEGRAM_SEND_LIMITS.globalPerSecond,
    });
    this.queue = queue;
    try {
      while (!signal.aborted) {
        try {
          await this.scan(queue);
        } catch (error) {
          // Redis unreachable: the entries stay pending and the next scan tries again.
          if (!signal.aborted)
            this.options.deps.logger.warn(
              { err: (error as Error).message },
              "could not queue outbox deliveries; retrying",
            );
        }
        await sleep(this.options.scanIntervalMs ?? 200, signal);
      }
    } finally {
      await queue.close().catch(() => undefined);
    }
  }

  /** Deliveries queued and not finished; undefined before the queue exists. */
  async queueDepth(): Promise<number | undefined> {
    return this.queue?.depth();
  }

  /** Queues every pending entry that is due, within the pacing horizon. */
  private async scan(queue: OutboxQueue): Promise<void> {
    const { service } = this.options.deps;
    const state = service.localState;
    const nowMs = this.clock();
    // `notBefore` is a replicated timestamp: compared with the service's clock, like the commands' `at`.
    const now = service.now();
    for (const entry of state.pendingOutbox(SCAN_BATCH)) {
      if (this.options.signal.aborted) return;
      if (entry.notBefore !== null && entry.notBefore > now) continue;
      if (this.queued.has(entry.id) || (this.retryAtMs.get(entry.id) ?? 0) > nowMs) continue;
      if (this.pacing.nextFor(entry.chatId, nowMs) - nowMs > SCHEDULE_HORIZON_MS) continue;
      const sendAtMs = this.pacing.reserve(entry.chatId, messageCount(entry), nowMs);
      this.queued.add(entry.id);
      try {
        await queue.enqueue(entry.id, sendAtMs - nowMs);
      } catch (error) {
        this.queued.delete(entry.id);
        throw error;
      }
    }
  }

  /** The queue's job: sends a still-pending entry and records the outcome. */
  private async deliver(entryId: string): Promise<void> {
    const { signal, deps, api } = this.options;
    if (signal.aborted) return;
    const queued = deps.service.localState.outboxEntry(entryId);
    // Marked meanwhile (e.g. by an earlier leader, or a job left from an earlier term).
    if (queued?.status !== "pending") return;
    const nowMs = this.clock();
    const startMs = this.pacing.startSend(queued.chatId, messageCount(queued), nowMs);
    await sleep(startMs - nowMs, signal);
    if (signal.aborted) return;
    // Looked at again after the hold: it may have been marked while this job waited.
    const entry = deps.service.localState.outboxEntry(entryId);
    if (entry?.status !== "pending") return;
    try {
      await sendNotice(api, deps, entry);
    } catch (error) {
      if (signal.aborted || error instanceof SessionEndedError) return;
      await this.markFailed(entry, error);
      return;
    }
    await this.propose({ type: "markOutboxDelivered", id: entry.id, at: deps.service.now() });
    this.retryAtMs.delete(entry.id);
  }

  private async markFailed(entry: OutboxEntry, error: unknown): Promise<void> {
    const permanent = isPermanent(error);
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 500);
    if (!permanent) {
      const delayMs = Math.min(RETRY_MIN_MS * 2 ** entry.attempts, RETRY_MAX_MS);
      this.retryAtMs.set(entry.id, this.clock() + delayMs);
    }
    this.options.deps.logger.info(
      { entry: entry.id, kind: entry.kind, permanent, err: message },
      "an outbox entry was not delivered",
    );
    await this.propose({
      type: "markOutboxFailed",
      id: entry.id,
      error: message,
      permanent,
      at: this.options.deps.service.now(),
    });
  }

  private async propose(
    command:
      | { type: "markOutboxDelivered"; id: string; at: number }
      | { type: "markOutboxFailed"; id: string; error: string; permanent: boolean; at: number },
  ): Promise<void> {
    if (this.options.signal.aborted) return;
    await this.options.deps.service.run(command);
  }
}
