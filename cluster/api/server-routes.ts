import { z } from "zod";
import type { ControlPlaneService } from "../control-plane-service.ts";
import { readJsonBody } from "./body.ts";
import { serverIdParam } from "./params.ts";
import { errorResponse, failureResponse } from "./respond.ts";
import type { Router } from "./router.ts";

const statusBodySchema = z.strictObject({ reason: z.string().max(500).optional() });

/** Where each action takes a server. */
const ACTIONS = {
  ban: "banned",
  unban: "active",
  drain: "draining",
  activate: "active",
} as const;

/** The fleet: `GET /v1/servers`, `POST /v1/servers/:id/{ban,unban,drain,activate}`. */
export function addServerRoutes(router: Router, service: ControlPlaneService): void {
  router.add("GET", "/v1/servers", async () => {
    try {
      const state = await service.read();
      return { status: 200, body: { servers: state.servers() } };
    } catch (error) {
      return failureResponse(error);
    }
  });

  for (const [action, status] of Object.entries(ACTIONS)) {
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
          reason: body.value.reason ?? `${action} by the admin API`,
          actor: "admin-api",
        });
        return { status: 200, body: result };
      } catch (error) {
        return failureResponse(error);
      }
    });
  }
}
