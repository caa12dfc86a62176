/**
 * The leader starts each traffic period, a leader task (see
 * leadership-runner.ts): every `intervalMs` it computes the period start at
 * its own time and, when that is later than the state's, proposes
 * `startTrafficPeriod`. Apply checks the start against the command's own
 * time and resets every count; a repeat from a new leader is a duplicate.
 */
import type { Logger } from "../shared/logger.ts";
import { sleep } from "../shared/sleep.ts";
import type { ControlPlaneService } from "./control-plane-service.ts";
import { periodStartAt } from "./fsm/traffic-period.ts";
import type { LeaderTask } from "./leadership-runner.ts";

export class TrafficPeriodTask implements LeaderTask {
  readonly name = "traffic period";

  constructor(
    private readonly options: {
      service: ControlPlaneService;
      intervalMs: number;
      logger: Logger;
    },
  ) {}

  /** Checks at once, then every `intervalMs`, until the term ends. */
  async runTerm(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.startPeriodIfDue(signal);
      await sleep(this.options.intervalMs, signal);
    }
  }

  private async startPeriodIfDue(signal: AbortSignal): Promise<void> {
    const { service, logger } = this.options;
    const state = service.localState;
    const at = service.now();
    const periodStart = periodStartAt(at, Number(state.setting("trafficResetDay")));
    if (periodStart <= (state.trafficPeriodStart() ?? 0)) return;
    try {
      const { value } = await service.run({ type: "startTrafficPeriod", periodStart, at });
      if (value) logger.info(value, "a new traffic period started");
    } catch (error) {
      if (!signal.aborted)
        logger.warn(
          { err: (error as Error).message },
          "could not start the traffic period; retrying later",
        );
    }
  }
}
