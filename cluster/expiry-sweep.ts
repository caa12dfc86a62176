/**
 * The leader's periodic expiry sweep: one `expireConfigs` command at a time
 * revokes configs past their expiry and queues a warning for those about to
 * expire (see cluster/fsm/expiry-sweep.ts). The time travels in the command,
 * so every node applies the same sweep.
 */
import type { Logger } from "../shared/logger.ts";
import { sleep } from "../shared/sleep.ts";
import type { ControlPlaneService } from "./control-plane-service.ts";

export interface ExpirySweepOptions {
  service: ControlPlaneService;
  /** Aborted when this node stops leading: sweeping ends with it. */
  signal: AbortSignal;
  intervalMs: number;
  logger: Logger;
}

/** Sweeps every `intervalMs` until the signal aborts. */
export async function runExpirySweeps(options: ExpirySweepOptions): Promise<void> {
  const { service, signal, logger } = options;
  while (!signal.aborted) {
    await sleep(options.intervalMs, signal);
    if (signal.aborted) return;
    try {
      const { value } = await service.run<{ expired: number; warned: number }>({
        type: "expireConfigs",
        at: service.now(),
      });
      if (value.expired > 0 || value.warned > 0) logger.info(value, "expiry sweep");
    } catch (error) {
      if (!signal.aborted)
        logger.warn({ err: (error as Error).message }, "the expiry sweep failed; retrying later");
    }
  }
}
