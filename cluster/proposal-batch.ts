/**
 * Bookkeeping gathered into few Raft writes: entries added within a short
 * window go out together in one command (several when more than one command
 * may carry), so a burst costs the cluster a handful of entries instead of
 * one each. An entry added again before its batch leaves replaces the
 * earlier one under the same key.
 */
export class ProposalBatch<Key, Value = true> {
  private pending = new Map<Key, Value>();
  private flushing: Promise<void> | undefined;

  constructor(
    /** Proposes one command carrying `entries`; resolves once it is committed. */
    private readonly proposeBatch: (entries: [Key, Value][]) => Promise<unknown>,
    /** How long an entry waits for others to join it; 0: only those added in the same turn of the event loop join. */
    private readonly windowMs: number,
    /** The most entries one command carries (its schema's bound). */
    private readonly maxBatch: number,
  ) {}

  /** Adds `entries` to the next batch; resolves once the batch is committed. */
  add(entries: Iterable<readonly [Key, Value]>): Promise<void> {
    for (const [key, value] of entries) this.pending.set(key, value);
    this.flushing ??= this.flushSoon();
    return this.flushing;
  }

  private async flushSoon(): Promise<void> {
    // Even a 0 ms timer waits about a millisecond; a resolved promise lets the
    // entries added by the same synchronous run join, and no more.
    await (this.windowMs > 0
      ? new Promise((resolve) => setTimeout(resolve, this.windowMs))
      : Promise.resolve());
    const batch = [...this.pending];
    this.pending = new Map();
    this.flushing = undefined;
    for (let start = 0; start < batch.length; start += this.maxBatch)
      await this.proposeBatch(batch.slice(start, start + this.maxBatch));
  }
}
