/**
 * Receiving updates: `getUpdates` (long polling, see {@link LongPolling}),
 * and the webhook calls a polling bot makes, `deleteWebhook` and
 * `getWebhookInfo`. The emulator never delivers by webhook.
 */
import { badRequest } from "../bot-api-error.ts";
import type { MethodHandler } from "./method-call.ts";

const DEFAULT_LIMIT = 100;

function clampLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  return Math.min(DEFAULT_LIMIT, Math.max(1, limit));
}

const getUpdates: MethodHandler = (call) => {
  const allowed = call.params.json("allowed_updates", "can't parse allowed_updates JSON array");
  if (
    allowed !== undefined &&
    (!Array.isArray(allowed) || allowed.some((type) => typeof type !== "string"))
  ) {
    throw badRequest("allowed_updates must be an Array of String");
  }
  return call.state.polling.poll(
    {
      token: call.token,
      offset: call.params.integer("offset") ?? null,
      limit: clampLimit(call.params.integer("limit")),
      timeoutSeconds: Math.max(0, call.params.integer("timeout") ?? 0),
      allowedUpdates: (allowed as string[] | undefined) ?? null,
    },
    call.signal,
  );
};

const deleteWebhook: MethodHandler = (call) => {
  if (call.params.boolean("drop_pending_updates") === true) call.state.updates.dropAll();
  return true;
};

const getWebhookInfo: MethodHandler = (call) => ({
  url: "",
  has_custom_certificate: false,
  pending_update_count: call.state.updates.size,
});

export const updateMethods: Record<string, MethodHandler> = {
  getUpdates,
  deleteWebhook,
  getWebhookInfo,
};
