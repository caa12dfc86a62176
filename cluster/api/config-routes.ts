import { z } from "zod";
import { readJsonBody } from "../../shared/json-body.ts";
import type { ControlPlaneService, IssuedConfig } from "../control-plane-service.ts";
import { API_ACTOR } from "../fsm/actors.ts";
import { CONFIG_PROTOCOLS, type Config } from "../fsm/records.ts";
import { recordIdParam, telegramIdParam } from "./params.ts";
import { errorResponse, failureResponse } from "./respond.ts";
import type { ApiResponse, Router } from "./router.ts";
import { userViewRoute } from "./user-view-route.ts";

const issueBodySchema = z.strictObject({
  protocol: z
    .enum(CONFIG_PROTOCOLS, { error: `a protocol is one of ${CONFIG_PROTOCOLS.join(", ")}` })
    .optional(),
  region: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,32}$/, "a region is 1-32 of A-Z a-z 0-9 _ . -")
    .optional(),
});
const idempotencyKeySchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/);

/** What the API shows of a config: never its keys. */
function publicConfig(config: Config) {
  return {
    id: config.id,
    userId: config.userId,
    serverId: config.serverId,
    address: config.address,
    protocol: config.protocol,
    /** Where a Shadowsocks config connects; its password is only ever in `conf`. */
    shadowsocks: config.shadowsocks
      ? { port: config.shadowsocks.port, method: config.shadowsocks.method }
      : null,
    createdAt: config.createdAt,
    expiresAt: config.expiresAt,
    revokedAt: config.revokedAt,
    revokeReason: config.revokeReason,
  };
}

/**
 * The answer carrying a config's `.conf`; the private key leaves the
 * replicated state once it is out. If the erase cannot be committed (a leader
 * change), the undelivered-key bound erases it, and a retry can still fetch it.
 */
function issuedAnswer(
  service: ControlPlaneService,
  issued: IssuedConfig,
  status: number,
): ApiResponse {
  const delivered = () => void service.confirmDelivered([issued.config.id]).catch(() => undefined);
  return {
    status,
    body: {
      config: publicConfig(issued.config),
      conf: issued.conf,
      ...(issued.confMissing ? { confMissing: issued.confMissing } : {}),
    },
    ...(issued.conf !== null ? { afterSent: delivered } : {}),
  };
}

/**
 * Configs: `GET/POST /v1/users/:telegramId/configs`, `DELETE /v1/configs/:id`,
 * `POST /v1/configs/:id/rekey` (download again: a new key pair, same server
 * and address; the old key stops working).
 * A POST with an `Idempotency-Key` header returns the first config on every
 * retry, to any node, before or after a failover. The answer carries the
 * `.conf` with the private key once: when it has been sent, the key is erased
 * from the replicated state, and a later retry gets the config with
 * `conf: null` and `confMissing` saying why (`KEYS_ERASED`, `CONFIG_REVOKED`).
 */
export function addConfigRoutes(router: Router, service: ControlPlaneService): void {
  router.add(
    "GET",
    "/v1/users/:telegramId/configs",
    userViewRoute(service, (state, userId) => ({
      configs: state.configsOfUser(userId).map(publicConfig),
    })),
  );

  router.add("POST", "/v1/users/:telegramId/configs", async ({ params, request }) => {
    const userId = telegramIdParam.safeParse(params.telegramId);
    if (!userId.success)
      return errorResponse(400, "INVALID_USER_ID", userId.error.issues[0]!.message);
    const header = request.headers["idempotency-key"];
    let idempotencyKey: string | undefined;
    if (header !== undefined) {
      const parsed = idempotencyKeySchema.safeParse(header);
      if (!parsed.success) {
        return errorResponse(
          400,
          "INVALID_IDEMPOTENCY_KEY",
          "Idempotency-Key is 1-128 of A-Z a-z 0-9 _ . : -",
        );
      }
      idempotencyKey = parsed.data;
    }
    const body = await readJsonBody(request, issueBodySchema);
    if (!body.ok) return errorResponse(400, body.error.code, body.error.message);
    try {
      await service.read();
      await service.ensureUser(userId.data);
      const issued = await service.issueConfig({
        userId: userId.data,
        ...(body.value.protocol !== undefined ? { protocol: body.value.protocol } : {}),
        ...(body.value.region !== undefined ? { region: body.value.region } : {}),
        ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
      });
      return {
        ...issuedAnswer(service, issued, 201),
        ...(issued.duplicate ? { headers: { "Idempotent-Replayed": "true" } } : {}),
      };
    } catch (error) {
      return failureResponse(error);
    }
  });

  router.add("POST", "/v1/configs/:id/rekey", async ({ params }) => {
    const configId = recordIdParam.safeParse(params.id);
    if (!configId.success)
      return errorResponse(400, "INVALID_CONFIG_ID", configId.error.issues[0]!.message);
    try {
      await service.read();
      return issuedAnswer(service, await service.rekeyConfig({ configId: configId.data }), 200);
    } catch (error) {
      return failureResponse(error);
    }
  });

  router.add("DELETE", "/v1/configs/:id", async ({ params }) => {
    const configId = recordIdParam.safeParse(params.id);
    if (!configId.success)
      return errorResponse(400, "INVALID_CONFIG_ID", configId.error.issues[0]!.message);
    try {
      const config = await service.revokeConfig({
        configId: configId.data,
        actor: API_ACTOR,
        reason: "revoked by the admin API",
      });
      return { status: 200, body: { config: publicConfig(config) } };
    } catch (error) {
      return failureResponse(error);
    }
  });
}
