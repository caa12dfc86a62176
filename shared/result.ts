/**
 * Errors are values: a stable machine-readable `code` (SCREAMING_SNAKE_CASE,
 * never renamed once shipped) and a human message that says what to do.
 */
export interface ErrorValue<Code extends string = string> {
  code: Code;
  message: string;
}

export type Result<Value, Code extends string = string> =
  | { ok: true; value: Value }
  | { ok: false; error: ErrorValue<Code> };

export function ok<Value>(value: Value): { ok: true; value: Value } {
  return { ok: true, value };
}

export function err<Code extends string>(
  code: Code,
  message: string,
): { ok: false; error: ErrorValue<Code> } {
  return { ok: false, error: { code, message } };
}
