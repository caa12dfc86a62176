/**
 * Bookkeeping gathered into few Raft writes: items added within a short
 * window go out together in one command (several when more than one command
 * may carry), so a burst costs the cluster a handful of entries instead of
 * one each.
 */
export class ProposalBatch<Item> {
  private pending = new Set<Item>();
  private flushing: Promise<void> | undefined;

  constructor(
    /** Proposes one command carrying `items`; resolves once it is committed. */
    private readonly proposeBatch: (items: Item[]) => Promise<unknown>,
    /** How long an item waits for others to join it. */
    private readonly windowMs: number,
    /** The most items one command carries (its schema's bound). */
    private readonly maxBatch: number,
  ) {}

  /** Adds `items` to the next batch; resolves once the batch is committed. */
  add(items: readonly Item[]): Promise<void> {
    for (const item of items) this.pending.add(item);
    this.flushing ??= this.flushSoon();
    return this.flushing;
  }

  private async flushSoon(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, this.windowMs));
    const batch = [...this.pending];
    this.pending = new Set();
    this.flushing = undefined;
    for (let start = 0; start < batch.length; start += this.maxBatch)
      await this.proposeBatch(batch.slice(start, start + this.maxBatch));
  }
}
