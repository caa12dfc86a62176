/**
 * Failures a test schedules with `failNext(method, error)`: the next call of
 * that method gets the error instead of its effect, one queued failure per
 * call, in the order they were scheduled.
 */
import { BotApiError, type ResponseParameters } from "./bot-api-error.ts";

/** The error a scheduled failure answers with, in Telegram's field names. */
export interface InjectedError {
  error_code: number;
  description: string;
  parameters?: ResponseParameters;
}

export class FaultPlan {
  /** Keyed by lower-cased method name: Telegram's method names ignore case. */
  private readonly scheduled = new Map<string, InjectedError[]>();

  schedule(method: string, error: InjectedError): void {
    const key = method.toLowerCase();
    this.scheduled.set(key, [...(this.scheduled.get(key) ?? []), error]);
  }

  /** The failure for this call, consumed; undefined when none is scheduled. */
  take(method: string): BotApiError | undefined {
    const queue = this.scheduled.get(method.toLowerCase());
    const next = queue?.shift();
    if (next === undefined) return undefined;
    return new BotApiError(next.error_code, next.description, next.parameters);
  }
}
