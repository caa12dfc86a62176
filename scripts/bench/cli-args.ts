/** Command-line options of the benchmarks: checked once at start, refused with exit code 2. */
import { err, ok, type Result } from "../../shared/result.ts";

/** The exit code of a benchmark given an option it cannot run with. */
export const EXIT_BAD_ARGUMENT = 2;

/** `--name`'s value `text` as a whole number above zero, or why it is not one. */
export function parsePositiveInteger(
  name: string,
  text: string,
): Result<number, "NOT_A_POSITIVE_INTEGER"> {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0)
    return err("NOT_A_POSITIVE_INTEGER", `--${name} must be a positive whole number, got ${text}`);
  return ok(value);
}

/** Writes `message` on stderr and exits with {@link EXIT_BAD_ARGUMENT}. */
export function refuse(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(EXIT_BAD_ARGUMENT);
}

/** `--name`'s value `text` as a whole number above zero; anything else is refused. */
export function positiveInteger(name: string, text: string): number {
  const parsed = parsePositiveInteger(name, text);
  if (!parsed.ok) refuse(parsed.error.message);
  return parsed.value;
}
