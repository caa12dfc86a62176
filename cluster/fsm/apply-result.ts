/**
 * What apply hands back to the proposer. Refusals carry a stable code and
 * change nothing; `duplicate: true` marks an answer repeated from an earlier
 * command (same Telegram update, same idempotency key, same check round), in
 * which case this command changed nothing either.
 */
import type { Refusal } from "./errors.ts";

/** The outcome of applying one command. */
export type ApplyResult = { ok: true; value: unknown; duplicate?: true } | Refusal;

/** A command that took effect, with its result value. */
export function applied(value: unknown): ApplyResult {
  return { ok: true, value };
}

/** An earlier result repeated; this command changed nothing. */
export function repeated(value: unknown): ApplyResult {
  return { ok: true, value, duplicate: true };
}
