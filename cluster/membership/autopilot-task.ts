/**
 * The autopilot, a leader task: every second it plans one membership change
 * (autopilot-plan.ts) and makes it, then records it in the replicated state
 * (admins are told, /v1/status lists it). Changes go one at a time, each
 * applied before the next is planned.
 */
import type { Logger } from "../../shared/logger.ts";
import { sleep } from "../../shared/sleep.ts";
import type { ControlPlaneService } from "../control-plane-service.ts";
import type { ApplyResult } from "../fsm/control-plane.ts";
import type { MembershipChange } from "../fsm/records.ts";
import { voterCandidatesOf } from "../fsm/settings.ts";
import type { LeaderTask } from "../leadership-runner.ts";
import type { ClusterNode } from "../node.ts";
import { type AutopilotStep, lacksLeaderCredentials, planAutopilotStep } from "./autopilot-plan.ts";
import { MIN_VOTERS } from "./fleet-membership.ts";
import { changeMembershipPatiently } from "./membership-change.ts";

const CHANGE_WITHIN_MS = 10_000;

const CONF_CHANGE_OF = {
  promote: "addVoter",
  // addLearner on a voter demotes it.
  demote: "addLearner",
  remove: "removeNode",
} as const;

const RECORDED_AS: Record<AutopilotStep["kind"], MembershipChange> = {
  promote: "promoted",
  demote: "demoted",
  remove: "removed",
  revokeKey: "keyRevoked",
  handOver: "handedLeadership",
};

export class AutopilotTask implements LeaderTask {
  readonly name = "membership autopilot";

  constructor(
    private readonly options: {
      node: ClusterNode<ApplyResult>;
      service: ControlPlaneService;
      intervalMs: number;
      logger: Logger;
    },
  ) {}

  async runTerm(signal: AbortSignal): Promise<void> {
    const { logger } = this.options;
    while (!signal.aborted) {
      await sleep(this.options.intervalMs, signal);
      if (signal.aborted) return;
      try {
        const step = this.plan();
        if (step) await this.take(step);
      } catch (error) {
        if (!signal.aborted)
          logger.warn({ err: (error as Error).message }, "a membership change failed; retrying");
      }
    }
  }

  /** The next change, from this leader's view now. */
  plan(): AutopilotStep | undefined {
    const { node, service } = this.options;
    const state = service.localState;
    const { voters, learners } = node.confState();
    const removals = state.memberRemovals().map((removal) => removal.nodeId);
    return planAutopilotStep({
      leaderId: node.id,
      voters,
      learners,
      health: node.memberHealth(),
      targetVoters: Number(state.setting("voters")),
      minVoters: MIN_VOTERS,
      deadAfterMs: Number(state.setting("deadVoterAfterSeconds")) * 1000,
      removals,
      unrevokedRemovals: removals.filter((id) => state.pinnedKeyOf(id) !== undefined),
      regionOf: (id) => state.server(id)?.region,
      voterCandidates: voterCandidatesOf(state.setting("voterCandidates")),
      lacksLeaderCredentials: (id) =>
        lacksLeaderCredentials(state.server(id), state.server(node.id)),
    });
  }

  private async take(step: AutopilotStep): Promise<void> {
    const { node, service, logger } = this.options;
    if (step.kind === "handOver") {
      // Recorded first: once leadership moves, this node can record nothing.
      await this.record(step);
      // This term's tasks end with the leadership; the successor's autopilot demotes this node.
      logger.info(step, "handing leadership to a voter candidate");
      node.transferLeadership(step.nodeId);
      return;
    }
    logger.info(step, "changing the membership");
    if (step.kind === "revokeKey")
      await service.run({
        type: "revokeNodeKey",
        nodeId: step.nodeId,
        actor: node.id,
        reason: step.reason,
        at: service.now(),
      });
    else
      await changeMembershipPatiently(
        node,
        { type: CONF_CHANGE_OF[step.kind], nodeId: step.nodeId },
        CHANGE_WITHIN_MS,
      );
    await this.record(step);
  }

  /** Adds the step to the membership history admins are told of and /v1/status lists. */
  private async record(step: AutopilotStep): Promise<void> {
    const { service } = this.options;
    await service.run({
      type: "recordMembershipChange",
      nodeId: step.nodeId,
      change: RECORDED_AS[step.kind],
      reason: step.reason,
      at: service.now(),
    });
  }
}
