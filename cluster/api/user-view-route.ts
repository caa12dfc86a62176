import type { ControlPlaneService } from "../control-plane-service.ts";
import type { ControlPlaneState } from "../fsm/control-plane.ts";
import { telegramIdParam } from "./params.ts";
import { errorResponse, failureResponse } from "./respond.ts";
import type { RouteHandler } from "./router.ts";

/**
 * A GET of something about one user (`:telegramId` in the path): the id is
 * checked, the state read linearizably, an unknown user is 404, and `body`
 * builds the 200 answer from the state.
 */
export function userViewRoute(
  service: ControlPlaneService,
  body: (state: ControlPlaneState, userId: string) => unknown,
): RouteHandler {
  return async ({ params }) => {
    const userId = telegramIdParam.safeParse(params.telegramId);
    if (!userId.success)
      return errorResponse(400, "INVALID_USER_ID", userId.error.issues[0]!.message);
    try {
      const state = await service.read();
      if (!state.user(userId.data))
        return errorResponse(404, "UNKNOWN_USER", `no user ${userId.data}`);
      return { status: 200, body: body(state, userId.data) };
    } catch (error) {
      return failureResponse(error);
    }
  };
}
