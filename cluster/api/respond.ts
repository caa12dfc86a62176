import { CommandRefusedError } from "../control-plane-service.ts";
import { NodeError, type NodeErrorCode } from "../node.ts";
import type { ApiResponse } from "./router.ts";

/** An error response: `{"error":{"code","message"}}` with the right status. */
export function errorResponse(
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
): ApiResponse {
  const response: ApiResponse = { status, body: { error: { code, message } } };
  if (headers) response.headers = headers;
  return response;
}

const UNAVAILABLE: ReadonlySet<NodeErrorCode> = new Set([
  "NOT_LEADER",
  "NOT_READY",
  "PROPOSAL_TIMEOUT",
  "READ_TIMEOUT",
  "SHUTTING_DOWN",
  "TRANSFER_IN_PROGRESS",
  "UNCOMMITTED_LIMIT",
  "CONF_CHANGE_TOO_EARLY",
]);

/** Maps what the node refused to HTTP: unavailability is 503 with Retry-After, the rest 409/400. */
export function nodeErrorResponse(error: unknown): ApiResponse {
  if (!(error instanceof NodeError)) throw error;
  if (UNAVAILABLE.has(error.code)) {
    const message = error.leaderId
      ? `${error.message} (leader is ${error.leaderId})`
      : error.message;
    return errorResponse(503, error.code, message, { "Retry-After": "1" });
  }
  if (error.code === "CONF_CHANGE_PENDING") return errorResponse(409, error.code, error.message);
  return errorResponse(400, error.code, error.message);
}

/** The HTTP status for a code the replicated state refused a command with. */
export function statusOfRefusal(code: string): number {
  if (code.startsWith("UNKNOWN_")) return 404;
  if (code.startsWith("INVALID_") || code === "UPDATE_TOO_OLD") return 400;
  if (code === "NOT_OWNER") return 403;
  if (code === "CONFIG_KEYS_UNREADABLE") return 500;
  return 409;
}

/**
 * Maps any failure of a write or read to HTTP: what the state machine refused
 * (404/400/409), what the node could not do (503 with Retry-After), else rethrows.
 */
export function failureResponse(error: unknown): ApiResponse {
  if (error instanceof CommandRefusedError) {
    if (error.code === "ENDPOINT_UNKNOWN") {
      return errorResponse(503, error.code, error.message, { "Retry-After": "5" });
    }
    return errorResponse(statusOfRefusal(error.code), error.code, error.message);
  }
  return nodeErrorResponse(error);
}
