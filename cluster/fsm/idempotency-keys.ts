/**
 * Idempotency keys of the admin API's config requests: a retry with the same
 * key, to any node, before or after a failover, gets the config the first
 * request created. Keys are kept for a day, long enough for any client retry.
 */

/** How long an idempotency key is honoured. */
export const IDEMPOTENCY_KEY_RETENTION_MS = 24 * 60 * 60 * 1000;

/** What one idempotency key created, and when. */
export interface IdempotencyRecord {
  userId: string;
  configId: string;
  at: number;
}

/** Idempotency keys in the order they were first used. */
export class IdempotencyKeys {
  /** Key -> what it created, oldest first. */
  readonly records = new Map<string, IdempotencyRecord>();

  find(key: string): IdempotencyRecord | undefined {
    return this.records.get(key);
  }

  remember(key: string, record: IdempotencyRecord): void {
    this.records.set(key, record);
  }

  /** Forgets keys older than the retention at `at`; returns how many. */
  pruneExpired(at: number): number {
    let pruned = 0;
    for (const [key, record] of this.records) {
      if (at - record.at > IDEMPOTENCY_KEY_RETENTION_MS) {
        this.records.delete(key);
        pruned++;
      }
    }
    return pruned;
  }
}
