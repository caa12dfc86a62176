import { readJsonBody } from "../../shared/json-body.ts";
import type { ControlPlaneService } from "../control-plane-service.ts";
import { API_ACTOR } from "../fsm/actors.ts";
import { vantageProbeInputSchema } from "../vantage-probe-input.ts";
import { recordIdParam } from "./params.ts";
import { errorResponse, failureResponse } from "./respond.ts";
import type { Router } from "./router.ts";

/**
 * Vantage probes: `GET /v1/probes`, `POST /v1/probes` with
 * `{"id","url","token","region"?,"isp"?,"certSha256"?,"insecure"?}` (region
 * defaults to `default`, isp to `""`, unknown), `DELETE /v1/probes/:id`. The
 * url is https://, pinned to the agent's certificate by `certSha256` or
 * verified against the system CAs; http:// only with `"insecure": true`
 * (cluster/vantage-probe-input.ts). Listings show each probe's `certSha256`
 * (null when unpinned) and `insecure`. The token is sealed before it is
 * proposed and no answer ever carries it, not even sealed.
 */
export function addProbeRoutes(router: Router, service: ControlPlaneService): void {
  router.add("GET", "/v1/probes", async () => {
    try {
      return { status: 200, body: { probes: await service.vantageProbes() } };
    } catch (error) {
      return failureResponse(error);
    }
  });

  router.add("POST", "/v1/probes", async ({ request }) => {
    const body = await readJsonBody(request, vantageProbeInputSchema);
    if (!body.ok) return errorResponse(400, body.error.code, body.error.message);
    try {
      const probe = await service.addVantageProbe({ ...body.value, actor: API_ACTOR });
      return { status: 201, body: { probe } };
    } catch (error) {
      return failureResponse(error);
    }
  });

  router.add("DELETE", "/v1/probes/:id", async ({ params }) => {
    const probeId = recordIdParam.safeParse(params.id);
    if (!probeId.success)
      return errorResponse(400, "INVALID_PROBE_ID", probeId.error.issues[0]!.message);
    try {
      const removed = await service.removeVantageProbe({ id: probeId.data, actor: API_ACTOR });
      return { status: 200, body: removed };
    } catch (error) {
      return failureResponse(error);
    }
  });
}
