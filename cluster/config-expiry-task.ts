/**
 * The leader's periodic expiry sweep, a leader task (see
 * leadership-runner.ts): one `expireConfigs` command at a time revokes
 * configs past their expiry and queues a warning for those about to expire
 * (see fsm/expiry-sweep.ts). The time travels in the command, so every node
 * applies the same sweep.
 */
import type { Logger } from "../shared/logger.ts";
import { sleep } from "../shared/sleep.ts";
import type { ControlPlaneService } from "./control-plane-service.ts";
import type { LeaderTask } from "./leadership-runner.ts";

export class ConfigExpiryTask implements LeaderTask {
  readonly name = "config expiry sweep";

  constructor(
    private readonly options: {
      service: ControlPlaneService;
      intervalMs: number;
      logger: Logger;
    },
  ) {}

  /** Sweeps every `intervalMs` until the term ends. */
  async runTerm(signal: AbortSignal): Promise<void> {
    const { service, logger } = this.options;
    while (!signal.aborted) {
      await sleep(this.options.intervalMs, signal);
      if (signal.aborted) return;
      try {
        const { value } = await service.run({
          type: "expireConfigs",
          at: service.now(),
        });
        if (value && (value.expired > 0 || value.warned > 0)) logger.info(value, "expiry sweep");
      } catch (error) {
        if (!signal.aborted)
          logger.warn({ err: (error as Error).message }, "the expiry sweep failed; retrying later");
      }
    }
  }
}
