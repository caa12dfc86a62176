import { readFileSync } from "node:fs";
import { parse, populate } from "dotenv";
import { err, ok, type Result } from "./result.ts";

/**
 * Adds the variables of a dotenv file (normally `.env` in the working
 * directory) to `env`, leaving every variable that is already set untouched:
 * the real environment always wins over the file. A missing file is fine, as
 * nodes may be configured through the environment alone; a file that exists
 * but cannot be read is an error.
 */
export function loadEnvFile(path: string, env: NodeJS.ProcessEnv): Result<void, "INVALID_CONFIG"> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return ok(undefined);
    return err(
      "INVALID_CONFIG",
      `Cannot read ${path} (${code ?? String(cause)}): fix its permissions or remove it.`,
    );
  }
  populate(env, parse(text), { override: false });
  return ok(undefined);
}
