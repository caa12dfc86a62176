/** Start-up reading of files that the configuration names (certificates, keys, CAs). */
import { readFileSync } from "node:fs";

/** The exit code of a process that cannot start with the configuration it was given. */
export const EXIT_BAD_CONFIG = 2;

/**
 * The contents of `path`, which the environment variable `variable` named;
 * when it cannot be read, says which variable and why on stderr and exits
 * with {@link EXIT_BAD_CONFIG}.
 */
export function readFileOrExit(path: string, variable: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    process.stderr.write(`${variable}: cannot read ${path}: ${(error as Error).message}\n`);
    process.exit(EXIT_BAD_CONFIG);
  }
}
