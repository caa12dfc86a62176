/**
 * A token bucket per key (a client address, a requesting node): `burst`
 * requests at once, then `perSecond` on average. At most `maxKeys` buckets
 * are kept; when full, the one least recently used goes, so a flood of
 * addresses costs bounded memory (a forgotten key starts with a full bucket,
 * as a new one would).
 */
export interface KeyRateLimitOptions {
  burst: number;
  perSecond: number;
  maxKeys: number;
  clock?: () => number;
}

interface Bucket {
  tokens: number;
  updatedAtMs: number;
}

export class KeyRateLimit {
  private readonly buckets = new Map<string, Bucket>();
  private readonly clock: () => number;

  constructor(private readonly options: KeyRateLimitOptions) {
    this.clock = options.clock ?? Date.now;
  }

  /** Takes one request's token for `key`; false when its bucket is empty (refuse the request). */
  take(key: string): boolean {
    const now = this.clock();
    const { burst, perSecond, maxKeys } = this.options;
    const bucket = this.buckets.get(key) ?? { tokens: burst, updatedAtMs: now };
    const refilled = Math.min(
      burst,
      bucket.tokens + (Math.max(0, now - bucket.updatedAtMs) / 1000) * perSecond,
    );
    // Re-inserted so the map's order is least recently used first.
    this.buckets.delete(key);
    if (this.buckets.size >= maxKeys) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    const allowed = refilled >= 1;
    this.buckets.set(key, { tokens: allowed ? refilled - 1 : refilled, updatedAtMs: now });
    return allowed;
  }
}
