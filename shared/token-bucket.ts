/**
 * A rate with room for short bursts, as Telegram's flood limits behave:
 * `perSecond` on average, up to `burst` at once after a quiet spell. Kept
 * as the time the bucket is next empty (the generic cell rate algorithm),
 * so a send can be admitted now or scheduled for later. Pure: callers pass
 * the time, in milliseconds on any clock that never goes back.
 */

export interface BucketLimit {
  /** Sends per second on average. */
  perSecond: number;
  /** Sends allowed at once after a quiet spell; at least 1. */
  burst: number;
}

/** Rounding slack: intervals such as 1000/30 ms add up with floating-point error. */
const SLACK_MS = 1e-6;

export class TokenBucket {
  private readonly intervalMs: number;
  private readonly toleranceMs: number;
  /** When every send taken so far has drained out at the average rate. */
  private drainedAtMs = Number.NEGATIVE_INFINITY;

  constructor(limit: BucketLimit) {
    if (!(limit.perSecond > 0) || !(limit.burst >= 1))
      throw new Error(
        `a token bucket needs perSecond > 0 and burst >= 1, not ${JSON.stringify(limit)}`,
      );
    this.intervalMs = 1000 / limit.perSecond;
    this.toleranceMs = (limit.burst - 1) * this.intervalMs;
  }

  /** The earliest instant, not before `nowMs`, at which one more send fits. */
  earliest(nowMs: number): number {
    const fitsAtMs = this.drainedAtMs - this.toleranceMs;
    return fitsAtMs - SLACK_MS <= nowMs ? nowMs : fitsAtMs;
  }

  /** Counts one send at `atMs` (not before `earliest`). */
  take(atMs: number): void {
    this.drainedAtMs = Math.max(this.drainedAtMs, atMs) + this.intervalMs;
  }

  /** Counts sends, unseen, that keep the bucket from draining before `drainedAtMs`. */
  spentUntil(drainedAtMs: number): void {
    this.drainedAtMs = Math.max(this.drainedAtMs, drainedAtMs);
  }

  /** Whether the bucket is empty at `nowMs`: forgetting it changes nothing. */
  idle(nowMs: number): boolean {
    return this.drainedAtMs <= nowMs;
  }
}

/** Buckets by key, forgetting idle ones once there are many. */
export class KeyedTokenBuckets<Key> {
  private readonly buckets = new Map<Key, TokenBucket>();

  constructor(
    private readonly limit: BucketLimit,
    /** Idle buckets are swept once this many are kept. */
    private readonly sweepAbove = 10_000,
  ) {}

  get(key: Key, nowMs: number): TokenBucket {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= this.sweepAbove) this.sweep(nowMs);
      bucket = new TokenBucket(this.limit);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  private sweep(nowMs: number): void {
    for (const [key, bucket] of this.buckets) if (bucket.idle(nowMs)) this.buckets.delete(key);
  }
}
