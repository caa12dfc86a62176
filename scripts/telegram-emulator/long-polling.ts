/**
 * `getUpdates` as Telegram runs it: a call waits until an update is pending
 * or its timeout passes; a newer call ends a waiting one at once with 409
 * Conflict; a caller that hangs up stops waiting. Every call is recorded in
 * the {@link PollLog}. At most one poll waits at any time.
 */
import { BotApiError, pollConflict } from "./bot-api-error.ts";
import type { MonotonicClock } from "./monotonic-clock.ts";
import type { PollLog, PollOutcome, PollRecord } from "./poll-log.ts";
import type { Update } from "./telegram-objects.ts";
import type { UpdateQueue } from "./update-queue.ts";

export interface PollRequest {
  token: string;
  /** null when the caller sent no offset: the queue is left as it is. */
  offset: number | null;
  limit: number;
  timeoutSeconds: number;
  /** null when the caller sent none: the last list stays in force. */
  allowedUpdates: readonly string[] | null;
}

interface WaitingPoll {
  record: PollRecord;
  limit: number;
  settle(outcome: PollOutcome, endedAt: number): void;
}

/** A bot whose last short poll (timeout 0) came this recently counts as polling. */
const SHORT_POLL_RECENT_MS = 2000;

/** setTimeout's largest delay; a longer long-poll timeout would fire at once instead. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class LongPolling {
  private waiting: WaitingPoll | null = null;
  private readonly waitingListeners = new Set<(record: PollRecord) => void>();
  private lastEmptyShortPollAt: number | null = null;

  constructor(
    private readonly queue: UpdateQueue,
    private readonly log: PollLog,
    private readonly clock: MonotonicClock,
  ) {}

  /**
   * Answers one `getUpdates`: resolves with the updates, rejects with the 409
   * {@link BotApiError} when a newer poll replaces it, and with the signal's
   * reason when the caller aborts.
   */
  poll(request: PollRequest, signal: AbortSignal): Promise<Update[]> {
    const arrivedAt = this.clock();
    // The older poll ends at the very instant this one starts: the overlap stays visible in the log.
    this.waiting?.settle("conflict", arrivedAt);
    const record = this.log.start({
      token: request.token,
      startedAt: arrivedAt,
      offset: request.offset,
      limit: request.limit,
      timeout: request.timeoutSeconds,
    });
    if (request.offset !== null) this.queue.confirm(request.offset);
    if (request.allowedUpdates !== null) this.queue.allow(request.allowedUpdates);
    const ready = this.queue.peek(request.limit);
    if (ready.length > 0 || request.timeoutSeconds <= 0 || signal.aborted) {
      const outcome = signal.aborted ? "aborted" : ready.length > 0 ? "updates" : "empty";
      this.log.finish(record, outcome, this.clock(), ids(ready));
      // A short poll that found nothing is the bot waiting for updates, one poll at a time.
      if (outcome === "empty") {
        this.lastEmptyShortPollAt = record.endedAt;
        for (const listener of this.waitingListeners) listener(record);
      }
      return signal.aborted ? Promise.reject(signal.reason) : Promise.resolve(ready);
    }
    return new Promise<Update[]>((resolve, reject) => {
      const onAbort = () => waiting.settle("aborted", this.clock());
      const timer = setTimeout(
        () => waiting.settle("empty", this.clock()),
        Math.min(request.timeoutSeconds * 1000, MAX_TIMER_MS),
      );
      const waiting: WaitingPoll = {
        record,
        limit: request.limit,
        settle: (outcome, endedAt) => {
          clearTimeout(timer);
          signal.removeEventListener("abort", onAbort);
          if (this.waiting === waiting) this.waiting = null;
          const updates = outcome === "updates" ? this.queue.peek(request.limit) : [];
          this.log.finish(record, outcome, endedAt, ids(updates));
          if (outcome === "conflict") reject(pollConflict());
          else if (outcome === "aborted") reject(signal.aborted ? signal.reason : stopping());
          else resolve(updates);
        },
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiting = waiting;
      for (const listener of this.waitingListeners) listener(record);
    });
  }

  /** Calls `listener` each time a poll starts waiting, or a short poll finds nothing; returns the unsubscribe function. */
  onWaiting(listener: (record: PollRecord) => void): () => void {
    this.waitingListeners.add(listener);
    return () => this.waitingListeners.delete(listener);
  }

  /** Call after queueing an update: a waiting poll returns it at once. */
  notify(): void {
    if (this.waiting !== null && this.queue.peek(this.waiting.limit).length > 0) {
      this.waiting.settle("updates", this.clock());
    }
  }

  /** The poll waiting right now, if any. */
  current(): PollRecord | null {
    return this.waiting?.record ?? null;
  }

  /** Whether the bot is polling: a poll waits now, or a short poll found nothing a moment ago. */
  isPolling(): boolean {
    if (this.waiting !== null) return true;
    return (
      this.lastEmptyShortPollAt !== null &&
      this.clock() - this.lastEmptyShortPollAt < SHORT_POLL_RECENT_MS
    );
  }

  /** Ends a waiting poll as abandoned: the emulator is shutting down. */
  close(): void {
    this.waiting?.settle("aborted", this.clock());
  }
}

function stopping(): BotApiError {
  return new BotApiError(503, "Service Unavailable: the emulator is stopping");
}

function ids(updates: readonly Update[]): number[] {
  return updates.map((update) => update.update_id);
}
