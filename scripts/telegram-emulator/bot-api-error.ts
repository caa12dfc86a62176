/**
 * A Bot API call that fails, carrying exactly what Telegram would answer:
 * `{"ok":false,"error_code":N,"description":"...","parameters":{...}}` with the
 * matching HTTP status. Method handlers throw it; the HTTP layer turns it into
 * the answer, so a handler reads as Telegram's validation rules in order.
 */
import type { Result } from "../../shared/result.ts";

/** Extra fields Telegram attaches to some errors (429 carries `retry_after`). */
export interface ResponseParameters {
  retry_after?: number;
  migrate_to_chat_id?: number;
}

/** The JSON body of a failed Bot API call. */
export interface BotApiErrorBody {
  ok: false;
  error_code: number;
  description: string;
  parameters?: ResponseParameters;
}

export class BotApiError extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly parameters?: ResponseParameters,
  ) {
    super(`${errorCode} ${description}`);
    this.name = "BotApiError";
  }

  toBody(): BotApiErrorBody {
    const body: BotApiErrorBody = {
      ok: false,
      error_code: this.errorCode,
      description: this.description,
    };
    if (this.parameters !== undefined) body.parameters = this.parameters;
    return body;
  }
}

/** 400 `Bad Request: <detail>`, Telegram's answer to any invalid parameter. */
export function badRequest(detail: string): BotApiError {
  return new BotApiError(400, `Bad Request: ${detail}`);
}

/** 403 `Forbidden: <detail>`, e.g. a user who blocked the bot. */
export function forbidden(detail: string): BotApiError {
  return new BotApiError(403, `Forbidden: ${detail}`);
}

/** 404 `Not Found` for a malformed token or path, `Not Found: <detail>` otherwise. */
export function notFound(detail?: string): BotApiError {
  return new BotApiError(404, detail === undefined ? "Not Found" : `Not Found: ${detail}`);
}

/** 401 for a well-formed token that this emulator was not told to accept. */
export function unauthorized(): BotApiError {
  return new BotApiError(401, "Unauthorized");
}

/** The answer to an older `getUpdates` that a newer one replaced. */
export function pollConflict(): BotApiError {
  return new BotApiError(
    409,
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
  );
}

/** 429 with the whole seconds to wait, as Telegram's flood control answers. */
export function tooManyRequests(retryAfterSeconds: number): BotApiError {
  return new BotApiError(429, `Too Many Requests: retry after ${retryAfterSeconds}`, {
    retry_after: retryAfterSeconds,
  });
}

/**
 * The value of a pure validation, or a 400 whose detail is the validation's
 * message (the pure helpers word their messages as Telegram does).
 */
export function valueOrBadRequest<Value>(result: Result<Value>): Value {
  if (!result.ok) throw badRequest(result.error.message);
  return result.value;
}
