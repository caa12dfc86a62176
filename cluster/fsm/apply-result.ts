/**
 * What apply hands back to the proposer. Refusals carry a stable code and
 * change nothing; `duplicate: true` marks an answer repeated from an earlier
 * command (same Telegram update, same idempotency key, same check round), in
 * which case this command changed nothing either.
 */
import type { Refusal } from "./errors.ts";

/** A command that took effect (or a repeat of one), with its result value. */
export interface Applied<Value> {
  ok: true;
  value: Value;
  duplicate?: true;
}

/** The outcome of applying one command. */
export type ApplyResult<Value = unknown> = Applied<Value> | Refusal;

/** A command that took effect, with its result value. */
export function applied<Value>(value: Value): Applied<Value> {
  return { ok: true, value };
}

/** An earlier result repeated; this command changed nothing. */
export function repeated<Value>(value: Value): Applied<Value> {
  return { ok: true, value, duplicate: true };
}
