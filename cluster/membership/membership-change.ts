/**
 * Proposing one membership change when another may still be in flight: the
 * Raft core takes one change at a time (CONF_CHANGE_PENDING) and none before
 * the leader has committed an entry of its term (CONF_CHANGE_TOO_EARLY), so
 * a joiner admitted while the autopilot promotes someone simply waits its turn.
 */
import { sleep } from "../../shared/sleep.ts";
import { type ClusterNode, NodeError } from "../node.ts";

type MembershipChanger = Pick<ClusterNode, "confState" | "changeMembership">;

import type { ConfChange } from "../raft/types.ts";

const RETRIED = new Set(["CONF_CHANGE_PENDING", "CONF_CHANGE_TOO_EARLY", "PROPOSAL_TIMEOUT"]);

/** Whether `change` is already in effect in `confState`. */
export function isInEffect(
  change: ConfChange,
  confState: { voters: readonly string[]; learners: readonly string[] },
): boolean {
  const voter = confState.voters.includes(change.nodeId);
  const learner = confState.learners.includes(change.nodeId);
  if (change.type === "removeNode") return !voter && !learner;
  if (change.type === "addVoter") return voter;
  // addLearner on a voter demotes it.
  return learner;
}

/** Proposes `change` until it is in effect or `withinMs` ran out; throws the last refusal then. */
export async function changeMembershipPatiently(
  node: MembershipChanger,
  change: ConfChange,
  withinMs: number,
): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (let attempt = 0; ; attempt++) {
    if (isInEffect(change, node.confState())) return;
    try {
      await node.changeMembership(change);
      return;
    } catch (error) {
      const retried = error instanceof NodeError && RETRIED.has(error.code);
      if (!retried || Date.now() >= deadline) throw error;
    }
    await sleep(Math.min(50 * 2 ** attempt, 500));
  }
}
