import { z } from "zod";
import { readJsonBody } from "../../shared/json-body.ts";
import { API_ACTOR } from "../fsm/actors.ts";
import type { ApplyResult, ControlPlaneState } from "../fsm/control-plane.ts";
import type { ClusterNode } from "../node.ts";
import { errorResponse, nodeErrorResponse } from "./respond.ts";
import type { Router } from "./router.ts";

const settingKeySchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/);
const putSettingBodySchema = z.object({ value: z.string().max(4096) }).strict();

/** Cluster-wide settings: linearizable reads on any node, writes through Raft on the leader. */
export function addSettingsRoutes(
  router: Router,
  node: ClusterNode<ApplyResult>,
  state: ControlPlaneState,
): void {
  router.add("GET", "/v1/settings", async () => {
    try {
      await node.linearizableRead();
    } catch (error) {
      return nodeErrorResponse(error);
    }
    return { status: 200, body: { settings: state.allSettings() } };
  });

  router.add("GET", "/v1/settings/:key", async ({ params }) => {
    const key = settingKeySchema.safeParse(params.key);
    if (!key.success)
      return errorResponse(400, "INVALID_KEY", "a setting key is 1-128 of A-Z a-z 0-9 _ . : -");
    try {
      await node.linearizableRead();
    } catch (error) {
      return nodeErrorResponse(error);
    }
    const value = state.getSetting(key.data);
    if (value === undefined) return errorResponse(404, "NOT_FOUND", `no setting named ${key.data}`);
    return { status: 200, body: { key: key.data, value } };
  });

  router.add("PUT", "/v1/settings/:key", async ({ params, request }) => {
    const key = settingKeySchema.safeParse(params.key);
    if (!key.success)
      return errorResponse(400, "INVALID_KEY", "a setting key is 1-128 of A-Z a-z 0-9 _ . : -");
    const body = await readJsonBody(request, putSettingBodySchema);
    if (!body.ok) return errorResponse(400, body.error.code, body.error.message);
    try {
      const command = JSON.stringify({
        type: "setSetting",
        key: key.data,
        value: body.value.value,
        actor: API_ACTOR,
      });
      const { index, result } = await node.propose(command);
      if (!result.ok) return errorResponse(400, result.error.code, result.error.message);
      return { status: 200, body: { key: key.data, value: body.value.value, index } };
    } catch (error) {
      return nodeErrorResponse(error);
    }
  });
}
