import { z } from "zod";
import { readJsonBody } from "../../shared/json-body.ts";
import type { ControlPlaneService } from "../control-plane-service.ts";
import { isNodePublicKey } from "../identity/node-public-key.ts";
import { serverIdParam } from "./params.ts";
import { errorResponse, failureResponse } from "./respond.ts";
import type { Router } from "./router.ts";

const replaceKeyBodySchema = z.strictObject({
  publicKey: z.string().refine(isNodePublicKey, "a node key is 32 bytes in unpadded base64url"),
  reason: z.string().max(500).optional(),
});
const revokeKeyBodySchema = z.strictObject({ reason: z.string().max(500).optional() });

/**
 * Node identity keys: `GET /v1/members/keys` lists the pinned and revoked
 * keys; `PUT /v1/members/:id/key` re-admits a member under a new key (it lost
 * its data directory; the old key is revoked); `DELETE /v1/members/:id/key`
 * revokes a member's key (a seized server): it can never connect again.
 * Like every write, changes are handled by the leader only (router.ts).
 */
export function addMemberKeyRoutes(router: Router, service: ControlPlaneService): void {
  router.add("GET", "/v1/members/keys", async () => {
    try {
      const state = await service.read();
      return {
        status: 200,
        body: { pinned: state.nodeKeys(), revoked: state.revokedNodeKeys() },
      };
    } catch (error) {
      return failureResponse(error);
    }
  });

  router.add("PUT", "/v1/members/:id/key", async ({ params, request }) => {
    const nodeId = serverIdParam.safeParse(params.id);
    if (!nodeId.success)
      return errorResponse(400, "INVALID_NODE_ID", nodeId.error.issues[0]!.message);
    const body = await readJsonBody(request, replaceKeyBodySchema);
    if (!body.ok) return errorResponse(400, body.error.code, body.error.message);
    try {
      const { value } = await service.run({
        type: "replaceNodeKey",
        nodeId: nodeId.data,
        publicKey: body.value.publicKey,
        actor: "admin-api",
        reason: body.value.reason ?? "re-admitted by an admin",
        at: service.now(),
      });
      return { status: 200, body: value };
    } catch (error) {
      return failureResponse(error);
    }
  });

  router.add("DELETE", "/v1/members/:id/key", async ({ params, request }) => {
    const nodeId = serverIdParam.safeParse(params.id);
    if (!nodeId.success)
      return errorResponse(400, "INVALID_NODE_ID", nodeId.error.issues[0]!.message);
    const body = await readJsonBody(request, revokeKeyBodySchema);
    if (!body.ok) return errorResponse(400, body.error.code, body.error.message);
    try {
      const { value } = await service.run({
        type: "revokeNodeKey",
        nodeId: nodeId.data,
        actor: "admin-api",
        reason: body.value.reason ?? "revoked by an admin",
        at: service.now(),
      });
      return { status: 200, body: value };
    } catch (error) {
      return failureResponse(error);
    }
  });
}
