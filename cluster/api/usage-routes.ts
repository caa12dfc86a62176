import { z } from "zod";
import { readJsonBody } from "../../shared/json-body.ts";
import type { ControlPlaneService } from "../control-plane-service.ts";
import { API_ACTOR } from "../fsm/actors.ts";
import { quotaGbSchema } from "../fsm/commands.ts";
import { telegramIdParam } from "./params.ts";
import { errorResponse, failureResponse } from "./respond.ts";
import type { Router } from "./router.ts";
import { userViewRoute } from "./user-view-route.ts";

const quotaBodySchema = z.union([
  z.strictObject({
    /** GB per period; 0 is unlimited; null returns to the cluster's `trafficQuotaGb`. */
    quotaGb: quotaGbSchema.nullable(),
  }),
  z.strictObject({ lift: z.literal(true) }),
]);

/**
 * Traffic: `GET /v1/users/:telegramId/usage` (usage this period, quota and
 * reset date, see fsm/traffic-usage.ts) and `PUT /v1/users/:telegramId/quota`
 * (`{"quotaGb": n|null}` sets or clears the user's quota, `{"lift": true}`
 * lifts a suspension for the rest of the period); both answer `{usage}`.
 */
export function addUsageRoutes(router: Router, service: ControlPlaneService): void {
  router.add(
    "GET",
    "/v1/users/:telegramId/usage",
    userViewRoute(service, (state, userId) => ({
      usage: state.trafficUsage(userId, service.now()),
    })),
  );

  router.add("PUT", "/v1/users/:telegramId/quota", async ({ params, request }) => {
    const userId = telegramIdParam.safeParse(params.telegramId);
    if (!userId.success)
      return errorResponse(400, "INVALID_USER_ID", userId.error.issues[0]!.message);
    const body = await readJsonBody(request, quotaBodySchema);
    if (!body.ok) return errorResponse(400, body.error.code, body.error.message);
    const at = service.now();
    try {
      const { value } =
        "lift" in body.value
          ? await service.run({
              type: "liftTrafficSuspension",
              userId: userId.data,
              actor: API_ACTOR,
              at,
            })
          : await service.run({
              type: "setUserQuota",
              userId: userId.data,
              quotaGb: body.value.quotaGb,
              actor: API_ACTOR,
              at,
            });
      // A repeat carries no value only for a Telegram update; the API sends none.
      const usage = value?.usage ?? service.localState.trafficUsage(userId.data, at);
      return { status: 200, body: { usage } };
    } catch (error) {
      return failureResponse(error);
    }
  });
}
