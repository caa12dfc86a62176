/**
 * Confirmed deliveries, gathered into one `eraseConfigKeys` command: under a
 * burst of new users, the keys of every config delivered within a short
 * window are erased by a single Raft write instead of one each.
 */
import type { ControlPlaneCommandInput } from "./fsm/commands.ts";
import { ProposalBatch } from "./proposal-batch.ts";

/** The largest batch one command carries (the command schema's bound). */
const MAX_BATCH = 1000;

export class DeliveryConfirmations {
  private readonly batch: ProposalBatch<string>;

  constructor(
    propose: (command: ControlPlaneCommandInput) => Promise<unknown>,
    clock: () => number,
    /** How long a confirmation waits for others to join it. */
    windowMs = 20,
  ) {
    this.batch = new ProposalBatch(
      (entries) =>
        propose({
          type: "eraseConfigKeys",
          configIds: entries.map(([configId]) => configId),
          reason: "delivered",
          at: clock(),
        }),
      windowMs,
      MAX_BATCH,
    );
  }

  /** Erases these configs' delivery keys with the next batch; resolves once it is committed. */
  confirm(configIds: readonly string[]): Promise<void> {
    return this.batch.add(configIds.map((configId) => [configId, true] as const));
  }
}
