import { z } from "zod";
import { readJsonBody } from "../../shared/json-body.ts";
import type { ControlPlaneService } from "../control-plane-service.ts";
import { statusReasonText } from "../fsm/status-reasons.ts";
import type { FleetMembership } from "../membership/fleet-membership.ts";
import { serverIdParam } from "./params.ts";
import { errorResponse, failureResponse } from "./respond.ts";
import type { Router } from "./router.ts";

const joinTokenBodySchema = z.strictObject({
  nodeId: serverIdParam.optional(),
  region: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,32}$/, "a region is 1-32 of A-Z a-z 0-9 _ . -")
    .optional(),
  capacity: z.int().min(1).max(65_532).optional(),
});
const removeBodySchema = z.strictObject({ reason: z.string().max(500).optional() });

const API = { kind: "api" } as const;

/**
 * The fleet's membership: join tokens for new servers
 * (`POST/GET /v1/join-tokens`, `DELETE /v1/join-tokens/:nodeId`), each
 * member's role and the latest changes (`GET /v1/members`), and removing a
 * member (`DELETE /v1/members/:id`, 202: its users are re-homed at once, the
 * autopilot then takes it out and revokes its key).
 */
export function addMembershipRoutes(
  router: Router,
  membership: FleetMembership,
  service: ControlPlaneService,
): void {
  router.add("POST", "/v1/join-tokens", async ({ request }) => {
    const body = await readJsonBody(request, joinTokenBodySchema);
    if (!body.ok) return errorResponse(400, body.error.code, body.error.message);
    try {
      const made = await membership.createJoinToken({ ...body.value, actor: API });
      if (!made.ok)
        return errorResponse(
          made.error.code === "INVALID_NODE_ID" ? 400 : 409,
          made.error.code,
          made.error.message,
        );
      return { status: 201, body: made.value };
    } catch (error) {
      return failureResponse(error);
    }
  });

  router.add("GET", "/v1/join-tokens", async () => {
    try {
      return { status: 200, body: { joinTokens: await membership.joinTokens() } };
    } catch (error) {
      return failureResponse(error);
    }
  });

  router.add("DELETE", "/v1/join-tokens/:nodeId", async ({ params }) => {
    const nodeId = serverIdParam.safeParse(params.nodeId);
    if (!nodeId.success)
      return errorResponse(400, "INVALID_NODE_ID", nodeId.error.issues[0]!.message);
    try {
      const { value } = await membership.cancelJoinToken(nodeId.data, API);
      return { status: 200, body: value };
    } catch (error) {
      return failureResponse(error);
    }
  });

  router.add("GET", "/v1/members", async () => {
    try {
      const state = await service.read();
      return {
        status: 200,
        body: {
          removals: state.memberRemovals(),
          recentChanges: state.membershipEvents(),
        },
      };
    } catch (error) {
      return failureResponse(error);
    }
  });

  router.add("DELETE", "/v1/members/:id", async ({ params, request }) => {
    const nodeId = serverIdParam.safeParse(params.id);
    if (!nodeId.success)
      return errorResponse(400, "INVALID_NODE_ID", nodeId.error.issues[0]!.message);
    const body = await readJsonBody(request, removeBodySchema);
    if (!body.ok) return errorResponse(400, body.error.code, body.error.message);
    try {
      const removed = await membership.removeMember({
        nodeId: nodeId.data,
        reason: body.value.reason ?? statusReasonText({ kind: "removedByAdmin" }),
        actor: API,
      });
      if (!removed.ok)
        return errorResponse(
          removed.error.code === "UNKNOWN_MEMBER" ? 404 : 409,
          removed.error.code,
          removed.error.message,
        );
      return { status: 202, body: removed.value };
    } catch (error) {
      return failureResponse(error);
    }
  });
}
