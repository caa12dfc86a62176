/**
 * Confirmed deliveries, gathered into one `eraseConfigKeys` command: under a
 * burst of new users, the keys of every config delivered within a short
 * window are erased by a single Raft write instead of one each.
 */
import type { ControlPlaneCommandInput } from "./fsm/commands.ts";

/** The largest batch one command carries (the command schema's bound). */
const MAX_BATCH = 1000;

export class DeliveryConfirmations {
  private pending = new Set<string>();
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly propose: (command: ControlPlaneCommandInput) => Promise<unknown>,
    private readonly clock: () => number,
    /** How long a confirmation waits for others to join it. */
    private readonly windowMs = 20,
  ) {}

  /** Erases these configs' delivery keys with the next batch; resolves once it is committed. */
  confirm(configIds: readonly string[]): Promise<void> {
    for (const id of configIds) this.pending.add(id);
    this.flushing ??= this.flushSoon();
    return this.flushing;
  }

  private async flushSoon(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, this.windowMs));
    const batch = [...this.pending];
    this.pending = new Set();
    this.flushing = undefined;
    for (let start = 0; start < batch.length; start += MAX_BATCH) {
      await this.propose({
        type: "eraseConfigKeys",
        configIds: batch.slice(start, start + MAX_BATCH),
        reason: "delivered",
        at: this.clock(),
      });
    }
  }
}
