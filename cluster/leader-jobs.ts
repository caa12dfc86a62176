import type { Logger } from "../shared/logger.ts";
import type { ControlPlaneService } from "./control-plane-service.ts";
import { runExpirySweeps } from "./expiry-sweep.ts";
import type { ApplyResult } from "./fsm/control-plane.ts";
import type { ClusterNode } from "./node.ts";

export interface LeaderJobsOptions {
  node: ClusterNode<ApplyResult>;
  service: ControlPlaneService;
  expirySweepIntervalMs: number;
  logger: Logger;
}

/**
 * Work only the leader does, whether or not it runs the Telegram bot: started
 * when this node gains leadership, aborted the moment it loses it. Returns a
 * function that stops it for good (at shutdown).
 */
export function runLeaderJobs(options: LeaderJobsOptions): () => void {
  let leadership: AbortController | undefined;
  const unsubscribe = options.node.onLeadershipChange(({ isLeader }) => {
    leadership?.abort();
    leadership = undefined;
    if (!isLeader) return;
    leadership = new AbortController();
    void runExpirySweeps({
      service: options.service,
      signal: leadership.signal,
      intervalMs: options.expirySweepIntervalMs,
      logger: options.logger,
    });
  });
  return () => {
    unsubscribe();
    leadership?.abort();
  };
}
