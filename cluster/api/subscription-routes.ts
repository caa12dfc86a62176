import type { SubscriptionLinks } from "../subscription/subscription-links.ts";
import { telegramIdParam } from "./params.ts";
import { errorResponse, failureResponse } from "./respond.ts";
import type { Router } from "./router.ts";

/**
 * `GET /v1/users/:telegramId/subscription` -> `{"url"}`: the user's
 * subscription URL, issued first when they have none. Issuing is a write,
 * so the leader answers (a follower names it, like for every write).
 */
export function addSubscriptionRoutes(router: Router, subscriptions: SubscriptionLinks): void {
  router.add(
    "GET",
    "/v1/users/:telegramId/subscription",
    async ({ params }) => {
      const userId = telegramIdParam.safeParse(params.telegramId);
      if (!userId.success)
        return errorResponse(400, "INVALID_USER_ID", userId.error.issues[0]!.message);
      try {
        return { status: 200, body: { url: await subscriptions.ensureUrl(userId.data) } };
      } catch (error) {
        return failureResponse(error);
      }
    },
    "leader",
  );
}
