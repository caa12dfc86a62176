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
    /** How long an entry waits for others to join it. */
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
    await new Promise((resolve) => setTimeout(resolve, this.windowMs));
    const batch = [...this.pending];
    this.pending = new Map();
    this.flushing = undefined;
    for (let start = 0; start < batch.length; start += this.maxBatch)
      await this.proposeBatch(batch.slice(start, start + this.maxBatch));
  }
}
