import { z } from "zod";
import { readJsonBody } from "../../shared/json-body.ts";
import type { ControlPlaneService } from "../control-plane-service.ts";
import { API_ACTOR } from "../fsm/actors.ts";
import type { AdminActor } from "../fsm/commands.ts";
import type { ServerStatus } from "../fsm/records.ts";
import { STATUS_ACTIONS, type StatusAction, statusReasonText } from "../fsm/status-reasons.ts";
import { serverIdParam } from "./params.ts";
import { errorResponse, failureResponse } from "./respond.ts";
import type { Router } from "./router.ts";

const statusBodySchema = z.strictObject({ reason: z.string().max(500).optional() });

/** Where each action takes a server. */
const ACTIONS: Record<StatusAction, Exclude<ServerStatus, "removed">> = {
  ban: "banned",
  unban: "active",
  drain: "draining",
  activate: "active",
};

/** Runs a ban check of one server at once and resolves with the committed verdict. */
export interface ServerCheckNow {
  checkNow(
    serverId: string,
    request: { actor: AdminActor },
  ): Promise<{ verdict: string; evidence: string } | null>;
}

/**
 * The fleet: `GET /v1/servers`, `POST /v1/servers/:id/{ban,unban,drain,activate}`
 * and `POST /v1/servers/:id/check` (a ban check now, like the bot's `/checknow`:
 * the leader probes and commits the verdict).
 */
export function addServerRoutes(
  router: Router,
  service: ControlPlaneService,
  checks: ServerCheckNow,
): void {
  router.add("POST", "/v1/servers/:id/check", async ({ params }) => {
    const serverId = serverIdParam.safeParse(params.id);
    if (!serverId.success)
      return errorResponse(400, "INVALID_SERVER_ID", serverId.error.issues[0]!.message);
    try {
      const server = (await service.read()).server(serverId.data);
      if (!server)
        return errorResponse(404, "UNKNOWN_SERVER", `there is no server ${serverId.data}`);
      const recorded = await checks.checkNow(serverId.data, { actor: API_ACTOR });
      if (!recorded)
        return errorResponse(
          409,
          "SERVER_NOT_CHECKED",
          `server ${serverId.data} is not checked: it is ${server.status}${server.endpointHost ? "" : " and has no endpoint yet"}`,
        );
      return { status: 200, body: recorded };
    } catch (error) {
      return failureResponse(error);
    }
  });

  router.add("GET", "/v1/servers", async () => {
    try {
      const state = await service.read();
      return { status: 200, body: { servers: state.servers() } };
    } catch (error) {
      return failureResponse(error);
    }
  });

  for (const action of STATUS_ACTIONS) {
    const status = ACTIONS[action];
    router.add("POST", `/v1/servers/:id/${action}`, async ({ params, request }) => {
      const serverId = serverIdParam.safeParse(params.id);
      if (!serverId.success)
        return errorResponse(400, "INVALID_SERVER_ID", serverId.error.issues[0]!.message);
      const body = await readJsonBody(request, statusBodySchema);
      if (!body.ok) return errorResponse(400, body.error.code, body.error.message);
      try {
        // The state read first: banning prepares keys for every config to re-home.
        await service.read();
        const result = await service.setServerStatus({
          serverId: serverId.data,
          status,
          reason:
            body.value.reason ?? statusReasonText({ kind: "setByAdmin", action, through: "api" }),
          actor: API_ACTOR,
        });
        return { status: 200, body: result };
      } catch (error) {
        return failureResponse(error);
      }
    });
  }
}
