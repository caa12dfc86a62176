import { z } from "zod";
import { readJsonBody } from "../../shared/json-body.ts";
import type { MembershipEvent } from "../fsm/records.ts";
import type { ClusterNode } from "../node.ts";
import { errorResponse, nodeErrorResponse } from "./respond.ts";
import type { Router } from "./router.ts";

const transferBodySchema = z.object({ to: z.string().min(1).max(64).optional() }).strict();

/**
 * Cluster status and leadership: `/v1/status` (with the latest membership
 * changes), `/v1/leadership/transfer`.
 * A transfer is handled by any node: it writes no log entry (apply never
 * sees it), and what a follower passes on is the Raft message any member may
 * send the leader, with or without this API.
 */
export function addClusterRoutes<Result>(
  router: Router,
  node: ClusterNode<Result>,
  /** The latest membership changes, as this node has applied them. */
  recentChanges: () => readonly MembershipEvent[] = () => [],
): void {
  router.add("GET", "/v1/status", () => ({
    status: 200,
    body: { ...node.status(), recentChanges: recentChanges() },
  }));

  router.add(
    "POST",
    "/v1/leadership/transfer",
    async ({ request }) => {
      const body = await readJsonBody(request, transferBodySchema);
      if (!body.ok) return errorResponse(400, body.error.code, body.error.message);
      try {
        const transfer = node.transferLeadership(body.value.to);
        const answer =
          transfer.status === "accepted"
            ? { status: "accepted", to: transfer.target }
            : { status: "forwarded", leaderId: transfer.leaderId };
        return { status: 202, body: answer };
      } catch (error) {
        return nodeErrorResponse(error);
      }
    },
    "anyNode",
  );
}
